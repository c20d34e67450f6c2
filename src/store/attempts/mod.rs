//! Students' attempts: starting (with a server-issued binding to one browser
//! and a deadline the server owns), the durable, chained log of edits and
//! events ([`log`]), items that arrive after the deadline ([`late`]), and
//! frozen submissions with their receipts ([`submissions`]).
//! `docs/autosave.md` describes the protocol.

mod batch;
pub mod late;
pub mod log;
pub mod move_codes;
pub mod reviews;
pub mod submissions;

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, params};
use time::OffsetDateTime;

use super::StoreError;
use super::exams::Exam;
use crate::auth::token;
use crate::clock::rfc3339;
use crate::domain::autosave::{ChainHash, chain_start};
use crate::domain::changeset::normalise_line_breaks;
use crate::domain::{AttemptId, ExamId, QuestionId, Timestamp, UserId};

/// One student's attempt at one exam.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// Identifier.
    pub id: AttemptId,
    /// The exam.
    pub exam_id: ExamId,
    /// The student.
    pub user_id: UserId,
    /// When it started.
    pub started_at: OffsetDateTime,
    /// Start + duration + extra time, never past the exam's close.
    pub deadline_at: OffsetDateTime,
    /// When it was first submitted, by the student or at the deadline.
    pub submitted_at: Option<Timestamp>,
    /// Who submitted it first: `student`, or `deadline` when the server did.
    pub submit_reason: Option<String>,
    /// Staff allowed another browser to take the attempt over.
    pub move_allowed: bool,
}

impl Attempt {
    /// Whether the student handed it in (as opposed to the deadline passing).
    #[must_use]
    pub fn submitted_by_student(&self) -> bool {
        self.submit_reason.as_deref() == Some("student")
    }
}

/// The columns [`from_row`] reads, in its order.
pub(super) const COLUMNS: &str =
    "id, exam_id, user_id, started_at, deadline_at, submitted_at, submit_reason, move_allowed";

/// Reads an attempt from the first eight columns of `row`, in the order of [`COLUMNS`].
pub(super) fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Attempt> {
    Ok(Attempt {
        id: row.get(0)?,
        exam_id: row.get(1)?,
        user_id: row.get(2)?,
        started_at: row.get::<_, Timestamp>(3)?.time(),
        deadline_at: row.get::<_, Timestamp>(4)?.time(),
        submitted_at: row.get(5)?,
        submit_reason: row.get(6)?,
        move_allowed: row.get(7)?,
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

/// A student's extra time after [`add_extra_time`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExtraTime {
    /// Their extra minutes in all.
    pub minutes: u32,
    /// Of which proctors gave on the exam day.
    pub by_proctors: u32,
}

/// The extra time of `user` at `exam`.
///
/// # Errors
/// Storage errors.
pub fn extra_time(conn: &Connection, exam: ExamId, user: UserId) -> Result<ExtraTime, StoreError> {
    Ok(conn
        .query_row(
            "SELECT minutes, by_proctors FROM extra_time WHERE exam_id = ?1 AND user_id = ?2",
            params![exam, user],
            |r| Ok(ExtraTime { minutes: r.get(0)?, by_proctors: r.get(1)? }),
        )
        .optional()?
        .unwrap_or(ExtraTime { minutes: 0, by_proctors: 0 }))
}

/// Adds `minutes` to `user`'s extra time (counted as a proctor's when
/// `by_proctor`), keeping their accommodation's label, and moves a running
/// attempt's deadline at once.
///
/// # Errors
/// Storage errors (the table bounds the total to a day).
pub fn add_extra_time(
    conn: &Connection,
    exam: ExamId,
    user: UserId,
    minutes: u32,
    by_proctor: bool,
    now: OffsetDateTime,
) -> Result<ExtraTime, StoreError> {
    let by_proctors = if by_proctor { minutes } else { 0 };
    conn.execute(
        "INSERT INTO extra_time (exam_id, user_id, minutes, label, granted_at, by_proctors) VALUES (?1, ?2, ?3, '', ?4, ?5)
         ON CONFLICT (exam_id, user_id) DO UPDATE SET minutes = minutes + excluded.minutes,
             by_proctors = by_proctors + excluded.by_proctors, granted_at = excluded.granted_at",
        params![exam, user, minutes, rfc3339(now), by_proctors],
    )?;
    recompute_deadlines(conn, exam, Some(user))?;
    extra_time(conn, exam, user)
}

/// Sets the deadline of running attempts at `exam` (of `user` only, when
/// given) to start + duration + extra time, never past the exam's close:
/// after extra time is granted, the window is extended, or the exam closes
/// early. A reopened attempt keeps at least the time it was reopened until.
///
/// # Errors
/// Storage errors.
pub fn recompute_deadlines(conn: &Connection, exam: ExamId, user: Option<UserId>) -> Result<usize, StoreError> {
    // Stored times have one fixed width (`Timestamp`), and so does `due`:
    // comparing the text compares the times.
    Ok(conn.execute(
        "UPDATE exam_sessions SET deadline_at = (
             SELECT max(CASE WHEN t.due <= t.closes_at THEN t.due ELSE t.closes_at END, t.reopened_until)
             FROM (SELECT strftime('%Y-%m-%dT%H:%M:%fZ', exam_sessions.started_at, '+' || (
                          e.duration_minutes
                          + coalesce((SELECT minutes FROM extra_time x WHERE x.exam_id = e.id AND x.user_id = exam_sessions.user_id), 0)
                      ) || ' minutes') AS due,
                          e.closes_at AS closes_at,
                          coalesce(exam_sessions.reopened_until, '') AS reopened_until
                   FROM exams e WHERE e.id = ?1) t)
         WHERE exam_id = ?1 AND submitted_at IS NULL AND (?2 IS NULL OR user_id = ?2)",
        params![exam, user],
    )?)
}

/// Exam `id`, whatever its course (for the student's side, where scope is
/// the student's sections, checked by the caller).
///
/// # Errors
/// Storage errors.
pub fn exam_of(conn: &Connection, id: ExamId, now: OffsetDateTime) -> Result<Option<Exam>, StoreError> {
    let course: Option<crate::domain::CourseId> =
        conn.query_row("SELECT course_id FROM exams WHERE id = ?1", [id], |r| r.get(0)).optional()?;
    match course {
        Some(course) => super::exams::get(conn, course, id, now),
        None => Ok(None),
    }
}

/// The attempt of `user` at `exam`, if started.
///
/// # Errors
/// Storage errors.
pub fn find(conn: &Connection, exam: ExamId, user: UserId) -> Result<Option<Attempt>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM exam_sessions WHERE exam_id = ?1 AND user_id = ?2");
    Ok(conn.prepare_cached(&sql)?.query_row(params![exam, user], from_row).optional()?)
}

