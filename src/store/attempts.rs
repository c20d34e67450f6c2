//! Students' attempts: starting (with a server-issued secret and a deadline
//! the server owns), the durable log of edits and events, submission, and
//! the receipt.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::StoreError;
use super::exams::Exam;
use crate::auth::token;
use crate::clock::rfc3339;
use crate::domain::{AttemptId, ExamId, LatePolicy, QuestionId, UserId};

/// How long after the deadline queued edits stamped before it may still arrive.
const LATE_ARRIVAL_WINDOW: time::Duration = time::Duration::hours(24);

/// One student's attempt at one exam.
#[derive(Debug, Clone, Serialize)]
pub struct Attempt {
    /// Identifier.
    pub id: AttemptId,
    /// The exam.
    pub exam_id: ExamId,
    /// The student.
    #[serde(skip)]
    pub user_id: UserId,
    /// When it started.
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    /// Start + duration + extra time, never past the exam's close.
    #[serde(with = "time::serde::rfc3339")]
    pub deadline_at: OffsetDateTime,
    /// When it was submitted, by the student or at the deadline.
    pub submitted_at: Option<String>,
    /// Who submitted it: `student`, or `deadline` when the server did.
    pub submit_reason: Option<String>,
}

fn parse(text: &str) -> rusqlite::Result<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc3339)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))
}

const COLUMNS: &str = "id, exam_id, user_id, started_at, deadline_at, submitted_at, submit_reason";

/// Reads an attempt from the first seven columns of `row`, in the order of `COLUMNS`.
pub(super) fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Attempt> {
    Ok(Attempt {
        id: row.get(0)?,
        exam_id: row.get(1)?,
        user_id: row.get(2)?,
        started_at: parse(&row.get::<_, String>(3)?)?,
        deadline_at: parse(&row.get::<_, String>(4)?)?,
        submitted_at: row.get(5)?,
        submit_reason: row.get(6)?,
    })
}

/// Extra minutes granted to `user` for `exam`.
///
/// # Errors
/// Storage errors.
pub fn extra_minutes(conn: &Connection, exam: ExamId, user: UserId) -> Result<u32, StoreError> {
    Ok(conn
        .query_row("SELECT minutes FROM extra_time WHERE exam_id = ?1 AND user_id = ?2", params![exam, user], |r| {
            r.get(0)
        })
        .optional()?
        .unwrap_or(0))
}

/// Grants `minutes` of extra time (0 removes it) to each of `users`.
///
/// # Errors
/// Storage errors.
pub fn set_extra_time(
    conn: &Connection,
    exam: ExamId,
    users: &[UserId],
    minutes: u32,
    label: &str,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    for user in users {
        conn.execute(
            "INSERT INTO extra_time (exam_id, user_id, minutes, label, granted_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (exam_id, user_id) DO UPDATE SET minutes = excluded.minutes, label = excluded.label, granted_at = excluded.granted_at",
            params![exam, user, minutes, label, rfc3339(now)],
        )?;
        // An attempt already running gets the new deadline at once.
        recompute_deadlines(conn, exam, Some(*user))?;
    }
    Ok(())
}

/// Sets the deadline of running attempts at `exam` (of `user` only, when
/// given) to start + duration + extra time, never past the exam's close:
/// after extra time is granted, the window is extended, or the exam closes early.
///
/// # Errors
/// Storage errors.
pub fn recompute_deadlines(conn: &Connection, exam: ExamId, user: Option<UserId>) -> Result<usize, StoreError> {
    // Stored times are RFC 3339 with or without a fraction, which do not
    // order correctly as text within one second: compare them as julian days.
    Ok(conn.execute(
        "UPDATE exam_sessions SET deadline_at = (
             SELECT CASE WHEN julianday(t.due) <= julianday(t.closes_at) THEN t.due ELSE t.closes_at END
             FROM (SELECT strftime('%Y-%m-%dT%H:%M:%fZ', exam_sessions.started_at, '+' || (
                          e.duration_minutes
                          + coalesce((SELECT minutes FROM extra_time x WHERE x.exam_id = e.id AND x.user_id = exam_sessions.user_id), 0)
                      ) || ' minutes') AS due,
                          e.closes_at AS closes_at
                   FROM exams e WHERE e.id = ?1) t)
         WHERE exam_id = ?1 AND submitted_at IS NULL AND (?2 IS NULL OR user_id = ?2)",
        params![exam, user],
    )?)
}

