//! Saving a batch of a student's queue. Before the deadline, items go into
//! the durable log and the answers: the server applies each edit's change
//! set to its own copy of the code and checks it against the client's
//! snapshots. After it, they go to [`super::late`]. Either way the log stays
//! contiguous: the server refuses a batch that leaves a gap, instead of
//! storing items it could never acknowledge.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, params};
use time::OffsetDateTime;

pub use super::batch::{LateCounts, Refusal, SaveOutcome, SaveRules};
use super::batch::{admissible, bytes_of};
use super::submissions::{self, Freeze};
use super::{Attempt, LogState, late, log_state};
use crate::clock::rfc3339;
use crate::domain::autosave::{self, Commitment, MAX_ANSWER_UNITS, Phase};
use crate::domain::changeset::{normalise_line_breaks, within_utf16_len};
use crate::domain::receipt::SubmissionReason;
use crate::domain::save_item::{ItemBody, SaveItem};
use crate::domain::{AttemptId, QuestionId};
use crate::store::StoreError;
use crate::store::exams::Exam;

/// Saves `items` (a batch of the client's queue, in order) and records the
/// client's `commitment`. Freezes the submission first when the deadline passed.
///
/// # Errors
/// Storage errors; a refusal (gap, quota) is `Ok(Err(_))` and stores nothing.
pub fn save(
    conn: &Connection,
    attempt: &Attempt,
    exam: &Exam,
    items: &[SaveItem],
    commitment: Option<Commitment>,
    now: OffsetDateTime,
    rules: SaveRules,
) -> Result<Result<SaveOutcome, Refusal>, StoreError> {
    let attempt = &freeze_if_overdue(conn, attempt, exam, now)?;
    let phase = autosave::phase(
        now,
        attempt.deadline_at,
        attempt.submitted_by_student(),
        attempt.submitted_at.is_some(),
        exam.spec.late_policy,
        rules.late_window,
    );
    match phase {
        Phase::Open => on_time(conn, attempt, exam, items, commitment, now, rules.quota_bytes),
        Phase::Late(rule) => late::stage(conn, attempt, rule, items, now, rules.quota_bytes),
    }
}

/// Submits `attempt` as it stood at its deadline if that has passed; returns it as stored now.
///
/// # Errors
/// Storage errors.
pub fn freeze_if_overdue(
    conn: &Connection,
    attempt: &Attempt,
    exam: &Exam,
    now: OffsetDateTime,
) -> Result<Attempt, StoreError> {
    if attempt.submitted_at.is_some() || now <= attempt.deadline_at {
        return Ok(attempt.clone());
    }
    submissions::freeze(conn, attempt, exam, Freeze::first(SubmissionReason::Deadline, attempt.deadline_at))?;
    super::by_id(conn, exam.id, attempt.id)?.ok_or_else(|| StoreError::NotFound("attempt".to_owned()))
}

fn on_time(
    conn: &Connection,
    attempt: &Attempt,
    exam: &Exam,
    items: &[SaveItem],
    commitment: Option<Commitment>,
    now: OffsetDateTime,
    quota: u64,
) -> Result<Result<SaveOutcome, Refusal>, StoreError> {
    let LogState { acked_seq, mut chain, stored_bytes } = log_state(conn, attempt.id)?;
    let fresh = match admissible(items, acked_seq, stored_bytes, quota) {
        Ok(fresh) => fresh,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let mut codes = Codes::new(conn, attempt.id, exam);
    let server_at = rfc3339(now);
    // Written once for all the batch's rows rather than once per row.
    let session = attempt.id.to_string();
    let mut insert = conn.prepare_cached(
        "INSERT INTO session_log (session_id, seq, kind, question_id, client_at, server_at, late, payload, chain, applied)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7, ?8, ?9)",
    )?;
    for item in fresh {
        chain = autosave::chain_next(&chain, item.raw.as_bytes());
        let applied = match (&item.body, item.question_id) {
            (ItemBody::Edit(changes), Some(question)) => Some(codes.edit(question, item.seq, |code| {
                changes.apply(code).ok().filter(|next| within_utf16_len(next, MAX_ANSWER_UNITS))
            })?),
            (ItemBody::Snapshot(code), Some(question)) => Some(codes.snapshot(question, item.seq, code)?),
            _ => None,
        };
        insert.execute(params![
            session,
            item.seq,
            item.kind.as_str(),
            item.question_id,
            rfc3339(item.client_at),
            server_at,
            item.raw,
            chain.as_slice(),
            applied
        ])?;
    }
    codes.write()?;
    let acked = fresh.last().map_or(acked_seq, |item| item.seq);
    conn.prepare_cached(
        "UPDATE exam_sessions SET acked_seq = ?2, chain = ?3, stored_bytes = stored_bytes + ?4,
                last_saved_at = CASE WHEN ?5 > 0 THEN ?6 ELSE last_saved_at END
         WHERE id = ?1",
    )?
    .execute(params![
        attempt.id,
        acked,
        chain.as_slice(),
        i64::try_from(bytes_of(fresh)).unwrap_or(i64::MAX),
        i64::try_from(fresh.len()).unwrap_or(i64::MAX),
        server_at
    ])?;
    if let Some(commitment) = commitment {
        record_commitment(conn, attempt.id, commitment, now)?;
    }
    let late = LateCounts::default();
    Ok(Ok(SaveOutcome { acked_seq: acked, processed_seq: acked, phase: "open", late, stored: fresh.len() }))
}

/// Keeps the client's commitment if it reaches further than the last one
/// heard; the first word on a sequence number stands (a client cannot
/// change what it said it had queued).
fn record_commitment(
    conn: &Connection,
    id: AttemptId,
    commitment: Commitment,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE exam_sessions SET commit_seq = ?2, commit_hash = ?3, commit_at = ?4
         WHERE id = ?1 AND (commit_seq IS NULL OR commit_seq < ?2)",
    )?
    .execute(params![id, commitment.seq, commitment.hash.as_slice(), rfc3339(now)])?;
    Ok(())
}