/// The attempt `id` at `exam`, if it exists.
///
/// # Errors
/// Storage errors.
pub fn by_id(conn: &Connection, exam: ExamId, id: AttemptId) -> Result<Option<Attempt>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM exam_sessions WHERE exam_id = ?1 AND id = ?2");
    Ok(conn.prepare_cached(&sql)?.query_row(params![exam, id], from_row).optional()?)
}

/// The attempt of `user` at `exam`, if started, and whether `secret` is its
/// current binding's secret, in one read: the save path asks both on every batch.
///
/// # Errors
/// Storage errors.
pub fn find_unlocking(
    conn: &Connection,
    exam: ExamId,
    user: UserId,
    secret: &str,
) -> Result<Option<(Attempt, bool)>, StoreError> {
    let sql = format!("SELECT {COLUMNS}, secret_hash = ?3 FROM exam_sessions WHERE exam_id = ?1 AND user_id = ?2");
    let digest = token::digest(secret);
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(params![exam, user, digest], |row| Ok((from_row(row)?, row.get(8)?)))
        .optional()?)
}

/// What ties an attempt to one browser: the secret it sends with every
/// call, the sequence number its next item must carry, and the chain up to
/// the item before (so a browser that takes an attempt over continues the
/// chain where the server stands).
#[derive(Debug, Clone)]
pub struct Binding {
    /// Shown once, to the browser it binds.
    pub secret: String,
    /// The sequence number of the browser's first item.
    pub next_seq: i64,
    /// The chain up to `next_seq - 1`, lowercase hex.
    pub chain: String,
}

/// Where the server's log of an attempt stands.
#[derive(Debug, Clone, Copy)]
pub struct LogState {
    /// Every item up to this sequence number is durable.
    pub acked_seq: i64,
    /// The chain over them.
    pub chain: ChainHash,
    /// What the attempt stores, in bytes (its log and the items set aside).
    pub stored_bytes: u64,
}