/// The attempt of `user` at `exam`, if started.
///
/// # Errors
/// Storage errors.
pub fn find(conn: &Connection, exam: ExamId, user: UserId) -> Result<Option<Attempt>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM exam_sessions WHERE exam_id = ?1 AND user_id = ?2");
    Ok(conn.query_row(&sql, params![exam, user], from_row).optional()?)
}

/// The attempt `id` of `user`, if `secret` is its secret.
///
/// # Errors
/// Storage errors.
pub fn unlock(conn: &Connection, id: AttemptId, user: UserId, secret: &str) -> Result<Option<Attempt>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM exam_sessions WHERE id = ?1 AND user_id = ?2 AND secret_hash = ?3");
    Ok(conn.query_row(&sql, params![id, user, token::digest(secret)], from_row).optional()?)
}

/// Starts `user`'s attempt; returns it with its secret (shown once).
///
/// # Errors
/// [`StoreError::Conflict`] when an attempt exists (a second device).
pub fn start(
    conn: &Connection,
    exam: &Exam,
    user: UserId,
    now: OffsetDateTime,
) -> Result<(Attempt, String), StoreError> {
    if find(conn, exam.id, user)?.is_some() {
        return Err(StoreError::Conflict("an attempt at this exam".to_owned()));
    }
    let extra = extra_minutes(conn, exam.id, user)?;
    let minutes = i64::from(exam.spec.duration_minutes + extra);
    let deadline_at = (now + time::Duration::minutes(minutes)).min(exam.spec.closes_at);
    let secret = token::generate();
    let attempt = Attempt {
        id: AttemptId::generate(),
        exam_id: exam.id,
        user_id: user,
        started_at: now,
        deadline_at,
        submitted_at: None,
        submit_reason: None,
    };
    conn.execute(
        "INSERT INTO exam_sessions (id, exam_id, user_id, secret_hash, started_at, deadline_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![attempt.id, exam.id, user, token::digest(&secret), rfc3339(now), rfc3339(deadline_at)],
    )?;
    Ok((attempt, secret))
}

/// One item of the client's queue.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueItem {
    /// The client's sequence number, from 1, never reused.
    pub seq: i64,
    /// `edit`, or an integrity event kind (`paste`, `focus_lost`, ...).
    pub kind: String,
    /// The question edited (edits) or concerned (some events).
    pub question_id: Option<QuestionId>,
    /// When it happened, by the client's estimate of the server's clock.
    #[serde(with = "time::serde::rfc3339")]
    pub client_at: OffsetDateTime,
    /// Edits: the question's code after the edit.
    pub code: Option<String>,
    /// Edits: the editor's change set; events: their details.
    #[serde(default)]
    pub data: serde_json::Value,
}

/// What a batch achieved.
#[derive(Debug, Clone, Serialize)]
pub struct SaveOutcome {
    /// Every item up to this sequence number is durable.
    pub acked_seq: i64,
    /// Items accepted after the deadline because they were stamped before it.
    pub late: usize,
    /// Items refused because they were made after the deadline.
    pub refused: usize,
}

