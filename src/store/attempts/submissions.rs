//! Frozen submissions. At submission (by the student or at the deadline)
//! the answers, the log sequence they correspond to and the receipt are
//! stored once; the database refuses to change or delete them. Applying late
//! items, or reopening an attempt, makes a *new* submission whose receipt
//! names the one it replaces.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, params};
use time::OffsetDateTime;

use super::{Attempt, answers, log_state};
use crate::clock::rfc3339;
use crate::domain::autosave::MAX_ANSWER_UNITS;
use crate::domain::changeset::within_utf16_len;
use crate::domain::receipt::{self, Receipt, ReceiptExam, ReceiptLine, ReceiptStudent, SubmissionReason};
use crate::domain::save_item::{ItemBody, SaveItem};
use crate::domain::{AttemptId, QuestionId, UserId};
use crate::store::StoreError;
use crate::store::audit::{self, Actor, AuditEvent};
use crate::store::exams::Exam;

/// How a submission is made.
#[derive(Debug, Clone, Copy)]
pub struct Freeze {
    /// Why.
    pub reason: SubmissionReason,
    /// The time it records (the deadline for a submission at the deadline).
    pub at: OffsetDateTime,
    /// The staff member who made it, for late items applied or a reopened attempt.
    pub made_by: Option<UserId>,
}

impl Freeze {
    /// The attempt's first submission, by the student or at the deadline.
    #[must_use]
    pub fn first(reason: SubmissionReason, at: OffsetDateTime) -> Self {
        Self { reason, at, made_by: None }
    }
}

/// A stored receipt: the document's exact text and its SHA-256.
#[derive(Debug, Clone)]
pub struct StoredReceipt {
    /// The receipt.
    pub receipt: Receipt,
    /// The exact text stored and served.
    pub text: String,
    /// SHA-256 of `text`, lowercase hex.
    pub sha256: String,
}

/// Freezes the attempt's current answers as its first submission. Does
/// nothing (and returns the existing receipt) when it is already submitted.
/// A submission at the deadline is audited here, by the system, wherever it
/// is noticed (the sweep, or the next request); a student's own submission
/// is audited by the request that makes it.
///
/// # Errors
/// Storage errors.
pub fn freeze(conn: &Connection, attempt: &Attempt, exam: &Exam, how: Freeze) -> Result<StoredReceipt, StoreError> {
    let previous = latest(conn, attempt.id)?;
    let submitted: bool =
        conn.query_row("SELECT submitted_at IS NOT NULL FROM exam_sessions WHERE id = ?1", [attempt.id], |r| r.get(0))?;
    if let (Some(existing), true) = (&previous, submitted) {
        return Ok(existing.clone());
    }
    // Submitted before and not now: an instructor reopened it, and this is
    // its next submission, naming the one it follows.
    let receipt_how = if previous.is_some() { Freeze { reason: SubmissionReason::Reopened, ..how } } else { how };
    let codes = answers(conn, attempt.id, exam)?;
    let log_seq = log_state(conn, attempt.id)?.acked_seq;
    let stored = store(conn, attempt, exam, receipt_how, &codes, log_seq, previous.as_ref().map(|p| &p.receipt))?;
    if how.reason == SubmissionReason::Deadline {
        let hashes: Vec<_> = stored.receipt.answers.iter().map(|a| a.sha256.clone()).collect();
        let event = AuditEvent::by(&Actor::system(), "attempt.submit")
            .target(attempt.id.to_string())
            .details(serde_json::json!({ "reason": "deadline", "sha256": hashes, "receipt_sha256": stored.sha256 }));
        audit::append(conn, &event, how.at)?;
    }
    conn.execute(
        "UPDATE exam_sessions SET submitted_at = ?2, submit_reason = ?3, move_allowed = 0 WHERE id = ?1 AND submitted_at IS NULL",
        params![attempt.id, rfc3339(how.at), if how.reason == SubmissionReason::Student { "student" } else { "deadline" }],
    )?;
    Ok(stored)
}

