//! Course staff writing, publishing and scheduling exams.
//!
//! Audit entries of exam actions name what changed and carry hashes, never
//! exam content (see `audit::digest`): the log is read by org admins and kept
//! for years. Changes that a running exam feels (its window, extra time)
//! are published as notices after their commit.

use time::OffsetDateTime;

use super::{CourseActor, ExamStaff, ExamWatch};
use crate::domain::{ExamId, ExamSpec, Role, UserId};
use crate::notices::ExamEvent;
use crate::state::AppState;
use crate::store::audit::{self, digest};
use crate::store::exam_roster::{self, StudentAttempt};
use crate::store::exams::{self, Exam, Phase};
use crate::store::{Database, StoreError, attempts, candidates, courses};

/// The exam `id` of `course`, as it stands at `now`.
///
/// # Errors
/// Storage errors.
pub async fn find(
    db: &Database,
    course: crate::domain::CourseId,
    id: ExamId,
    now: OffsetDateTime,
) -> Result<Option<Exam>, StoreError> {
    db.read(move |conn| exams::get(conn, course, id, now)).await
}

/// The exam as it stands now, after a change.
async fn reload(state: &AppState, staff: &CourseActor, id: ExamId) -> Result<Exam, StoreError> {
    find(&staff.db, staff.course, id, state.clock().now()).await?.ok_or_else(|| StoreError::NotFound("exam".to_owned()))
}

/// Every exam of the course.
///
/// # Errors
/// Storage errors.
pub async fn list(state: &AppState, staff: &CourseActor) -> Result<Vec<Exam>, StoreError> {
    let (course, now) = (staff.course, state.clock().now());
    staff.db.read(move |conn| exams::list(conn, course, now)).await
}

/// A section named in a spec that is not this course's.
fn section_error(error: StoreError) -> StoreError {
    match error {
        StoreError::NotFound(_) => StoreError::invalid("section_ids", "every section must belong to this course"),
        other => other,
    }
}

/// Creates a draft exam from `spec`.
///
/// # Errors
/// [`StoreError::Invalid`] for a spec that breaks a rule or names another
/// course's section.
pub async fn create(state: &AppState, staff: &CourseActor, spec: ExamSpec) -> Result<Exam, StoreError> {
    spec.validate().map_err(|e| StoreError::invalid("spec", e.0))?;
    let (course, now) = (staff.course, state.clock().now());
    let details =
        serde_json::json!({ "exam_sha256": digest::sha256_of_serialized(&spec), "questions": spec.questions.len() });
    let event = staff.actor.event("exam.create").details(details);
    let id = staff
        .db
        .write(move |conn| {
            let id = exams::create(conn, course, &spec, now)?;
            audit::append(conn, &event.target(id.to_string()), now)?;
            Ok(id)
        })
        .await
        .map_err(section_error)?;
    reload(state, staff, id).await
}

/// Replaces the exam's spec (questions keep their identifiers).
///
/// # Errors
/// [`StoreError::WrongState`] for a closed exam; as [`create`].
pub async fn update(state: &AppState, on: &ExamStaff, spec: ExamSpec) -> Result<Exam, StoreError> {
    spec.validate().map_err(|e| StoreError::invalid("spec", e.0))?;
    let (current, now) = (&on.exam, state.clock().now());
    if current.phase == Phase::Closed {
        return Err(StoreError::WrongState("the exam is closed; duplicate it to reuse its questions".to_owned()));
    }
    let action = if current.phase == Phase::Draft { "exam.update" } else { "exam.update_after_publish" };
    let details = digest::exam_change(&current.spec, &spec);
    let (id, course) = (current.id, on.staff.course);
    let event = on.staff.actor.event(action).target(id.to_string()).details(details);
    on.staff
        .db
        .write(move |conn| {
            exams::write_spec(conn, id, course, &spec, exams::Ids::Keep, now)?;
            audit::append(conn, &event, now).map(|_| ())
        })
        .await
        .map_err(section_error)?;
    reload(state, &on.staff, id).await
}