/// Stores a batch. Items already stored are ignored; items made after the
/// deadline are refused; the rest are stored (late ones marked).
///
/// # Errors
/// [`StoreError::Conflict`] for an item naming another exam's question.
pub fn save(
    conn: &Connection,
    attempt: &Attempt,
    exam: &Exam,
    items: &[QueueItem],
    now: OffsetDateTime,
) -> Result<SaveOutcome, StoreError> {
    let (mut late, mut refused) = (0, 0);
    for item in items {
        if item.seq < 1 {
            return Err(StoreError::Conflict("a sequence number below 1".to_owned()));
        }
        if item.question_id.is_some_and(|q| !exam.question_ids.contains(&q)) {
            return Err(StoreError::Conflict("a question of another exam".to_owned()));
        }
        let on_time = now <= attempt.deadline_at && attempt.submitted_at.is_none();
        let queued_in_time = exam.spec.late_policy == LatePolicy::AcceptQueued
            && item.client_at <= attempt.deadline_at
            && now <= attempt.deadline_at + LATE_ARRIVAL_WINDOW
            && attempt.submitted_at.as_deref().is_none_or(|_| submitted_at_deadline(conn, attempt.id).unwrap_or(false));
        if !on_time && !queued_in_time {
            refused += 1;
            continue;
        }
        let is_late = !on_time;
        let payload = serde_json::json!({ "code": item.code, "data": item.data }).to_string();
        let inserted = conn.execute(
            "INSERT OR IGNORE INTO session_log (session_id, seq, kind, question_id, client_at, server_at, late, payload)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![attempt.id, item.seq, item.kind, item.question_id, rfc3339(item.client_at), rfc3339(now), is_late, payload],
        )?;
        if inserted == 0 {
            continue;
        }
        late += usize::from(is_late);
        if let (Some(question), Some(code), "edit") = (item.question_id, &item.code, item.kind.as_str()) {
            conn.execute(
                "INSERT INTO answers (session_id, question_id, code, seq) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (session_id, question_id) DO UPDATE SET code = excluded.code, seq = excluded.seq
                 WHERE excluded.seq > answers.seq",
                params![attempt.id, question, code, item.seq],
            )?;
        }
    }
    Ok(SaveOutcome { acked_seq: acked_seq(conn, attempt.id)?, late, refused })
}

fn submitted_at_deadline(conn: &Connection, id: AttemptId) -> Result<bool, StoreError> {
    let reason: Option<String> = conn
        .query_row("SELECT submit_reason FROM exam_sessions WHERE id = ?1", [id], |r| r.get(0))
        .optional()?
        .flatten();
    Ok(reason.as_deref() == Some("deadline"))
}

/// The highest sequence number up to which every item is stored.
///
/// # Errors
/// Storage errors.
pub fn acked_seq(conn: &Connection, id: AttemptId) -> Result<i64, StoreError> {
    let has_first: bool =
        conn.query_row("SELECT count(*) > 0 FROM session_log WHERE session_id = ?1 AND seq = 1", [id], |r| r.get(0))?;
    if !has_first {
        return Ok(0);
    }
    Ok(conn.query_row(
        "SELECT min(a.seq) FROM session_log a WHERE a.session_id = ?1
         AND NOT EXISTS (SELECT 1 FROM session_log b WHERE b.session_id = a.session_id AND b.seq = a.seq + 1)",
        [id],
        |r| r.get(0),
    )?)
}

/// Submits the attempt, by the student or at the deadline. Idempotent.
///
/// # Errors
/// Storage errors.
pub fn submit(conn: &Connection, attempt: &Attempt, by_student: bool, now: OffsetDateTime) -> Result<(), StoreError> {
    let (at, reason) =
        if by_student { (now.min(attempt.deadline_at), "student") } else { (attempt.deadline_at, "deadline") };
    conn.execute(
        "UPDATE exam_sessions SET submitted_at = ?2, submit_reason = ?3 WHERE id = ?1 AND submitted_at IS NULL",
        params![attempt.id, rfc3339(at), reason],
    )?;
    Ok(())
}

