//! Attempts, their bindings, saves and late items. The student's own user
//! id never travels with an attempt: the caller knows whose it is.

use serde::Serialize;

use crate::domain::autosave::LogKind;
use crate::domain::{AttemptId, ExamId, QuestionId, Timestamp};
use crate::store::attempts::{self, late, log as batch};

/// An attempt: when it started, its deadline and how it ended.
#[derive(Serialize)]
pub struct Attempt {
    id: AttemptId,
    exam_id: ExamId,
    started_at: Timestamp,
    /// Start + duration + extra time, never past the exam's close.
    deadline_at: Timestamp,
    submitted_at: Option<Timestamp>,
    /// `student`, or `deadline` when the server submitted it.
    submit_reason: Option<String>,
    /// Staff allowed another browser to take the attempt over.
    move_allowed: bool,
}

impl From<attempts::Attempt> for Attempt {
    fn from(attempt: attempts::Attempt) -> Self {
        Self {
            id: attempt.id,
            exam_id: attempt.exam_id,
            started_at: Timestamp::from_time(attempt.started_at),
            deadline_at: Timestamp::from_time(attempt.deadline_at),
            submitted_at: attempt.submitted_at,
            submit_reason: attempt.submit_reason,
            move_allowed: attempt.move_allowed,
        }
    }
}

/// What binds one browser to an attempt: shown once, to that browser.
#[derive(Serialize)]
pub struct Binding {
    secret: String,
    /// The sequence number of the browser's first item.
    next_seq: i64,
    /// The chain up to `next_seq - 1`, lowercase hex.
    chain: String,
}

impl From<attempts::Binding> for Binding {
    fn from(binding: attempts::Binding) -> Self {
        Self { secret: binding.secret, next_seq: binding.next_seq, chain: binding.chain }
    }
}

/// An attempt's items after the deadline, by what became of them.
#[derive(Serialize)]
pub struct LateCounts {
    accepted: u32,
    pending: u32,
    refused: u32,
    applied: u32,
}

impl From<batch::LateCounts> for LateCounts {
    fn from(counts: batch::LateCounts) -> Self {
        Self { accepted: counts.accepted, pending: counts.pending, refused: counts.refused, applied: counts.applied }
    }
}

/// What the server did with a batch of the student's queue.
#[derive(Serialize)]
pub struct SaveOutcome {
    /// Every item up to this sequence number is in the log and the answers.
    acked_seq: i64,
    /// Every item up to this sequence number has been dealt with: the client may forget them.
    processed_seq: i64,
    /// `open` while saves count; `closed` after the deadline or the submission.
    phase: &'static str,
    late: LateCounts,
}

impl From<batch::SaveOutcome> for SaveOutcome {
    fn from(outcome: batch::SaveOutcome) -> Self {
        Self {
            acked_seq: outcome.acked_seq,
            processed_seq: outcome.processed_seq,
            phase: outcome.phase,
            late: outcome.late.into(),
        }
    }
}

/// An item that arrived after the deadline, and what became of it.
#[derive(Serialize)]
pub struct LateItem {
    seq: i64,
    kind: LogKind,
    question_id: Option<QuestionId>,
    /// The client's estimate of when it was made: not evidence.
    client_at: Timestamp,
    server_at: Timestamp,
    /// `pending`, `accepted`, `refused` or `applied`.
    status: String,
    reason: Option<String>,
}

impl From<late::LateItem> for LateItem {
    fn from(item: late::LateItem) -> Self {
        Self {
            seq: item.seq,
            kind: item.kind,
            question_id: item.question_id,
            client_at: item.client_at,
            server_at: item.server_at,
            status: item.status,
            reason: item.reason,
        }
    }
}
