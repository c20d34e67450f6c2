//! Course staff and one student's attempt: its submissions (each with its
//! receipt) and the items that arrived after the deadline; letting the
//! attempt move to another computer; applying late items the server proved
//! were queued in time. Nothing here changes a submission: applying late
//! items makes a new one that names the one it replaces.

use super::{AttemptStaff, ExamStaff};
use crate::domain::AttemptId;
use crate::domain::receipt::SubmissionReason;
use crate::integrity;
use crate::integrity::signals::{Entry, Facts, Signal};
use crate::notices::ExamEvent;
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::accounts::users;
use crate::store::attempts::late::{self, LateItem};
use crate::store::attempts::log;
use crate::store::attempts::move_codes;
use crate::store::attempts::reviews;
use crate::store::attempts::submissions::{self, StoredReceipt};
use crate::store::attempts::{self, Attempt};
use crate::store::audit;
use crate::store::candidates;
use crate::store::exam_policies;

/// The attempt `id` of the exam `on`.
///
/// # Errors
/// Storage errors.
pub async fn find(on: &ExamStaff, id: AttemptId) -> Result<Option<Attempt>, StoreError> {
    let exam = on.exam.id;
    on.staff.db.read(move |conn| attempts::by_id(conn, exam, id)).await
}

/// Every submission of the attempt, oldest first, and its late items.
///
/// # Errors
/// Storage errors.
pub async fn history(of: &AttemptStaff) -> Result<(Vec<StoredReceipt>, Vec<LateItem>), StoreError> {
    let id = of.attempt.id;
    of.on.staff.db.read(move |conn| Ok((submissions::history(conn, id)?, late::list(conn, id)?))).await
}

/// The attempt's log before the deadline, typed and in order, with the
/// number of items that no longer read.
///
/// # Errors
/// Storage errors.
pub async fn timeline(of: &AttemptStaff) -> Result<(Vec<log::LoggedItem>, usize), StoreError> {
    let (id, exam) = (of.attempt.id, of.on.exam.clone());
    of.on.staff.db.read(move |conn| log::items(conn, id, &exam)).await
}

/// What the server itself knows of an attempt, for its timeline beside the
/// log: its audit entries (start, move, move codes, refused browsers,
/// submission) and the incident notes about its student or their section.
pub struct ServerFacts {
    /// When the attempt started (its start is audited against the exam).
    pub started_at: time::OffsetDateTime,
    /// The attempt's audit entries, oldest first.
    pub audited: Vec<audit::AuditRecord>,
    /// Incident notes about the student, or their whole section, oldest first.
    pub notes: Vec<crate::store::incidents::Incident>,
}

/// The actions of an attempt's audit entries its timeline shows (not staff
/// viewing it or reviewing its signals: those are about staff).
const TIMELINE_ACTIONS: [&str; 6] = [
    "attempt.start",
    "attempt.secret_refused",
    "attempt.move_code",
    "attempt.allow_move",
    "attempt.submit",
    "attempt.reopen",
];

/// The most entries of each kind one timeline shows: what was done (each
/// needs a real start or a staff member's action) and what was refused
/// (aggregated per window and address, so an honest attempt has a handful;
/// a browser refused again and again keeps only its newest). Kept apart, so
/// refusals never push the submission or a reopening off the timeline.
const MAX_TIMELINE_FACTS: u32 = 500;

/// What the server knows of the attempt beside its log ([`ServerFacts`]).
///
/// # Errors
/// Storage errors.
pub async fn facts(of: &AttemptStaff) -> Result<ServerFacts, StoreError> {
    let (target, exam, student) = (of.attempt.id.to_string(), of.on.exam.id, of.attempt.user_id);
    let started_at = of.attempt.started_at;
    of.on
        .staff
        .db
        .read(move |conn| {
            let mut audited = audit::about(conn, &target, &TIMELINE_ACTIONS, false, MAX_TIMELINE_FACTS)?;
            audited.extend(audit::about(conn, &target, &TIMELINE_ACTIONS, true, MAX_TIMELINE_FACTS)?);
            audited.sort_by_key(|record| record.seq);
            let section = crate::store::exam_roster::section_of(conn, exam, student)?;
            let mut notes: Vec<_> =
                crate::store::incidents::list(conn, exam, section.as_ref().map(std::slice::from_ref))?
                    .into_iter()
                    .filter(|note| note.student.is_none_or(|s| s == student))
                    .collect();
            notes.reverse();
            Ok(ServerFacts { started_at, audited, notes })
        })
        .await
}

/// The student of an attempt and each question's code as the server holds it
/// now (starter code where nothing was typed).
pub struct AttemptCode {
    /// The student.
    pub student: crate::store::accounts::users::User,
    /// Each question's code, in the exam's order.
    pub answers: Vec<(crate::domain::QuestionId, String)>,
}

