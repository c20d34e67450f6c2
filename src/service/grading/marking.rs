//! What graders decide beside the tests, each change audited: a question's
//! scheme and the exam's marking options (instructors), a mark of one
//! answer with rubric items, an override and feedback (instructors and
//! reviewers), and releasing or withdrawing the results (instructors).
//! The callers prove the role; these check everything else.

use serde_json::json;

use super::{ExamStaff, Stored, questions};
use crate::domain::marking::{Marker, Scheme};
use crate::domain::{QuestionId, SubmissionId};
use crate::service::text;
use crate::state::AppState;
use crate::store::exams::Phase;
use crate::store::grading as results_store;
use crate::store::marking::{self as store, NewMark, Options};
use crate::store::{StoreError, audit};

/// The longest feedback on one answer, in characters.
pub const MAX_FEEDBACK_CHARS: usize = 4000;

/// Sets question `question`'s scheme: its tests' weights and its rubric.
///
/// # Errors
/// [`StoreError::NotFound`] for a question not of the exam;
/// [`StoreError::Invalid`] for a scheme that does not fit the question;
/// [`StoreError::WrongState`] while the results are released.
pub async fn set_scheme(
    state: &AppState,
    on: &ExamStaff,
    question: QuestionId,
    mut scheme: Scheme,
) -> Result<(), StoreError> {
    let questions = questions(&on.exam);
    let of = questions.iter().find(|q| q.id == question).ok_or_else(|| StoreError::NotFound("question".to_owned()))?;
    for item in &mut scheme.rubric {
        item.description = item.description.trim().to_owned();
    }
    scheme.validate(of.points, of.tests.len()).map_err(|e| {
        let field = if e.0.starts_with("test_weights") { "test_weights" } else { "rubric" };
        StoreError::invalid(field, e.0)
    })?;
    // The rubric's words are exam content: the audit entry names them by hash.
    let details = json!({
        "test_weights": scheme.test_weights,
        "rubric_items": scheme.rubric.len(),
        "rubric_hundredths": scheme.rubric_hundredths(),
        "rubric_sha256": scheme.rubric_sha256(),
    });
    let event = on.staff.actor.event("grading.scheme").target(question.to_string()).details(details);
    let (exam, by, now) = (on.exam.id, on.staff.user, state.clock().now());
    on.staff
        .db
        .write(move |conn| {
            unreleased(conn, exam)?;
            store::set_scheme(conn, question, &scheme, by, now)?;
            audit::append(conn, &event, now).map(|_| ())
        })
        .await
}

/// Sets the exam's marking options.
///
/// # Errors
/// [`StoreError::WrongState`] when turning anonymous marking on after the
/// results were released (the names were seen).
pub async fn set_options(state: &AppState, on: &ExamStaff, options: Options) -> Result<(), StoreError> {
    let (exam, by, now) = (on.exam.id, on.staff.user, state.clock().now());
    let details = json!({
        "anonymous": options.anonymous,
        "second_marker": options.second_marker,
        "hidden_counts": options.hidden_counts,
    });
    let event = on.staff.actor.event("grading.options").target(exam.to_string()).details(details);
    on.staff
        .db
        .write(move |conn| {
            let before = store::options(conn, exam)?;
            let ever_released = store::release(conn, exam)?.is_some();
            if options.anonymous && !before.anonymous && ever_released {
                return Err(StoreError::WrongState(
                    "the results have been released, so graders have seen the names: anonymous marking can no \
                     longer be turned on for this exam"
                        .to_owned(),
                ));
            }
            store::set_options(conn, exam, options, by, now)?;
            audit::append(conn, &event, now).map(|_| ())
        })
        .await
}

/// A grader's mark of one answer, as they give it.
#[derive(Debug, Clone)]
pub struct GivenMark {
    /// The question.
    pub question: QuestionId,
    /// Whose marks these are.
    pub marker: Marker,
    /// Rubric items awarded (positions); `None` when the rubric is not marked.
    pub rubric: Option<Vec<usize>>,
    /// Points replacing the computed ones, in hundredths.
    pub override_hundredths: Option<u64>,
    /// For the student.
    pub feedback: String,
}

/// Checks a mark against the question's scheme and maximum.
fn check_mark(mark: &GivenMark, points: u32, scheme: &Scheme) -> Result<(), StoreError> {
    if let Some(awarded) = &mark.rubric {
        let mut seen = awarded.clone();
        seen.sort_unstable();
        seen.dedup();
        if seen.len() != awarded.len() || awarded.iter().any(|n| *n >= scheme.rubric.len()) {
            return Err(StoreError::invalid(
                "rubric",
                "rubric: the positions of the question's rubric items, each once",
            ));
        }
    }
    if mark.override_hundredths.is_some_and(|p| p > u64::from(points) * 100) {
        return Err(StoreError::invalid("points", format!("points: at most the question's {points} points")));
    }
    Ok(())
}

/// Refuses a change to what students see while the results are released:
/// the instructor withdraws them first, so nothing changes under a
/// student's eyes unannounced.
fn unreleased(conn: &rusqlite::Connection, exam: crate::domain::ExamId) -> Result<(), StoreError> {
    if store::release(conn, exam)?.is_some_and(|r| r.released) {
        return Err(StoreError::WrongState(
            "the results are released: withdraw them before changing marks or schemes, then release again".to_owned(),
        ));
    }
    Ok(())
}

