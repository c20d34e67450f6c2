//! A student's own results, as their exam page reads them: nothing before
//! release, then their points, feedback, rubric and visible tests' results
//! ([`crate::service::grading::results`]). Hidden tests appear at most as
//! counts.

use serde::Serialize;

use super::grading::points;
use crate::domain::{QuestionId, TestKind, Timestamp};
use crate::service::grading::results::{QuestionResult, StudentResults, VisibleTest};
use crate::service::grading::scores::Source;
use crate::store::grading::Outcome;

/// `GET /api/v1/me/exams/{id}/results`.
#[derive(Serialize)]
pub struct StudentResultsBody {
    /// Whether the results are released (nothing else is there until they are).
    released: bool,
    /// Whether the student handed anything in.
    submitted: bool,
    released_at: Option<Timestamp>,
    total: Option<f64>,
    max_points: Option<u32>,
    questions: Vec<QuestionResultBody>,
}

#[derive(Serialize)]
struct RubricLineBody {
    description: String,
    points: f64,
    awarded: bool,
}

#[derive(Serialize)]
struct VisibleTestBody {
    position: usize,
    kind: TestKind,
    expression: String,
    stdin: String,
    expected: String,
    /// `null` when it was never run.
    outcome: Option<Outcome>,
    actual: String,
}

#[derive(Serialize)]
struct HiddenCountBody {
    passed: usize,
    total: usize,
}

#[derive(Serialize)]
struct QuestionResultBody {
    question_id: QuestionId,
    title: String,
    max_points: u32,
    points: Option<f64>,
    /// `computed` (tests and rubric) or `override` (a grader's own points).
    source: Source,
    feedback: String,
    rubric: Vec<RubricLineBody>,
    visible_tests: Vec<VisibleTestBody>,
    /// Hidden tests passed, when the instructor shows them.
    hidden_tests: Option<HiddenCountBody>,
}

impl From<VisibleTest> for VisibleTestBody {
    fn from(t: VisibleTest) -> Self {
        Self {
            position: t.position,
            kind: t.kind,
            expression: t.expression,
            stdin: t.stdin,
            expected: t.expected,
            outcome: t.outcome,
            actual: t.actual,
        }
    }
}

impl From<QuestionResult> for QuestionResultBody {
    fn from(q: QuestionResult) -> Self {
        Self {
            question_id: q.question,
            title: q.title,
            max_points: q.max_points,
            points: q.points_hundredths.map(points),
            source: q.source,
            feedback: q.feedback,
            rubric: q
                .rubric
                .into_iter()
                .map(|(item, awarded)| RubricLineBody {
                    description: item.description,
                    points: points(item.points_hundredths),
                    awarded,
                })
                .collect(),
            visible_tests: q.visible.into_iter().map(VisibleTestBody::from).collect(),
            hidden_tests: q.hidden.map(|(passed, total)| HiddenCountBody { passed, total }),
        }
    }
}

impl From<StudentResults> for StudentResultsBody {
    fn from(r: StudentResults) -> Self {
        let empty = |released: bool| Self {
            released,
            submitted: false,
            released_at: None,
            total: None,
            max_points: None,
            questions: Vec::new(),
        };
        match r {
            StudentResults::NotReleased => empty(false),
            StudentResults::NothingSubmitted => empty(true),
            StudentResults::Released { released_at, total_hundredths, max_points, questions } => Self {
                released: true,
                submitted: true,
                released_at: Some(released_at),
                total: total_hundredths.map(points),
                max_points: Some(max_points),
                questions: questions.into_iter().map(QuestionResultBody::from).collect(),
            },
        }
    }
}