/// The attempt's student and code. Staff reading a student's work is itself
/// recorded: once per viewing (see [`crate::presence::Viewings`]), not per refresh.
///
/// # Errors
/// Storage errors; [`StoreError::NotFound`] when the student is gone.
pub async fn code(state: &AppState, of: &AttemptStaff) -> Result<AttemptCode, StoreError> {
    viewed(state, of).await?;
    let (id, exam, student) = (of.attempt.id, of.on.exam.clone(), of.attempt.user_id);
    of.on
        .staff
        .db
        .read(move |conn| {
            let student = users::by_id(conn, student)?.ok_or_else(|| StoreError::NotFound("student".to_owned()))?;
            Ok(AttemptCode { student, answers: attempts::answers(conn, id, &exam)? })
        })
        .await
}

/// Records that the caller (staff, or a proctor) opened the attempt's
/// detail: audited as `attempt.view` once per viewing
/// ([`crate::presence::Viewings`]), not per refresh, whichever part of the
/// page asked first.
///
/// # Errors
/// Storage errors.
pub async fn viewed(state: &AppState, of: &AttemptStaff) -> Result<(), StoreError> {
    let (id, now) = (of.attempt.id, state.clock().now());
    if !state.viewings().opened(of.on.staff.user, id, now) {
        return Ok(());
    }
    let event = of.on.staff.actor.event("attempt.view").target(id.to_string());
    of.on.staff.db.write(move |conn| audit::append(conn, &event, now).map(|_| ())).await
}

/// One question's saved history, for replaying it.
pub struct QuestionHistory {
    /// The question.
    pub question_id: crate::domain::QuestionId,
    /// Its title.
    pub title: String,
    /// Its starter code, with the editor's line breaks: where the replay starts.
    pub starter_code: String,
    /// Its edits in order: sequence number, when the server received it,
    /// and the change set as the browser sent it (`ChangeSet.toJSON()`).
    pub edits: Vec<(i64, crate::domain::Timestamp, serde_json::Value)>,
    /// Its code in the first submission, if submitted.
    pub submitted: Option<String>,
}

/// What replaying the attempt needs: each question's history, and the log
/// sequence number its first submission was frozen at.
pub struct Replay {
    /// Each question, in the exam's order.
    pub questions: Vec<QuestionHistory>,
    /// The first submission's log sequence number, if submitted.
    pub submitted_at_seq: Option<i64>,
}

/// The attempt's edit history per question, with the first submission it
/// must explain (a replay up to `submitted_at_seq` equals `submitted`).
///
/// # Errors
/// Storage errors.
pub async fn replay(of: &AttemptStaff) -> Result<Replay, StoreError> {
    let (id, exam) = (of.attempt.id, of.on.exam.clone());
    of.on
        .staff
        .db
        .read(move |conn| {
            let (logged, _) = log::items(conn, id, &exam)?;
            let frozen = submissions::first_frozen(conn, id)?;
            let questions = exam
                .question_ids
                .iter()
                .zip(&exam.spec.questions)
                .map(|(question_id, question)| {
                    let edits = logged
                        .iter()
                        .filter(|l| l.item.question_id == Some(*question_id))
                        .filter(|l| matches!(l.item.body, crate::domain::save_item::ItemBody::Edit(_)))
                        .filter_map(|l| {
                            let raw: serde_json::Value = serde_json::from_str(&l.item.raw).ok()?;
                            Some((l.item.seq, l.server_at, raw.get("changes")?.clone()))
                        })
                        .collect();
                    QuestionHistory {
                        question_id: *question_id,
                        title: question.title.clone(),
                        starter_code: crate::domain::changeset::normalise_line_breaks(&question.starter_code),
                        edits,
                        submitted: frozen.as_ref().and_then(|f| f.codes.get(question_id).cloned()),
                    }
                })
                .collect();
            Ok(Replay { questions, submitted_at_seq: frozen.map(|f| f.log_seq) })
        })
        .await
}

/// The attempt's signals: patterns in its log worth a person's look, each
/// with its evidence, by the thresholds of the exam's policy profile
/// ([`crate::integrity::signals`]). The browsers refused this attempt (a
/// second start, a stale or wrong secret) come from the audit log, which
/// counts them.
///
/// # Errors
/// Storage errors.
pub async fn signals(of: &AttemptStaff) -> Result<Vec<Signal>, StoreError> {
    Ok(derive(&of.on.staff.db, &of.on.exam, of.attempt.id).await?.0)
}

