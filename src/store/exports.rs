//! What the exports of one exam read ([`crate::service::exports`]): its
//! attempts with their students and receipts, and each attempt's log. The
//! attempts and the log items are handed to the caller one at a time as
//! SQLite steps, never collected, so an exam of two million logged items
//! costs the memory of one; only the list of students (one per attempt) is
//! collected. The caller holds the read transaction that makes them one
//! snapshot.
//!
//! Every query walks an index in the order it returns (an attempt's log by
//! its primary key), or sorts at most one row per student: the connection
//! keeps temporary tables in memory (`temp_store = MEMORY`), so a sort of
//! the whole log would not be bounded.

use rusqlite::{Connection, Row};

use super::StoreError;
use crate::domain::receipt::Receipt;
use crate::domain::{AttemptId, ExamId, QuestionId, SectionId, Timestamp, UserId};

/// One attempt's student, as every export names them.
#[derive(Debug, Clone)]
pub struct Student {
    /// The attempt.
    pub attempt: AttemptId,
    /// The student.
    pub user: UserId,
    /// Their name, as staff see it (the student's own words for a
    /// candidate: never trusted as text, see the exports' CSV cells).
    pub name: String,
    /// Their sign-in e-mail.
    pub email: String,
    /// The institution's student number, when the roster gave one.
    pub student_number: Option<String>,
    /// The section in which they sit the exam (the first by id when in
    /// several), with its name; `None` when they no longer hold a grant in
    /// any of the exam's sections.
    pub section: Option<(SectionId, String)>,
    /// A candidate account (signs in with a link of this exam only).
    pub candidate: bool,
}

/// The columns [`student_from`] reads, for attempts `s` and users `u`.
const STUDENT_COLUMNS: &str = "s.id, u.id, u.display_name, u.email, u.student_number,
    sec.id, sec.name, EXISTS (SELECT 1 FROM candidate_links c WHERE c.user_id = u.id)";

/// The joins [`STUDENT_COLUMNS`] needs, after `FROM exam_sessions s`.
const STUDENT_JOINS: &str = "JOIN users u ON u.id = s.user_id
    LEFT JOIN sections sec ON sec.id = (
        SELECT min(g.section_id) FROM grants g
        JOIN exam_sections es ON es.exam_id = s.exam_id AND es.section_id = g.section_id
        WHERE g.role = 'student' AND g.user_id = s.user_id)";

fn student_from(row: &Row<'_>) -> rusqlite::Result<Student> {
    let section: Option<SectionId> = row.get(5)?;
    let section_name: Option<String> = row.get(6)?;
    Ok(Student {
        attempt: row.get(0)?,
        user: row.get(1)?,
        name: row.get(2)?,
        email: row.get(3)?,
        student_number: row.get(4)?,
        section: section.map(|id| (id, section_name.unwrap_or_default())),
        candidate: row.get(7)?,
    })
}

/// The students of every attempt at `exam`, by e-mail: one per attempt,
/// so at most one per student of the exam.
///
/// # Errors
/// Storage errors.
pub fn students(conn: &Connection, exam: ExamId) -> Result<Vec<Student>, StoreError> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {STUDENT_COLUMNS} FROM exam_sessions s {STUDENT_JOINS}
         WHERE s.exam_id = ?1 ORDER BY u.email, s.id"
    ))?;
    let rows = statement.query_map([exam], student_from)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// One attempt as the attempts export shows it.
#[derive(Debug, Clone)]
pub struct AttemptRow {
    /// Whose.
    pub student: Student,
    /// When it started (the server's clock).
    pub started_at: Timestamp,
    /// Its deadline: start + duration + extra time, never past the exam's
    /// close; a reopened attempt's, the time it was reopened until.
    pub deadline_at: Timestamp,
    /// Extra minutes granted to the student for this exam.
    pub extra_minutes: u32,
    /// When it was first submitted (empty while running or reopened).
    pub submitted_at: Option<Timestamp>,
    /// `student` or `deadline`: who submitted it first.
    pub submit_reason: Option<String>,
    /// Until when an instructor reopened it, if they did.
    pub reopened_until: Option<Timestamp>,
    /// How many items its log holds (up to this sequence number).
    pub acked_seq: i64,
    /// Its latest submission's receipt and the receipt's SHA-256, once submitted.
    pub receipt: Option<(Receipt, String)>,
}