/// Submits every attempt whose deadline has passed, as it stood at the
/// deadline; returns how many. Reading an attempt does the same lazily, so
/// this only makes the record current for people who are not looking.
///
/// # Errors
/// Storage errors.
pub fn submit_overdue(conn: &Connection, now: OffsetDateTime) -> Result<usize, StoreError> {
    Ok(conn.execute(
        "UPDATE exam_sessions SET submitted_at = deadline_at, submit_reason = 'deadline'
         WHERE submitted_at IS NULL AND julianday(deadline_at) < julianday(?1)",
        [rfc3339(now)],
    )?)
}

/// Whether an attempt at `exam` is past its deadline and not yet submitted.
///
/// # Errors
/// Storage errors.
pub fn any_overdue(conn: &Connection, exam: ExamId, now: OffsetDateTime) -> Result<bool, StoreError> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM exam_sessions
                        WHERE exam_id = ?1 AND submitted_at IS NULL AND julianday(deadline_at) < julianday(?2))",
        params![exam, rfc3339(now)],
        |r| r.get(0),
    )?)
}

/// The latest code of each question of `exam` in the attempt (starter code
/// where nothing was typed).
///
/// # Errors
/// Storage errors.
pub fn answers(conn: &Connection, attempt: AttemptId, exam: &Exam) -> Result<Vec<(QuestionId, String)>, StoreError> {
    let mut statement = conn.prepare_cached("SELECT question_id, code FROM answers WHERE session_id = ?1")?;
    let typed = statement
        .query_map([attempt], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<HashMap<QuestionId, String>, _>>()?;
    Ok(with_starter_code(exam, typed))
}

/// Each question's code from `typed`, or its starter code where nothing was typed.
pub(super) fn with_starter_code(exam: &Exam, mut typed: HashMap<QuestionId, String>) -> Vec<(QuestionId, String)> {
    exam.question_ids
        .iter()
        .zip(&exam.spec.questions)
        .map(|(id, question)| (*id, typed.remove(id).unwrap_or_else(|| question.starter_code.clone())))
        .collect()
}

/// A submission receipt: the server's time and each answer's SHA-256.
#[derive(Debug, Clone, Serialize)]
pub struct Receipt {
    /// The attempt.
    pub attempt_id: AttemptId,
    /// When it was submitted (RFC 3339), as the server recorded it.
    pub submitted_at: Option<String>,
    /// Per question: its id, title and the SHA-256 (hex) of the submitted code.
    pub answers: Vec<ReceiptLine>,
}

/// One answer on a receipt.
#[derive(Debug, Clone, Serialize)]
pub struct ReceiptLine {
    /// The question.
    pub question_id: QuestionId,
    /// Its title.
    pub title: String,
    /// SHA-256 of the UTF-8 code, lowercase hex.
    pub sha256: String,
}

/// The receipt of an attempt.
///
/// # Errors
/// Storage errors.
pub fn receipt(conn: &Connection, attempt: &Attempt, exam: &Exam) -> Result<Receipt, StoreError> {
    let submitted_at: Option<String> =
        conn.query_row("SELECT submitted_at FROM exam_sessions WHERE id = ?1", [attempt.id], |r| r.get(0))?;
    Ok(receipt_of(attempt.id, submitted_at, exam, answers(conn, attempt.id, exam)?))
}

/// The receipt of attempt `id`, from its answers in the exam's question order.
pub(super) fn receipt_of(
    id: AttemptId,
    submitted_at: Option<String>,
    exam: &Exam,
    answers: Vec<(QuestionId, String)>,
) -> Receipt {
    let lines = answers
        .into_iter()
        .zip(&exam.spec.questions)
        .map(|((question_id, code), question)| ReceiptLine {
            question_id,
            title: question.title.clone(),
            sha256: hex::encode(Sha256::digest(code.as_bytes())),
        })
        .collect();
    Receipt { attempt_id: id, submitted_at, answers: lines }
}