/// The server's copy of the answers a batch touches, read once and written once.
struct Codes<'a> {
    conn: &'a Connection,
    attempt: AttemptId,
    exam: &'a Exam,
    touched: HashMap<QuestionId, (String, i64)>,
}

impl<'a> Codes<'a> {
    fn new(conn: &'a Connection, attempt: AttemptId, exam: &'a Exam) -> Self {
        Self { conn, attempt, exam, touched: HashMap::new() }
    }

    fn current(&mut self, question: QuestionId) -> Result<&mut (String, i64), StoreError> {
        if !self.touched.contains_key(&question) {
            let stored: Option<(String, i64)> = self
                .conn
                .prepare_cached("SELECT code, seq FROM answers WHERE session_id = ?1 AND question_id = ?2")?
                .query_row(params![self.attempt, question], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            let code = stored.unwrap_or_else(|| (self.starter(question), 0));
            self.touched.insert(question, code);
        }
        Ok(self.touched.get_mut(&question).expect("inserted above"))
    }

    fn starter(&self, question: QuestionId) -> String {
        let position = self.exam.question_ids.iter().position(|q| *q == question);
        let starter = position.and_then(|at| self.exam.spec.questions.get(at)).map(|q| q.starter_code.as_str());
        normalise_line_breaks(starter.unwrap_or_default())
    }

    /// Applies an edit; returns whether it applied (it stays in the log either way).
    fn edit(
        &mut self,
        question: QuestionId,
        seq: i64,
        apply: impl FnOnce(&str) -> Option<String>,
    ) -> Result<bool, StoreError> {
        let current = self.current(question)?;
        match apply(&current.0) {
            Some(next) => {
                *current = (next, seq);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Takes a snapshot as the code (the student saw it); returns whether it
    /// matched the server's rebuild. A mismatch stays visible in the log.
    fn snapshot(&mut self, question: QuestionId, seq: i64, code: &str) -> Result<bool, StoreError> {
        let current = self.current(question)?;
        let matched = current.0 == code;
        *current = (code.to_owned(), seq);
        Ok(matched)
    }

    fn write(self) -> Result<(), StoreError> {
        let mut upsert = self.conn.prepare_cached(
            "INSERT INTO answers (session_id, question_id, code, seq) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (session_id, question_id) DO UPDATE SET code = excluded.code, seq = excluded.seq",
        )?;
        for (question, (code, seq)) in self.touched {
            if seq > 0 {
                upsert.execute(params![self.attempt, question, code, seq])?;
            }
        }
        Ok(())
    }
}

/// One item of an attempt's log, as stored and typed.
#[derive(Debug, Clone)]
pub struct LoggedItem {
    /// The item as the client sent it, parsed: its sequence number, kind,
    /// question, the client's clock (shown, never evidence) and details.
    pub item: SaveItem,
    /// The server's clock when it arrived.
    pub server_at: crate::domain::Timestamp,
    /// For an edit or a snapshot: whether the server's rebuild matched.
    pub applied: Option<bool>,
}

/// Every item of attempt `id`'s log before the deadline, in order, typed
/// (the questions are `exam`'s). An item that no longer reads (its question
/// was removed from the exam) is left out and counted in the second value.
///
/// # Errors
/// Storage errors.
pub fn items(conn: &Connection, id: AttemptId, exam: &Exam) -> Result<(Vec<LoggedItem>, usize), StoreError> {
    let mut statement =
        conn.prepare_cached("SELECT server_at, applied, payload FROM session_log WHERE session_id = ?1 ORDER BY seq")?;
    let rows = statement.query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get::<_, String>(2)?)))?;
    let (mut items, mut unreadable) = (Vec::new(), 0);
    for row in rows {
        let (server_at, applied, payload) = row?;
        match SaveItem::parse(&payload, &exam.question_ids) {
            Ok(item) => items.push(LoggedItem { item, server_at, applied }),
            Err(_) => unreadable += 1,
        }
    }
    Ok((items, unreadable))
}