fn store(
    conn: &Connection,
    attempt: &Attempt,
    exam: &Exam,
    how: Freeze,
    codes: &[(QuestionId, String)],
    log_seq: i64,
    previous: Option<&Receipt>,
) -> Result<StoredReceipt, StoreError> {
    let email: String = conn.query_row("SELECT email FROM users WHERE id = ?1", [attempt.user_id], |r| r.get(0))?;
    let id = uuid::Uuid::now_v7().to_string();
    let lines = codes
        .iter()
        .zip(&exam.spec.questions)
        .map(|((question_id, code), question)| ReceiptLine {
            question_id: *question_id,
            title: question.title.clone(),
            sha256: receipt::sha256_hex(code),
        })
        .collect();
    let receipt = Receipt {
        format: receipt::FORMAT.to_owned(),
        submission_id: id.clone(),
        number: previous.map_or(1, |p| p.number + 1),
        previous_submission_id: previous.map(|p| p.submission_id.clone()),
        reason: how.reason,
        exam: ReceiptExam { id: exam.id, title: exam.spec.title.clone() },
        student: ReceiptStudent { id: attempt.user_id, email },
        attempt_id: attempt.id,
        submitted_at: rfc3339(how.at),
        log_seq,
        answers: lines,
    };
    let text = receipt.to_text();
    let sha256 = receipt::sha256_hex(&text);
    conn.execute(
        "INSERT INTO submissions (id, session_id, number, reason, submitted_at, log_seq, receipt, receipt_sha256, previous_id, made_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            id,
            attempt.id,
            receipt.number,
            how.reason.as_str(),
            receipt.submitted_at,
            log_seq,
            text,
            sha256,
            receipt.previous_submission_id,
            how.made_by
        ],
    )?;
    let mut answer =
        conn.prepare_cached("INSERT INTO submission_answers (submission_id, question_id, code) VALUES (?1, ?2, ?3)")?;
    for (question, code) in codes {
        answer.execute(params![id, question, code])?;
    }
    Ok(StoredReceipt { receipt, text, sha256 })
}

fn from_text(text: String, sha256: String) -> rusqlite::Result<StoredReceipt> {
    let receipt = serde_json::from_str(&text)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))?;
    Ok(StoredReceipt { receipt, text, sha256 })
}