/// Hands every attempt at `exam`, by the student's e-mail, to `each`.
///
/// # Errors
/// Storage errors, or the first error of `each`.
pub fn attempts<E: From<StoreError>>(
    conn: &Connection,
    exam: ExamId,
    mut each: impl FnMut(AttemptRow) -> Result<(), E>,
) -> Result<(), E> {
    // The latest submission of each attempt, as `LATEST_OF_ATTEMPT` keeps it.
    let mut statement = conn
        .prepare_cached(&format!(
            "SELECT {STUDENT_COLUMNS}, s.started_at, s.deadline_at, coalesce(x.minutes, 0), s.submitted_at,
                    s.submit_reason, s.reopened_until, s.acked_seq, l.receipt, l.receipt_sha256
             FROM exam_sessions s {STUDENT_JOINS}
             LEFT JOIN extra_time x ON x.exam_id = s.exam_id AND x.user_id = s.user_id
             LEFT JOIN submissions l ON l.session_id = s.id
                 AND l.number = (SELECT max(number) FROM submissions t WHERE t.session_id = s.id)
             WHERE s.exam_id = ?1 ORDER BY u.email, s.id"
        ))
        .map_err(StoreError::from)?;
    let mut rows = statement.query([exam]).map_err(StoreError::from)?;
    while let Some(row) = rows.next().map_err(StoreError::from)? {
        let attempt = attempt_from(row)?;
        each(attempt)?;
    }
    Ok(())
}

fn attempt_from(row: &Row<'_>) -> Result<AttemptRow, StoreError> {
    let receipt: Option<String> = row.get(15)?;
    let sha256: Option<String> = row.get(16)?;
    let receipt = match (receipt, sha256) {
        (Some(text), Some(sha256)) => Some((
            serde_json::from_str(&text)
                .map_err(|e| rusqlite::Error::FromSqlConversionFailure(15, rusqlite::types::Type::Text, Box::new(e)))?,
            sha256,
        )),
        _ => None,
    };
    Ok(AttemptRow {
        student: student_from(row)?,
        started_at: row.get(8)?,
        deadline_at: row.get(9)?,
        extra_minutes: row.get(10)?,
        submitted_at: row.get(11)?,
        submit_reason: row.get(12)?,
        reopened_until: row.get(13)?,
        acked_seq: row.get(14)?,
        receipt,
    })
}

/// One item of an attempt's log, as stored.
#[derive(Debug, Clone)]
pub struct LogRow {
    /// Its sequence number in the attempt (from 1, contiguous).
    pub seq: i64,
    /// What the browser said it is (`edit`, `snapshot`, `paste`, `focus_lost`, ...).
    pub kind: String,
    /// The question it concerns, if one.
    pub question: Option<QuestionId>,
    /// The browser's clock when it was queued: shown, never evidence.
    pub client_at: Timestamp,
    /// The server's clock when it was stored.
    pub server_at: Timestamp,
    /// For an edit or a snapshot: whether the server's copy of the code
    /// took it (an edit applied, a snapshot matched).
    pub applied: Option<bool>,
    /// The running SHA-256 of the log up to this item (empty before
    /// chained logs, migration 0010).
    pub chain: Option<Vec<u8>>,
    /// The item's exact JSON text, as the browser sent it.
    pub payload: String,
}

/// Hands every item of `attempt`'s log, in order, to `each`.
///
/// # Errors
/// Storage errors, or the first error of `each`.
pub fn log<E: From<StoreError>>(
    conn: &Connection,
    attempt: AttemptId,
    mut each: impl FnMut(LogRow) -> Result<(), E>,
) -> Result<(), E> {
    let mut statement = conn
        .prepare_cached(
            "SELECT seq, kind, question_id, client_at, server_at, applied, chain, payload
             FROM session_log WHERE session_id = ?1 ORDER BY seq",
        )
        .map_err(StoreError::from)?;
    let mut rows = statement.query([attempt]).map_err(StoreError::from)?;
    while let Some(row) = rows.next().map_err(StoreError::from)? {
        let item = LogRow {
            seq: row.get(0).map_err(StoreError::from)?,
            kind: row.get(1).map_err(StoreError::from)?,
            question: row.get(2).map_err(StoreError::from)?,
            client_at: row.get(3).map_err(StoreError::from)?,
            server_at: row.get(4).map_err(StoreError::from)?,
            applied: row.get(5).map_err(StoreError::from)?,
            chain: row.get(6).map_err(StoreError::from)?,
            payload: row.get(7).map_err(StoreError::from)?,
        };
        each(item)?;
    }
    Ok(())
}
