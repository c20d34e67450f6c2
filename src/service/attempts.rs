//! A student's attempt: start (or take it over on another computer, once
//! staff allowed it), unlock with the binding's secret, save, submit and
//! the receipt; and what the student's pages read.
//!
//! Every write that changes an attempt publishes its notice after the
//! commit: [`ExamEvent::AttemptStarted`], [`ExamEvent::AttemptMoved`],
//! [`ExamEvent::Saved`] (once per batch that stored items) and
//! [`ExamEvent::Submitted`] (the first submission, by the student or at the
//! deadline when a request finds it passed).

use time::OffsetDateTime;

use super::{ExamTaker, ServiceError};
use crate::domain::autosave::Commitment;
use crate::domain::receipt::SubmissionReason;
use crate::domain::save_item::SaveItem;
use crate::domain::{AttemptId, CourseId, ExamId, QuestionId, SectionId};
use crate::notices::{ExamEvent, Notice};
use crate::state::AppState;
use crate::store::attempts::log::{self, Refusal, SaveOutcome};
use crate::store::attempts::move_codes::{self, Redeemed};
use crate::store::attempts::submissions::{self, StoredReceipt};
use crate::store::attempts::{self, Attempt, Binding, LogState};
use crate::store::audit::{self, Outcome};
use crate::store::courses::{self, CourseName};
use crate::store::exams::{Exam, Phase};
use crate::store::{Database, StoreError};

/// Whether a student of `sections` (a candidate of `candidate_of`, if a
/// candidate) may see and take `exam`: the one rule of a student's scope.
#[must_use]
pub fn may_take(exam: &Exam, sections: &[SectionId], candidate_of: Option<ExamId>) -> bool {
    exam.phase != Phase::Draft
        && exam.spec.section_ids.iter().any(|s| sections.contains(s))
        && candidate_of.is_none_or(|only| only == exam.id)
}

/// The exam `id` if a student of `sections` may take it.
///
/// # Errors
/// Storage errors.
pub async fn exam_to_take(
    state: &AppState,
    db: &Database,
    id: ExamId,
    sections: Vec<SectionId>,
    candidate_of: Option<ExamId>,
) -> Result<Option<Exam>, StoreError> {
    let now = state.clock().now();
    let exam = db.read(move |conn| attempts::exam_of(conn, id, now)).await?;
    Ok(exam.filter(|exam| may_take(exam, &sections, candidate_of)))
}

/// An exam on a student's list, with their extra time and attempt.
pub struct Listed {
    /// The exam.
    pub exam: Exam,
    /// Its course's code and title.
    pub course: CourseName,
    /// Extra minutes granted to the student.
    pub extra_minutes: u32,
    /// Their attempt, if they started.
    pub attempt: Option<Attempt>,
}

/// The exams a student of `sections` may take, with their attempts.
///
/// # Errors
/// Storage errors.
pub async fn list(
    state: &AppState,
    db: &Database,
    student: crate::domain::UserId,
    sections: Vec<SectionId>,
    candidate_of: Option<ExamId>,
) -> Result<Vec<Listed>, StoreError> {
    let now = state.clock().now();
    db.read(move |conn| {
        let published = crate::store::exams::published_for_sections(conn, &sections, now)?;
        let takeable = published.into_iter().filter(|exam| may_take(exam, &sections, candidate_of));
        takeable
            .map(|exam| {
                let course = course_name_of(conn, exam.id, exam.course_id)?;
                let extra_minutes = attempts::extra_minutes(conn, exam.id, student)?;
                let attempt = attempts::find(conn, exam.id, student)?;
                Ok(Listed { exam, course, extra_minutes, attempt })
            })
            .collect()
    })
    .await
}

/// The exam's course, and the student's extra minutes and attempt at it.
///
/// # Errors
/// Storage errors.
pub async fn standing(taker: &ExamTaker) -> Result<(CourseName, u32, Option<Attempt>), StoreError> {
    let (exam, course, user) = (taker.exam.id, taker.exam.course_id, taker.student);
    taker
        .db
        .read(move |conn| {
            let course = course_name_of(conn, exam, course)?;
            Ok((course, attempts::extra_minutes(conn, exam, user)?, attempts::find(conn, exam, user)?))
        })
        .await
}