/// Gives submission `id` a mark of one answer: rubric items, an override,
/// feedback. The latest mark of each marker counts; earlier ones stay in
/// the history.
///
/// # Errors
/// [`StoreError::NotFound`] unless it is the latest submission of an
/// attempt of this exam, or for a question not of the exam;
/// [`StoreError::Invalid`] for rubric items the question has not, points
/// above its maximum, feedback too long, a second mark when the exam has
/// no second marker, or one person as both markers of an answer;
/// [`StoreError::WrongState`] while the results are released.
pub async fn mark(state: &AppState, on: &ExamStaff, id: SubmissionId, mut given: GivenMark) -> Result<(), StoreError> {
    let questions = questions(&on.exam);
    let points = questions
        .iter()
        .find(|q| q.id == given.question)
        .map(|q| q.points)
        .ok_or_else(|| StoreError::NotFound("question".to_owned()))?;
    given.feedback = text::lines("feedback", "feedback", &given.feedback, 0, MAX_FEEDBACK_CHARS)?;
    let (exam, by, now) = (on.exam.id, on.staff.user, state.clock().now());
    let actor = on.staff.actor.clone();
    on.staff
        .db
        .write(move |conn| {
            let submission = results_store::submission(conn, exam, id)?
                .ok_or_else(|| StoreError::NotFound("submission".to_owned()))?;
            unreleased(conn, exam)?;
            if given.marker == Marker::Second && !store::options(conn, exam)?.second_marker {
                return Err(StoreError::invalid("marker", "marker: this exam has no second marker"));
            }
            let other = if given.marker == Marker::First { Marker::Second } else { Marker::First };
            let history = store::history(conn, id)?;
            let other_by = history.iter().rev().find(|m| m.mark.question == given.question && m.mark.marker == other);
            if other_by.is_some_and(|m| m.marked_by.0 == by) {
                return Err(StoreError::invalid(
                    "marker",
                    "marker: you marked this answer as the other marker; a second opinion needs a second person",
                ));
            }
            let scheme = store::schemes(conn, exam)?.remove(&given.question).unwrap_or_else(|| Scheme::equal(0));
            check_mark(&given, points, &scheme)?;
            let rubric_sha256 = scheme.rubric_sha256();
            let mark = NewMark {
                question: given.question,
                marker: given.marker,
                rubric: given.rubric.map(|awarded| (awarded, rubric_sha256)),
                override_hundredths: given.override_hundredths,
                feedback: given.feedback,
            };
            store::append(conn, id, &mark, by, now)?;
            let details = json!({
                "submission": id,
                "question": mark.question,
                "marker": mark.marker,
                "rubric": mark.rubric.as_ref().map(|(awarded, _)| awarded),
                "override_hundredths": mark.override_hundredths,
                "feedback_characters": mark.feedback.chars().count(),
            });
            let event = actor.event("grading.mark").target(submission.attempt.to_string()).details(details);
            audit::append(conn, &event, now).map(|_| ())
        })
        .await
}

/// Releases the exam's results to its students (`true`) or withdraws them.
///
/// # Errors
/// [`StoreError::WrongState`] before the exam closes, while a submission
/// has no points, or when the results already are as asked.
pub async fn release(state: &AppState, on: &ExamStaff, released: bool) -> Result<(), StoreError> {
    if released && on.exam.phase != Phase::Closed {
        return Err(StoreError::WrongState(
            "results can be released once the exam has closed and every attempt is over".to_owned(),
        ));
    }
    let (exam, by, now) = (on.exam.id, on.staff.user, state.clock().now());
    let questions = questions(&on.exam);
    let action = if released { "grading.release" } else { "grading.withdraw" };
    let event = on.staff.actor.event(action).target(exam.to_string());
    on.staff
        .db
        .write(move |conn| {
            let stored = Stored::read(conn, exam)?;
            let now_released = stored.release.as_ref().is_some_and(|r| r.released);
            if now_released == released {
                let state = if released { "already released" } else { "not released" };
                return Err(StoreError::WrongState(format!("the results are {state}")));
            }
            let grading = stored.grading(questions);
            let ungraded = grading.submissions.iter().filter(|s| s.total_hundredths.is_none()).count();
            if released && ungraded > 0 {
                return Err(StoreError::WrongState(format!(
                    "{ungraded} submission(s) have no points yet: finish grading them (or give their answers \
                     points by hand) before releasing"
                )));
            }
            store::set_release(conn, exam, released, by, now)?;
            let details = json!({ "submissions": grading.submissions.len() });
            audit::append(conn, &event.details(details), now).map(|_| ())
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::marking::RubricItem;

    fn mark(rubric: Option<Vec<usize>>, override_hundredths: Option<u64>) -> GivenMark {
        GivenMark {
            question: QuestionId::generate(),
            marker: Marker::First,
            rubric,
            override_hundredths,
            feedback: String::new(),
        }
    }

    #[test]
    fn a_mark_names_only_the_rubric_items_there_are_and_stays_within_the_maximum() {
        let item = RubricItem { description: "loop".to_owned(), points_hundredths: 100 };
        let scheme = Scheme { test_weights: vec![1], rubric: vec![item.clone(), item] };
        check_mark(&mark(Some(vec![0, 1]), None), 5, &scheme).unwrap();
        check_mark(&mark(None, Some(500)), 5, &scheme).unwrap();
        assert!(check_mark(&mark(Some(vec![2]), None), 5, &scheme).is_err());
        assert!(check_mark(&mark(Some(vec![0, 0]), None), 5, &scheme).is_err());
        assert!(check_mark(&mark(None, Some(501)), 5, &scheme).is_err());
    }
}
