//! A student's own results, once their exam's results are released: their
//! points and the feedback on each answer, the rubric items awarded, and
//! the results of the visible tests. Never a hidden test's code, input or
//! expected value; how many hidden tests passed only when the instructor
//! chose to show it. Before release, nothing but that it is not released.

use std::collections::HashMap;

use super::questions;
use super::scores::{self, Source};
use crate::domain::marking::{Marker, RubricItem, Scheme};
use crate::domain::{QuestionId, TestKind, Timestamp, Visibility};
use crate::service::ExamTaker;
use crate::store::StoreError;
use crate::store::grading::{self as results_store, Outcome};
use crate::store::marking::{self as store, NewMark};

/// A visible test and how it went.
#[derive(Debug, Clone)]
pub struct VisibleTest {
    /// Its place in the question, from 0.
    pub position: usize,
    /// Function or input/output.
    pub kind: TestKind,
    /// What it evaluates (function tests).
    pub expression: String,
    /// What it feeds (input/output tests).
    pub stdin: String,
    /// What it expects.
    pub expected: String,
    /// How it went; `None` if it was never run (the answer got points by hand).
    pub outcome: Option<Outcome>,
    /// What the answer gave (a bounded excerpt).
    pub actual: String,
}

/// One question's result.
#[derive(Debug, Clone)]
pub struct QuestionResult {
    /// The question.
    pub question: QuestionId,
    /// Its title.
    pub title: String,
    /// Its maximum.
    pub max_points: u32,
    /// The points given, in hundredths.
    pub points_hundredths: Option<u64>,
    /// Where they came from.
    pub source: Source,
    /// The grader's feedback.
    pub feedback: String,
    /// The rubric, each item with whether it was awarded.
    pub rubric: Vec<(RubricItem, bool)>,
    /// The visible tests.
    pub visible: Vec<VisibleTest>,
    /// Hidden tests passed and in all, when the instructor shows them.
    pub hidden: Option<(usize, usize)>,
}

/// What a student sees of their exam's results.
#[derive(Debug, Clone)]
pub enum StudentResults {
    /// Not released (or withdrawn).
    NotReleased,
    /// Released, but the student handed nothing in.
    NothingSubmitted,
    /// Their results.
    Released {
        /// When they were released.
        released_at: Timestamp,
        /// The total, in hundredths.
        total_hundredths: Option<u64>,
        /// The exam's maximum.
        max_points: u32,
        /// Per question, in exam order.
        questions: Vec<QuestionResult>,
    },
}

/// The results of the student's latest submission of the exam.
///
/// # Errors
/// Storage errors.
pub async fn for_student(taker: &ExamTaker) -> Result<StudentResults, StoreError> {
    let (exam, student) = (taker.exam.id, taker.student);
    let read = taker
        .db
        .read(move |conn| {
            let Some(release) = store::release(conn, exam)?.filter(|r| r.released) else {
                return Ok(None);
            };
            let Some(submission) = results_store::submission_of(conn, exam, student)? else {
                return Ok(Some((release, None)));
            };
            let results = results_store::results_of(conn, submission.id)?;
            let marks = store::history(conn, submission.id)?;
            let options = store::options(conn, exam)?;
            Ok(Some((release, Some((results, marks, store::schemes(conn, exam)?, options)))))
        })
        .await?;
    let Some((release, of_submission)) = read else { return Ok(StudentResults::NotReleased) };
    let Some((results, marks, schemes, options)) = of_submission else {
        return Ok(StudentResults::NothingSubmitted);
    };
    let questions = questions(&taker.exam);
    let outcomes: HashMap<(QuestionId, &str), Outcome> =
        results.iter().map(|r| ((r.result.question, r.result.test_sha256.as_str()), r.result.outcome)).collect();
    let passed = outcomes.iter().map(|(key, outcome)| (*key, *outcome == Outcome::Passed)).collect();
    // The latest first mark of each question (the history is oldest first).
    let firsts: HashMap<(QuestionId, Marker), &NewMark> = marks
        .iter()
        .filter(|m| m.mark.marker == Marker::First)
        .map(|m| ((m.mark.question, Marker::First), &m.mark))
        .collect();
    let inputs = scores::Inputs { passed: &passed, schemes: &schemes, marks: &firsts };
    let (scores, total_hundredths) = scores::scores(&questions, &inputs);
    let actual: HashMap<(QuestionId, &str), &str> = results
        .iter()
        .map(|r| ((r.result.question, r.result.test_sha256.as_str()), r.result.actual.as_str()))
        .collect();
    let per_question = questions
        .iter()
        .zip(scores)
        .map(|(question, score)| {
            let mark = firsts.get(&(question.id, Marker::First));
            let scheme = schemes.get(&question.id).cloned().unwrap_or_else(|| Scheme::equal(question.tests.len()));
            let awarded = scores::current_awards(&scheme, mark.copied()).map(<[usize]>::to_vec).unwrap_or_default();
            let rubric = scheme.rubric.into_iter().enumerate().map(|(n, item)| (item, awarded.contains(&n))).collect();
            let (visible, hidden): (Vec<_>, Vec<_>) =
                question.tests.iter().partition(|t| t.spec.visibility == Visibility::Visible);
            let hidden_passed = hidden
                .iter()
                .filter(|t| outcomes.get(&(question.id, t.sha256.as_str())) == Some(&Outcome::Passed))
                .count();
            QuestionResult {
                question: question.id,
                title: question.title.clone(),
                max_points: question.points,
                points_hundredths: score.points_hundredths,
                source: score.first.source,
                feedback: mark.map(|m| m.feedback.clone()).unwrap_or_default(),
                rubric,
                visible: visible
                    .iter()
                    .map(|t| VisibleTest {
                        position: t.position,
                        kind: t.spec.kind,
                        expression: t.spec.expression.clone(),
                        stdin: t.spec.stdin.clone(),
                        expected: t.spec.expected.clone(),
                        outcome: outcomes.get(&(question.id, t.sha256.as_str())).copied(),
                        actual: actual
                            .get(&(question.id, t.sha256.as_str()))
                            .map(|a| (*a).to_owned())
                            .unwrap_or_default(),
                    })
                    .collect(),
                hidden: (options.hidden_counts && !hidden.is_empty()).then_some((hidden_passed, hidden.len())),
            }
        })
        .collect();
    Ok(StudentResults::Released {
        released_at: release.made_at,
        total_hundredths,
        max_points: questions.iter().map(|q| q.points).sum(),
        questions: per_question,
    })
}