/// The code and title of `exam`'s course (a foreign key: every exam has one).
fn course_name_of(conn: &rusqlite::Connection, exam: ExamId, course: CourseId) -> Result<CourseName, StoreError> {
    courses::course_name(conn, course)?.ok_or_else(|| StoreError::NotFound(format!("course of exam {exam}")))
}

/// The attempt's latest answers and where its log stands.
///
/// # Errors
/// Storage errors.
pub async fn progress(
    taker: &ExamTaker,
    attempt: &Attempt,
) -> Result<(Vec<(QuestionId, String)>, LogState), StoreError> {
    let (exam, id) = (taker.exam.clone(), attempt.id);
    taker.db.read(move |conn| Ok((attempts::answers(conn, id, &exam)?, attempts::log_state(conn, id)?))).await
}

/// Starts the attempt and binds the caller's browser to it; or, when staff
/// allowed the attempt to move (a reissued candidate link) or the student
/// typed the move code staff issued, binds this browser instead of the old one.
///
/// # Errors
/// [`StoreError::WrongState`] when the exam is not open, the attempt is
/// submitted, or it is bound to another browser and may not move.
pub async fn start(
    state: &AppState,
    taker: &ExamTaker,
    move_code: Option<String>,
) -> Result<(Attempt, Binding), ServiceError> {
    let now = state.clock().now();
    let open = taker.exam.phase == Phase::Open;
    let (exam, user) = (taker.exam.clone(), taker.student);
    let event = taker.actor.event("attempt.start").target(exam.id.to_string());
    let refused = event.clone();
    let bound = taker
        .db
        .write(move |conn| {
            let Some(existing) = attempts::find(conn, exam.id, user)? else {
                // Only a new attempt needs the exam open: a running one (a
                // reopened attempt, extra time past the close) may move.
                if !open {
                    return Err(StoreError::WrongState("the exam is not open".to_owned()));
                }
                let (attempt, binding) = attempts::start(conn, &exam, user, now)?;
                audit::append(conn, &event, now)?;
                return Ok(Bound::Started(attempt, binding));
            };
            let frozen = log::freeze_if_overdue(conn, &existing, &exam, now)?;
            if frozen.submitted_at.is_some() {
                let newly = existing.submitted_at.is_none();
                return Ok(Bound::Submitted { at_deadline: newly.then_some(frozen) });
            }
            let existing = frozen;
            let code_issued_by = match (&move_code, existing.move_allowed) {
                (_, true) => None,
                (Some(code), false) => match move_codes::redeem(conn, existing.id, code, now)? {
                    Redeemed::Accepted { issued_by } => Some(issued_by),
                    Redeemed::Refused => return Ok(Bound::Elsewhere { attempt: existing.id, wrong_code: true }),
                },
                (None, false) => return Ok(Bound::Elsewhere { attempt: existing.id, wrong_code: false }),
            };
            let binding = attempts::rebind(conn, &existing)?;
            let moved = event.details(serde_json::json!({
                "moved": true, "next_seq": binding.next_seq, "move_code_issued_by": code_issued_by,
            }));
            audit::append(conn, &moved.target(existing.id.to_string()), now)?;
            Ok(Bound::Moved(attempts::find(conn, exam.id, user)?.unwrap_or(existing), binding))
        })
        .await?;
    let (attempt, binding, event) = match bound {
        Bound::Started(attempt, binding) => {
            let event = ExamEvent::AttemptStarted { attempt: attempt.id, student: user };
            (attempt, binding, event)
        }
        Bound::Moved(attempt, binding) => {
            let event = ExamEvent::AttemptMoved { attempt: attempt.id, student: user };
            (attempt, binding, event)
        }
        Bound::Submitted { at_deadline } => {
            if let Some(attempt) = at_deadline {
                publish_deadline_submissions(state, taker.org, &[attempt]);
            }
            return Err(StoreError::WrongState("this attempt is already submitted".to_owned()).into());
        }
        Bound::Elsewhere { attempt, wrong_code } => {
            // A second computer trying again and again is told once per
            // window, with a count, against the attempt it tried to open.
            let reason = if wrong_code { "a wrong or expired move code" } else { "second computer or browser" };
            let denied = refused
                .target(attempt.to_string())
                .outcome(Outcome::Denied)
                .details(serde_json::json!({ "reason": reason }));
            state.refusals().record(&taker.db, denied, now);
            if wrong_code {
                return Err(StoreError::WrongState(WRONG_MOVE_CODE.to_owned()).into());
            }
            // A conflict, not `OtherDevice`: this browser holds no binding
            // yet; it may start only once staff allow the attempt to move.
            return Err(StoreError::WrongState(ServiceError::OtherDevice.to_string()).into());
        }
    };
    // The start (or the move) is the browser's first contact; its notice says so.
    state.presence().heard(attempt.id, now);
    taker.tell(state.notices(), event);
    Ok((attempt, binding))
}