/// Deletes a draft.
///
/// # Errors
/// [`StoreError::WrongState`] for a published exam.
pub async fn remove(state: &AppState, on: &ExamStaff) -> Result<(), StoreError> {
    let (id, course, now) = (on.exam.id, on.staff.course, state.clock().now());
    let details = serde_json::json!({ "exam_sha256": digest::sha256_of_serialized(&on.exam.spec) });
    let event = on.staff.actor.event("exam.delete").target(id.to_string()).details(details);
    on.staff
        .db
        .write(move |conn| {
            exams::ensure_draft(conn, course, id)?;
            // Candidate links issued for the draft go with it, and their
            // accounts are closed (an account left without its link must
            // not become a student of the whole section).
            candidates::remove_for_deleted_exam(conn, id)?;
            exams::delete_draft(conn, id)?;
            audit::append(conn, &event, now).map(|_| ())
        })
        .await
}

/// A new draft with the exam's questions.
///
/// # Errors
/// Storage errors.
pub async fn duplicate(state: &AppState, on: &ExamStaff) -> Result<Exam, StoreError> {
    let (source, course, now) = (on.exam.id, on.staff.course, state.clock().now());
    let mut spec = on.exam.spec.clone();
    spec.title = format!("Copy of {}", spec.title).chars().take(200).collect();
    let details = serde_json::json!({ "from": source, "exam_sha256": digest::sha256_of_serialized(&spec) });
    let event = on.staff.actor.event("exam.duplicate").details(details);
    let id = on
        .staff
        .db
        .write(move |conn| {
            let id = exams::create(conn, course, &spec, now)?;
            audit::append(conn, &event.target(id.to_string()), now)?;
            Ok(id)
        })
        .await?;
    reload(state, &on.staff, id).await
}

/// What the instructor's browser reports after running every test against
/// the model solutions (the server does not run Python).
#[derive(Debug, Clone, Copy)]
pub struct TestReport {
    /// Tests run.
    pub run: usize,
    /// Tests that failed.
    pub failed: usize,
}

/// Publishes a draft whose every test passed against its model solutions.
///
/// # Errors
/// [`StoreError::WrongState`] for a published exam; [`StoreError::Invalid`]
/// without questions or with tests not run or failing.
pub async fn publish(state: &AppState, on: &ExamStaff, report: TestReport) -> Result<Exam, StoreError> {
    let (exam, now) = (&on.exam, state.clock().now());
    if exam.phase != Phase::Draft {
        return Err(StoreError::WrongState("the exam is published already".to_owned()));
    }
    if exam.spec.questions.is_empty() {
        return Err(StoreError::invalid("questions", "add at least one question before publishing"));
    }
    let total: usize = exam.spec.questions.iter().map(|q| q.tests.len()).sum();
    if report.run != total || report.failed > 0 {
        return Err(StoreError::invalid(
            "tests_run",
            format!("run all {total} tests against the model solutions; publishing waits until every one passes"),
        ));
    }
    let details = serde_json::json!({ "tests_run": total, "exam_sha256": digest::sha256_of_serialized(&exam.spec) });
    let id = exam.id;
    let event = on.staff.actor.event("exam.publish").target(id.to_string()).details(details);
    on.staff
        .db
        .write(move |conn| {
            exams::publish(conn, id, now)?;
            audit::append(conn, &event, now).map(|_| ())
        })
        .await?;
    reload(state, &on.staff, id).await
}