/// The attempt's latest submission's receipt, if submitted.
///
/// # Errors
/// Storage errors.
pub fn latest(conn: &Connection, id: AttemptId) -> Result<Option<StoredReceipt>, StoreError> {
    let row: Option<(String, String)> = conn
        .query_row(
            "SELECT receipt, receipt_sha256 FROM submissions WHERE session_id = ?1 ORDER BY number DESC LIMIT 1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(row.map(|(text, sha)| from_text(text, sha)).transpose()?)
}

/// A first submission as its saved history must explain it.
#[derive(Debug, Clone)]
pub struct Frozen {
    /// The log sequence number it was frozen at.
    pub log_seq: i64,
    /// Each question's code.
    pub codes: HashMap<QuestionId, String>,
}

/// The attempt's first submission, the one its saved history must explain.
///
/// # Errors
/// Storage errors.
pub fn first_frozen(conn: &Connection, id: AttemptId) -> Result<Option<Frozen>, StoreError> {
    let first: Option<(String, i64)> = conn
        .query_row("SELECT id, log_seq FROM submissions WHERE session_id = ?1 AND number = 1", [id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let Some((submission, log_seq)) = first else { return Ok(None) };
    Ok(Some(Frozen { log_seq, codes: codes(conn, &submission)? }))
}

/// The condition that keeps, of the rows `s` of `submissions`, the latest of each attempt.
pub(crate) const LATEST_OF_ATTEMPT: &str =
    "s.number = (SELECT max(number) FROM submissions t WHERE t.session_id = s.session_id)";

/// The code of each answer of submission `id` (its identifier's text), by question.
///
/// # Errors
/// Storage errors.
pub fn codes(conn: &Connection, id: &dyn rusqlite::ToSql) -> Result<HashMap<QuestionId, String>, StoreError> {
    let mut statement =
        conn.prepare_cached("SELECT question_id, code FROM submission_answers WHERE submission_id = ?1")?;
    let rows = statement.query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Every submission's receipt of the attempt, oldest first.
///
/// # Errors
/// Storage errors.
pub fn history(conn: &Connection, id: AttemptId) -> Result<Vec<StoredReceipt>, StoreError> {
    let mut statement =
        conn.prepare_cached("SELECT receipt, receipt_sha256 FROM submissions WHERE session_id = ?1 ORDER BY number")?;
    let rows = statement.query_map([id], |r| from_text(r.get(0)?, r.get(1)?))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The latest receipt of every submitted attempt at `exam`, by attempt.
///
/// # Errors
/// Storage errors.
pub fn latest_of_exam(conn: &Connection, exam: &Exam) -> Result<HashMap<AttemptId, StoredReceipt>, StoreError> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT s.session_id, s.receipt, s.receipt_sha256 FROM submissions s
         JOIN exam_sessions a ON a.id = s.session_id
         WHERE a.exam_id = ?1 AND {LATEST_OF_ATTEMPT}"
    ))?;
    let rows = statement.query_map([exam.id], |r| Ok((r.get(0)?, from_text(r.get(1)?, r.get(2)?)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Applies the attempt's accepted late items to its latest submission and
/// freezes the result as a new submission (an instructor decided so).
/// Returns `None` when there is nothing to apply.
///
/// # Errors
/// Storage errors; [`StoreError::WrongState`] when the attempt was never submitted.
pub fn apply_late_items(
    conn: &Connection,
    attempt: &Attempt,
    exam: &Exam,
    by: UserId,
    now: OffsetDateTime,
) -> Result<Option<StoredReceipt>, StoreError> {
    let previous = latest(conn, attempt.id)?
        .ok_or_else(|| StoreError::WrongState("the attempt is not submitted yet".to_owned()))?;
    let mut statement = conn
        .prepare_cached("SELECT payload FROM late_items WHERE session_id = ?1 AND status = 'accepted' ORDER BY seq")?;
    let payloads = statement.query_map([attempt.id], |r| r.get::<_, String>(0))?.collect::<Result<Vec<_>, _>>()?;
    if payloads.is_empty() {
        return Ok(None);
    }
    let mut codes = codes(conn, &previous.receipt.submission_id)?;
    let mut log_seq = previous.receipt.log_seq;
    for payload in &payloads {
        // Stored items were checked on arrival; one that no longer parses
        // (the exam's questions changed since) is left out, not guessed at.
        let Ok(item) = SaveItem::parse(payload, &exam.question_ids) else { continue };
        log_seq = log_seq.max(item.seq);
        let Some(question) = item.question_id else { continue };
        let Some(code) = codes.get_mut(&question) else { continue };
        match item.body {
            ItemBody::Edit(changes) => {
                if let Some(next) = changes.apply(code).ok().filter(|next| within_utf16_len(next, MAX_ANSWER_UNITS)) {
                    *code = next;
                }
            }
            ItemBody::Snapshot(snapshot) => *code = snapshot,
            ItemBody::Event(_) => {}
        }
    }
    let ordered: Vec<_> = exam.question_ids.iter().map(|id| (*id, codes.remove(id).unwrap_or_default())).collect();
    let how = Freeze { reason: SubmissionReason::LateItems, at: now, made_by: Some(by) };
    let stored = store(conn, attempt, exam, how, &ordered, log_seq, Some(&previous.receipt))?;
    conn.execute(
        "UPDATE late_items SET status = 'applied' WHERE session_id = ?1 AND status = 'accepted'",
        [attempt.id],
    )?;
    Ok(Some(stored))
}

/// Submits every attempt whose deadline has passed, as it stood at the
/// deadline; returns them as they were before. Reading an attempt does the same lazily, so
/// this only makes the record current for people who are not looking.
///
/// # Errors
/// Storage errors.
pub fn submit_overdue(conn: &Connection, now: OffsetDateTime) -> Result<Vec<super::Attempt>, StoreError> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {} FROM exam_sessions WHERE submitted_at IS NULL AND deadline_at < ?1",
        super::COLUMNS
    ))?;
    let overdue = statement.query_map([rfc3339(now)], super::from_row)?.collect::<Result<Vec<_>, _>>()?;
    let mut exams: HashMap<crate::domain::ExamId, Option<Exam>> = HashMap::new();
    let mut submitted = Vec::new();
    for attempt in overdue {
        let exam = match exams.entry(attempt.exam_id) {
            std::collections::hash_map::Entry::Occupied(known) => known.get().clone(),
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(super::exam_of(conn, attempt.exam_id, now)?).clone()
            }
        };
        let Some(exam) = exam else { continue };
        freeze(conn, &attempt, &exam, Freeze::first(SubmissionReason::Deadline, attempt.deadline_at))?;
        submitted.push(attempt);
    }
    Ok(submitted)
}

/// Freezes every attempt submitted before submissions were frozen (a
/// database from an earlier version): its answers as they stand, at the time
/// and for the reason it was submitted. A step of the upgrade that adds them.
///
/// # Errors
/// Storage errors.
pub fn freeze_submitted(conn: &Connection) -> Result<(), StoreError> {
    let mut statement = conn.prepare(&format!(
        "SELECT {} FROM exam_sessions s WHERE submitted_at IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM submissions t WHERE t.session_id = s.id)",
        super::COLUMNS
    ))?;
    let submitted = statement.query_map([], super::from_row)?.collect::<Result<Vec<_>, _>>()?;
    for attempt in submitted {
        let at = attempt.submitted_at.map_or(attempt.deadline_at, crate::domain::Timestamp::time);
        let Some(exam) = super::exam_of(conn, attempt.exam_id, at)? else { continue };
        let reason =
            if attempt.submitted_by_student() { SubmissionReason::Student } else { SubmissionReason::Deadline };
        let codes = answers(conn, attempt.id, &exam)?;
        let log_seq = log_state(conn, attempt.id)?.acked_seq;
        store(conn, &attempt, &exam, Freeze::first(reason, at), &codes, log_seq, None)?;
    }
    Ok(())
}