/// The attempt's signals and its log (as [`signals`] derives them), for
/// whatever else is read from the same log (the monitor's summaries).
///
/// # Errors
/// Storage errors.
pub async fn derive(
    db: &crate::store::Database,
    exam: &crate::store::exams::Exam,
    id: AttemptId,
) -> Result<(Vec<Signal>, Vec<log::LoggedItem>), StoreError> {
    let exam = exam.clone();
    db.read(move |conn| {
        let policy = super::policy::ExamPolicy::of(&exam, exam_policies::get(conn, exam.id)?);
        derive_in(conn, &exam, &policy, id)
    })
    .await
}

/// [`derive`] on a connection the caller holds, with the exam's policy
/// read once (an export derives every attempt's signals in one read).
///
/// # Errors
/// Storage errors.
pub fn derive_in(
    conn: &rusqlite::Connection,
    exam: &crate::store::exams::Exam,
    policy: &super::policy::ExamPolicy,
    id: AttemptId,
) -> Result<(Vec<Signal>, Vec<log::LoggedItem>), StoreError> {
    let (logged, _) = log::items(conn, id, exam)?;
    let target = id.to_string();
    let refusals = audit::times_refused(conn, "attempt.start", &target)?
        + audit::times_refused(conn, "attempt.secret_refused", &target)?;
    let frozen = submissions::first_frozen(conn, id)?;
    let explained = frozen.map(|frozen| replays_to(exam, &logged, &frozen));
    let entries = entries(&logged);
    let facts = Facts {
        require_fullscreen: exam.spec.require_fullscreen,
        second_device_refusals: refusals,
        history_explains_submission: explained,
    };
    let found = integrity::signals::signals(&entries, facts, &policy.thresholds);
    drop(entries);
    Ok((found, logged))
}

/// The log as the integrity signals read it: each item with the server's
/// time it arrived and whether the server's rebuild matched.
#[must_use]
pub fn entries(logged: &[log::LoggedItem]) -> Vec<Entry<'_>> {
    logged.iter().map(|l| Entry { item: &l.item, server_at: l.server_at.time(), applied: l.applied }).collect()
}

/// Whether applying each question's saved edits (up to the submission's log
/// sequence) to its starter code gives the code the first submission froze.
fn replays_to(exam: &crate::store::exams::Exam, logged: &[log::LoggedItem], frozen: &submissions::Frozen) -> bool {
    exam.question_ids.iter().zip(&exam.spec.questions).all(|(question, spec)| {
        let mut code = crate::domain::changeset::normalise_line_breaks(&spec.starter_code);
        for item in logged.iter().filter(|l| l.item.seq <= frozen.log_seq && l.item.question_id == Some(*question)) {
            if let crate::domain::save_item::ItemBody::Edit(changes) = &item.item.body {
                match changes.apply(&code) {
                    Ok(next) => code = next,
                    Err(_) => return false,
                }
            }
        }
        frozen.codes.get(question).is_none_or(|submitted| *submitted == code)
    })
}

/// Every decision people made on the attempt's signals, newest first.
///
/// # Errors
/// Storage errors.
pub async fn decisions(of: &AttemptStaff) -> Result<Vec<reviews::Review>, StoreError> {
    let id = of.attempt.id;
    of.on.staff.db.read(move |conn| reviews::list(conn, id)).await
}

/// The longest comment on a decision, in characters.
pub const MAX_COMMENT_CHARS: usize = 4_000;

/// Records a reviewer's or instructor's decision on the attempt's signal
/// `key` (one it has now), with the comment; appended, never changed, and
/// audited. Nothing about the attempt, its submission or its grade changes.
///
/// # Errors
/// [`StoreError::NotFound`] for a signal the attempt does not have;
/// [`StoreError::Invalid`] for a comment out of bounds.
pub async fn decide(
    state: &AppState,
    of: &AttemptStaff,
    key: String,
    decision: reviews::Decision,
    comment: String,
) -> Result<reviews::Review, StoreError> {
    let comment = super::text::lines("comment", "comment", &comment, 0, MAX_COMMENT_CHARS)?;
    if !signals(of).await?.iter().any(|signal| signal.key() == key) {
        return Err(StoreError::NotFound("signal".to_owned()));
    }
    let (id, by, now) = (of.attempt.id, of.on.staff.user, state.clock().now());
    let event = of
        .on
        .staff
        .actor
        .event("signal.review")
        .target(id.to_string())
        .details(serde_json::json!({ "signal": key, "decision": decision.as_str() }));
    of.on
        .staff
        .db
        .write(move |conn| {
            let review = reviews::append(conn, id, &key, decision, &comment, by, now)?;
            audit::append(conn, &event, now)?;
            Ok(review)
        })
        .await
}