/// What starting found and did.
enum Bound {
    Started(Attempt, Binding),
    Moved(Attempt, Binding),
    /// Submitted already; `at_deadline` when this transaction submitted it.
    Submitted {
        at_deadline: Option<Attempt>,
    },
    /// Bound to another browser, and not allowed to move (or the move code
    /// typed was not right).
    Elsewhere {
        /// The attempt.
        attempt: AttemptId,
        /// A move code was typed and refused.
        wrong_code: bool,
    },
}

/// What a browser that typed a wrong, used or expired move code is told.
pub const WRONG_MOVE_CODE: &str =
    "That move code is not right, was already used or has expired. Ask a proctor for a new one.";

/// The caller's attempt, if `secret` opens it; submits it as it stood at
/// its deadline when that has passed.
///
/// # Errors
/// [`StoreError::NotFound`] without an attempt; [`ServiceError::OtherDevice`]
/// when `secret` is not the binding's.
pub async fn unlock(state: &AppState, taker: &ExamTaker, secret: String) -> Result<Attempt, ServiceError> {
    let (exam, user, now) = (taker.exam.clone(), taker.student, state.clock().now());
    let unlocked = taker.db.write(move |conn| unlock_in(conn, &exam, user, &secret, now)).await?;
    let attempt = opened(state, taker, unlocked)?;
    if state.presence().heard(attempt.id, now) {
        taker.tell(state.notices(), ExamEvent::Reconnected { attempt: attempt.id, student: user });
    }
    Ok(attempt)
}

/// What the caller wrote after a save: what is durable and what was set
/// aside, and the attempt's deadline as the server holds it now.
pub struct Saved {
    /// The outcome of the batch.
    pub outcome: SaveOutcome,
    /// The attempt's deadline now (extra time granted shows here).
    pub deadline_at: OffsetDateTime,
    /// The server's time of the save.
    pub now: OffsetDateTime,
}

/// Stores a batch of the student's queue, unlocking the attempt with
/// `secret` in the same transaction. An empty batch is the client's
/// heartbeat: it carries the commitment and learns the deadline.
///
/// # Errors
/// As [`unlock`]; [`ServiceError::SequenceGap`] for a batch that does not
/// continue the log; [`ServiceError::SaveQuota`] when the attempt is full.
pub async fn save(
    state: &AppState,
    taker: &ExamTaker,
    secret: String,
    items: Vec<SaveItem>,
    commitment: Option<Commitment>,
) -> Result<Saved, ServiceError> {
    let (exam, user, now) = (taker.exam.clone(), taker.student, state.clock().now());
    let rules = state.config().exams.save_rules();
    let notable = items.iter().any(crate::integrity::signals::activity::may_raise_signal);
    let written = taker
        .db
        .write(move |conn| {
            let unlocked = unlock_in(conn, &exam, user, &secret, now)?;
            let Unlocked::Open { attempt, .. } = &unlocked else { return Ok((unlocked, None)) };
            let saved = log::save(conn, attempt, &exam, &items, commitment, now, rules)?;
            Ok((unlocked, Some(saved)))
        })
        .await?;
    let (unlocked, saved) = written;
    let attempt = opened(state, taker, unlocked)?;
    if saved.is_some() && state.presence().heard(attempt.id, now) {
        taker.tell(state.notices(), ExamEvent::Reconnected { attempt: attempt.id, student: user });
    }
    match saved {
        Some(Ok(outcome)) => {
            // Items a resent batch repeats were heard the first time.
            let count = outcome.stored;
            if count > 0 {
                if notable {
                    state.summaries().notable(attempt.id);
                }
                let event =
                    ExamEvent::Saved { attempt: attempt.id, student: user, acked_seq: outcome.acked_seq, items: count };
                taker.tell(state.notices(), event);
            }
            Ok(Saved { outcome, deadline_at: attempt.deadline_at, now })
        }
        Some(Err(Refusal::Gap { acked_seq })) => Err(ServiceError::SequenceGap { acked_seq }),
        Some(Err(Refusal::Quota)) => Err(ServiceError::SaveQuota),
        None => Err(StoreError::NotFound("attempt".to_owned()).into()),
    }
}