/// Moves a published exam's close: earlier (or now, with `None`) closes it
/// early, later extends it. Running attempts get their new deadline at once.
///
/// # Errors
/// [`StoreError::WrongState`] for a draft; [`StoreError::Invalid`] for a
/// close not after the opening.
pub async fn set_window(
    state: &AppState,
    on: &ExamStaff,
    closes_at: Option<OffsetDateTime>,
) -> Result<Exam, StoreError> {
    let (exam, now) = (&on.exam, state.clock().now());
    if exam.phase == Phase::Draft {
        return Err(StoreError::WrongState("edit a draft's window directly".to_owned()));
    }
    let closes_at = closes_at.unwrap_or(now);
    if closes_at <= exam.spec.opens_at {
        return Err(StoreError::invalid("closes_at", "closes_at: must be after the exam opens"));
    }
    let action = if closes_at < exam.spec.closes_at { "exam.close_early" } else { "exam.extend" };
    let details = serde_json::json!({ "from": crate::clock::rfc3339(exam.spec.closes_at), "to": crate::clock::rfc3339(closes_at) });
    let (id, old_close) = (exam.id, exam.spec.closes_at);
    let event = on.staff.actor.event(action).target(id.to_string()).details(details);
    on.staff
        .db
        .write(move |conn| {
            // Released results stand on the exam as it closed: reopening it
            // (and so its edits and new submissions) waits for a withdrawal.
            if crate::store::marking::release(conn, id)?.is_some_and(|r| r.released) {
                return Err(StoreError::WrongState(
                    "the results are released: withdraw them before changing when the exam closes".to_owned(),
                ));
            }
            exams::set_closes_at(conn, id, closes_at, now)?;
            // Running attempts end no later than the exam, and get back time
            // an earlier close took from them when it is extended again.
            attempts::recompute_deadlines(conn, id, None)?;
            // Candidate links that ended with the exam keep ending with it.
            candidates::follow_exam_close(conn, id, old_close, closes_at)?;
            audit::append(conn, &event, now).map(|_| ())
        })
        .await?;
    on.tell(state.notices(), ExamEvent::WindowChanged { closes_at });
    reload(state, &on.staff, id).await
}

/// Extra time for some students of the exam's sections (0 removes it); a
/// running attempt gets its new deadline at once.
///
/// # Errors
/// [`StoreError::Invalid`] for minutes over a day, no student or a long
/// label; [`StoreError::NotFound`] for someone who does not sit the exam.
pub async fn set_extra_time(
    state: &AppState,
    on: &ExamStaff,
    students: Vec<UserId>,
    minutes: u32,
    label: String,
) -> Result<(), StoreError> {
    if minutes > 1440 || students.is_empty() || label.chars().count() > 80 {
        return Err(StoreError::invalid(
            "minutes",
            "minutes: 0 to 1440, at least one student, a label of at most 80 characters",
        ));
    }
    let (id, now) = (on.exam.id, state.clock().now());
    let details = serde_json::json!({ "students": students, "minutes": minutes, "label": label });
    let event = on.staff.actor.event("exam.extra_time").target(id.to_string()).details(details);
    let sections = on.exam.spec.section_ids.clone();
    let granted = students.clone();
    on.staff
        .db
        .write(move |conn| {
            for user in &students {
                let takes_exam = courses::grants_of(conn, *user)?
                    .iter()
                    .any(|g| g.role == Role::Student && g.section_id.is_some_and(|s| sections.contains(&s)));
                if !takes_exam {
                    return Err(StoreError::NotFound("student".to_owned()));
                }
            }
            attempts::set_extra_time(conn, id, &students, minutes, label.trim(), now)?;
            audit::append(conn, &event, now).map(|_| ())
        })
        .await?;
    on.tell(state.notices(), ExamEvent::ExtraTime { students: granted, minutes });
    Ok(())
}

/// Every student the watcher sees (course staff: all the exam's sections; a
/// proctor: theirs), their attempt and (once submitted) the same receipt the
/// student got. Attempts past their deadline are submitted first, so no one
/// is shown running late.
///
/// # Errors
/// Storage errors.
pub async fn roster(state: &AppState, watch: &ExamWatch) -> Result<Vec<StudentAttempt>, StoreError> {
    let on = &watch.on;
    let (id, now, db) = (on.exam.id, state.clock().now(), &on.staff.db);
    if db.read(move |conn| attempts::any_overdue(conn, id, now)).await? {
        let submitted = db.write(move |conn| attempts::submissions::submit_overdue(conn, now)).await?;
        super::attempts::publish_deadline_submissions(state, on.staff.org, &submitted);
    }
    let (exam, only) = (on.exam.clone(), watch.sections.only().map(<[_]>::to_vec));
    db.read(move |conn| {
        exam_roster::students(conn, &exam, exam_roster::Whose { sections: only.as_deref(), student: None })
    })
    .await
}