/// Issues a one-time code that moves the running attempt to another
/// computer: the student types it there, that browser takes the attempt
/// over and the old one stops saving. Instructors and the proctors of the
/// student's section may; the code is shown once and audited without it.
///
/// # Errors
/// [`StoreError::WrongState`] for a submitted attempt.
pub async fn issue_move_code(state: &AppState, of: &AttemptStaff) -> Result<move_codes::IssuedCode, StoreError> {
    if of.attempt.submitted_at.is_some() {
        return Err(StoreError::WrongState("the attempt is already submitted; it cannot move".to_owned()));
    }
    let (id, by, now) = (of.attempt.id, of.on.staff.user, state.clock().now());
    let event = of.on.staff.actor.event("attempt.move_code").target(id.to_string());
    let issued = of
        .on
        .staff
        .db
        .write(move |conn| {
            let issued = move_codes::issue(conn, id, by, now)?;
            let details = serde_json::json!({ "expires_at": crate::clock::rfc3339(issued.expires_at) });
            audit::append(conn, &event.details(details), now)?;
            Ok(issued)
        })
        .await?;
    let student = of.attempt.user_id;
    of.on.tell(state.notices(), ExamEvent::MoveAllowed { attempt: id, student });
    Ok(issued)
}

/// The most minutes an attempt is reopened for.
pub const MAX_REOPEN_MINUTES: u32 = 240;

/// Reopens a submitted attempt for `minutes` from now, for `reason`
/// (instructors only: the route checks). The student continues on any of
/// their browsers with everything the server holds; their next submission
/// is a new one that names the one it follows, which stays as it was.
/// Audited with the reason.
///
/// # Errors
/// [`StoreError::Invalid`] for minutes out of range or an empty reason;
/// [`StoreError::WrongState`] for an attempt that is not submitted.
pub async fn reopen(state: &AppState, of: &AttemptStaff, minutes: u32, reason: String) -> Result<Attempt, StoreError> {
    if !(1..=MAX_REOPEN_MINUTES).contains(&minutes) {
        return Err(StoreError::invalid("minutes", format!("minutes: 1 to {MAX_REOPEN_MINUTES}")));
    }
    let reason = super::text::one_line("reason", "reason", &reason, 500)?;
    let (id, exam, now) = (of.attempt.id, of.on.exam.id, state.clock().now());
    let until = now + time::Duration::minutes(i64::from(minutes));
    let student = of.attempt.user_id;
    // A candidate signs in again with a link issued again; the entry says so.
    let details = move |candidate: bool| {
        serde_json::json!({ "reason": reason, "minutes": minutes, "until": crate::clock::rfc3339(until),
                            "candidate_signed_out": candidate })
    };
    let event = of.on.staff.actor.event("attempt.reopen").target(id.to_string());
    let reopened = of
        .on
        .staff
        .db
        .write(move |conn| {
            if !attempts::reopen(conn, id, until)? {
                return Err(StoreError::WrongState("only a submitted attempt can be reopened".to_owned()));
            }
            let candidate = candidates::follow_reopen(conn, exam, student, until)?;
            audit::append(conn, &event.details(details(candidate)), now)?;
            attempts::by_id(conn, exam, id)?.ok_or_else(|| StoreError::NotFound("attempt".to_owned()))
        })
        .await?;
    of.on.tell(state.notices(), ExamEvent::MoveAllowed { attempt: id, student });
    Ok(reopened)
}

/// Applies the accepted late items to the latest submission, making a new
/// submission and receipt.
///
/// # Errors
/// [`StoreError::WrongState`] when there is nothing to apply.
pub async fn apply_late_items(state: &AppState, of: &AttemptStaff) -> Result<StoredReceipt, StoreError> {
    let now = state.clock().now();
    let (attempt, exam, by) = (of.attempt.clone(), of.on.exam.clone(), of.on.staff.user);
    let event = of.on.staff.actor.event("attempt.apply_late_items").target(attempt.id.to_string());
    let stored = of
        .on
        .staff
        .db
        .write(move |conn| {
            let Some(stored) = submissions::apply_late_items(conn, &attempt, &exam, by, now)? else {
                return Ok(None);
            };
            let details = serde_json::json!({
                "submission": stored.receipt.submission_id,
                "previous": stored.receipt.previous_submission_id,
                "receipt_sha256": stored.sha256,
            });
            audit::append(conn, &event.details(details), now)?;
            Ok(Some(stored))
        })
        .await?
        .ok_or_else(|| StoreError::WrongState("there are no accepted late items to apply".to_owned()))?;
    let (attempt, student) = (of.attempt.id, of.attempt.user_id);
    of.on.tell(state.notices(), ExamEvent::Submitted { attempt, student, reason: SubmissionReason::LateItems });
    Ok(stored)
}