/// Hands in the attempt once the server holds every item up to `seq`;
/// returns the receipt. A second call returns the same receipt.
///
/// # Errors
/// As [`unlock`]; [`StoreError::WrongState`] while items up to `seq` are missing.
pub async fn submit(
    state: &AppState,
    taker: &ExamTaker,
    secret: String,
    seq: i64,
) -> Result<StoredReceipt, ServiceError> {
    let attempt = unlock(state, taker, secret).await?;
    let (exam, now) = (taker.exam.clone(), state.clock().now());
    let event = taker.actor.event("attempt.submit").target(attempt.id.to_string());
    let id = attempt.id;
    let submitted = taker
        .db
        .write(move |conn| {
            // Decided here, in the transaction: a second request or the
            // deadline sweep may have submitted it since it was unlocked.
            let first = submissions::latest(conn, attempt.id)?.is_none();
            if first && attempts::log_state(conn, attempt.id)?.acked_seq < seq {
                return Ok(None);
            }
            let how = submissions::Freeze::first(SubmissionReason::Student, now);
            let stored = submissions::freeze(conn, &attempt, &exam, how)?;
            if first {
                let hashes: Vec<_> = stored.receipt.answers.iter().map(|a| a.sha256.clone()).collect();
                let details = serde_json::json!({ "sha256": hashes, "receipt_sha256": stored.sha256 });
                audit::append(conn, &event.details(details), now)?;
            }
            Ok(Some((stored, first)))
        })
        .await?
        .ok_or_else(|| {
            StoreError::WrongState(
                "some changes are not saved yet; wait until the page says everything is saved".to_owned(),
            )
        })?;
    let (stored, first) = submitted;
    if first {
        let event = ExamEvent::Submitted { attempt: id, student: taker.student, reason: SubmissionReason::Student };
        taker.tell(state.notices(), event);
    }
    Ok(stored)
}

/// The receipt of the caller's submitted attempt (submitting it at its
/// deadline first, when that passed).
///
/// # Errors
/// [`StoreError::NotFound`] without a submitted attempt.
pub async fn receipt(state: &AppState, taker: &ExamTaker) -> Result<StoredReceipt, ServiceError> {
    let (exam, user, now) = (taker.exam.clone(), taker.student, state.clock().now());
    let found = taker
        .db
        .write(move |conn| {
            let Some(attempt) = attempts::find(conn, exam.id, user)? else { return Ok(None) };
            let frozen = log::freeze_if_overdue(conn, &attempt, &exam, now)?;
            let newly = attempt.submitted_at.is_none() && frozen.submitted_at.is_some();
            Ok(submissions::latest(conn, attempt.id)?.map(|stored| (stored, newly.then_some(frozen))))
        })
        .await?;
    let (stored, newly) = found.ok_or_else(|| StoreError::NotFound("receipt".to_owned()))?;
    publish_deadline_submissions(state, taker.org, newly.as_slice());
    Ok(stored)
}