/// The server's log state of attempt `id`.
///
/// # Errors
/// Storage errors; [`StoreError::NotFound`] for an unknown attempt.
pub fn log_state(conn: &Connection, id: AttemptId) -> Result<LogState, StoreError> {
    let (acked_seq, chain, stored_bytes): (i64, Option<Vec<u8>>, i64) = conn
        .prepare_cached("SELECT acked_seq, chain, stored_bytes FROM exam_sessions WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?
        .ok_or_else(|| StoreError::NotFound("attempt".to_owned()))?;
    let stored_bytes = u64::try_from(stored_bytes).unwrap_or(0);
    Ok(LogState { acked_seq, chain: chain_or_start(chain, id), stored_bytes })
}

/// A stored chain value, or the attempt's chain start where none is stored.
pub(super) fn chain_or_start(stored: Option<Vec<u8>>, id: AttemptId) -> ChainHash {
    stored.and_then(|bytes| bytes.try_into().ok()).unwrap_or_else(|| chain_start(id))
}

/// Starts `user`'s attempt; returns it with its binding (shown once).
///
/// # Errors
/// [`StoreError::WrongState`] when an attempt exists (a second device).
pub fn start(
    conn: &Connection,
    exam: &Exam,
    user: UserId,
    now: OffsetDateTime,
) -> Result<(Attempt, Binding), StoreError> {
    if find(conn, exam.id, user)?.is_some() {
        return Err(StoreError::WrongState("this exam was already started".to_owned()));
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
        move_allowed: false,
    };
    conn.execute(
        "INSERT INTO exam_sessions (id, exam_id, user_id, secret_hash, started_at, deadline_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![attempt.id, exam.id, user, token::digest(&secret), rfc3339(now), rfc3339(deadline_at)],
    )?;
    let binding = Binding { secret, next_seq: 1, chain: hex::encode(chain_start(attempt.id)) };
    Ok((attempt, binding))
}

/// Binds `attempt` to a new browser: the old binding stops working at once,
/// and the new one continues the sequence and the chain where the server
/// stands, so none of the new browser's items is taken for a duplicate.
/// The caller has checked that the move is allowed: staff allowed it
/// ([`allow_move`]) or the student typed a move code ([`move_codes`]).
///
/// # Errors
/// Storage errors.
pub fn rebind(conn: &Connection, attempt: &Attempt) -> Result<Binding, StoreError> {
    let state = log_state(conn, attempt.id)?;
    let secret = token::generate();
    conn.execute(
        "UPDATE exam_sessions SET secret_hash = ?2, binding_seq = ?3, move_allowed = 0 WHERE id = ?1",
        params![attempt.id, token::digest(&secret), state.acked_seq + 1],
    )?;
    Ok(Binding { secret, next_seq: state.acked_seq + 1, chain: hex::encode(state.chain) })
}

/// Reopens a submitted attempt until `until`: not submitted any more, its
/// deadline `until` (or later, with extra time), and the student's next
/// browser may take it over (the one they submitted from forgot it).
/// Returns false when it is not submitted.
///
/// # Errors
/// [`StoreError::WrongState`] when changes arrived after its deadline: their
/// sequence would meet the reopened log's, so they are settled first.
pub fn reopen(conn: &Connection, attempt: AttemptId, until: OffsetDateTime) -> Result<bool, StoreError> {
    let late: i64 = conn.query_row("SELECT count(*) FROM late_items WHERE session_id = ?1", [attempt], |r| r.get(0))?;
    if late > 0 {
        return Err(StoreError::WrongState(
            "changes of this attempt arrived after its deadline and are kept beside it as evidence; \
             reopening would mix new work with them, so this attempt cannot be reopened"
                .to_owned(),
        ));
    }
    Ok(conn.execute(
        "UPDATE exam_sessions SET submitted_at = NULL, submit_reason = NULL, deadline_at = ?2, reopened_until = ?2,
             move_allowed = 1
         WHERE id = ?1 AND submitted_at IS NOT NULL",
        params![attempt, rfc3339(until)],
    )? == 1)
}

/// Lets the next browser that opens `attempt` take it over (a proctor moved
/// the student to another computer; a candidate's link was issued again).
/// Returns false when the attempt is already submitted.
///
/// # Errors
/// Storage errors.
pub fn allow_move(conn: &Connection, attempt: AttemptId) -> Result<bool, StoreError> {
    Ok(conn.execute("UPDATE exam_sessions SET move_allowed = 1 WHERE id = ?1 AND submitted_at IS NULL", [attempt])?
        == 1)
}

/// The background sweep: freezes every attempt past its deadline and ends
/// the wait of late items whose window has closed. Returns the attempts submitted.
///
/// # Errors
/// Storage errors.
pub fn sweep(conn: &Connection, now: OffsetDateTime, late_window: time::Duration) -> Result<Vec<Attempt>, StoreError> {
    let submitted = submissions::submit_overdue(conn, now)?;
    late::refuse_incomplete(conn, now - late_window)?;
    Ok(submitted)
}

/// Whether an attempt at `exam` is past its deadline and not yet submitted.
///
/// # Errors
/// Storage errors.
pub fn any_overdue(conn: &Connection, exam: ExamId, now: OffsetDateTime) -> Result<bool, StoreError> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM exam_sessions
                        WHERE exam_id = ?1 AND submitted_at IS NULL AND deadline_at < ?2)",
        params![exam, rfc3339(now)],
        |r| r.get(0),
    )?)
}

/// The latest code of each question of `exam` in the attempt (starter code,
/// with the editor's line breaks, where nothing was typed).
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
        .map(|(id, question)| (*id, typed.remove(id).unwrap_or_else(|| normalise_line_breaks(&question.starter_code))))
        .collect()
}