/// The code of each question as the student's latest submission holds it,
/// with that submission's id: what a receipt file needs beside the
/// receipt, for a page that no longer has it in memory (after a reload).
/// Only for the browser that took the attempt (its binding's `secret`):
/// a student who leaves the hall early cannot read their code back on
/// another device and pass it on while others still write.
///
/// # Errors
/// [`ServiceError::OtherDevice`] for another secret; [`StoreError::NotFound`]
/// before a submission; storage errors.
pub async fn submitted_code(
    state: &AppState,
    taker: &ExamTaker,
    secret: String,
) -> Result<(String, std::collections::HashMap<QuestionId, String>), ServiceError> {
    let (exam, user) = (taker.exam.id, taker.student);
    let bound = taker
        .db
        .read(move |conn| {
            let found = attempts::find_unlocking(conn, exam, user, &secret)?;
            Ok(found.map(|(attempt, unlocked)| (attempt.id, unlocked)))
        })
        .await?;
    match bound {
        None => return Err(StoreError::NotFound("attempt".to_owned()).into()),
        Some((id, false)) => {
            // Recorded as every refused secret is: staff see that another device asked.
            let event = taker.actor.event("attempt.secret_refused").target(id.to_string()).outcome(Outcome::Denied);
            state.refusals().record(&taker.db, event, state.clock().now());
            return Err(ServiceError::OtherDevice);
        }
        Some((_, true)) => {}
    }
    let stored = receipt(state, taker).await?;
    let submission = stored.receipt.submission_id.clone();
    let id = submission.clone();
    let codes = taker.db.read(move |conn| submissions::codes(conn, &id)).await?;
    Ok((submission, codes))
}

/// The background sweep of organization `org`: submits every attempt past
/// its deadline (a notice each) and ends the wait of late items whose
/// window has closed. Returns how many attempts it submitted.
///
/// # Errors
/// Storage errors; [`StoreError::Closed`] once the database is closing.
pub async fn sweep(state: &AppState, org: crate::domain::OrgId, db: &Database) -> Result<usize, StoreError> {
    let now = state.clock().now();
    let window = state.config().exams.save_rules().late_window;
    let submitted = db.write(move |conn| attempts::sweep(conn, now, window)).await?;
    publish_deadline_submissions(state, org, &submitted);
    Ok(submitted.len())
}

/// Tells the listeners of each attempt's exam that it was submitted at its deadline.
pub(super) fn publish_deadline_submissions(state: &AppState, org: crate::domain::OrgId, submitted: &[Attempt]) {
    for attempt in submitted {
        let event =
            ExamEvent::Submitted { attempt: attempt.id, student: attempt.user_id, reason: SubmissionReason::Deadline };
        state.notices().publish(Notice { org, exam: attempt.exam_id, event });
    }
}

/// An attempt looked up by its binding's secret, in a write transaction.
enum Unlocked {
    /// The student has not started.
    NotStarted,
    /// The secret is not the binding's.
    WrongSecret(crate::domain::AttemptId),
    /// Opened; `deadline_submitted` when this transaction submitted it at its deadline.
    Open { attempt: Attempt, deadline_submitted: bool },
}

fn unlock_in(
    conn: &rusqlite::Connection,
    exam: &Exam,
    user: crate::domain::UserId,
    secret: &str,
    now: OffsetDateTime,
) -> Result<Unlocked, StoreError> {
    let Some((attempt, unlocked)) = attempts::find_unlocking(conn, exam.id, user, secret)? else {
        return Ok(Unlocked::NotStarted);
    };
    if !unlocked {
        return Ok(Unlocked::WrongSecret(attempt.id));
    }
    let frozen = log::freeze_if_overdue(conn, &attempt, exam, now)?;
    let deadline_submitted = attempt.submitted_at.is_none() && frozen.submitted_at.is_some();
    Ok(Unlocked::Open { attempt: frozen, deadline_submitted })
}

/// The attempt of `unlocked` after its commit, publishing a submission at
/// the deadline and recording a refused secret.
fn opened(state: &AppState, taker: &ExamTaker, unlocked: Unlocked) -> Result<Attempt, ServiceError> {
    match unlocked {
        Unlocked::Open { attempt, deadline_submitted } => {
            if deadline_submitted {
                publish_deadline_submissions(state, taker.org, std::slice::from_ref(&attempt));
            }
            Ok(attempt)
        }
        Unlocked::WrongSecret(id) => {
            // Told once per window with a count: a browser left running on
            // the old computer retries every few seconds.
            let event = taker.actor.event("attempt.secret_refused").target(id.to_string()).outcome(Outcome::Denied);
            state.refusals().record(&taker.db, event, state.clock().now());
            Err(ServiceError::OtherDevice)
        }
        Unlocked::NotStarted => Err(StoreError::NotFound("attempt".to_owned()).into()),
    }
}
