//! An exam's grading as its graders read it: the tests to run (the hidden
//! ones too: only the course's instructors and reviewers get this), every
//! latest submission with its scores so far, and one submission's answers
//! with the results stored for it.

use serde::Serialize;

use crate::domain::{AttemptId, QuestionId, SubmissionId, TestKind, Timestamp, UserId, Visibility};
use crate::service::grading::{Grading, GradingQuestion, QuestionScore, SubmissionScores, SubmissionWork};
use crate::store::grading::{Outcome, StoredResult, Submission};

/// Points from hundredths, as the page shows them (two decimals at most).
fn points(hundredths: u64) -> f64 {
    // Exact for any total an exam can have (well below 2^53 hundredths).
    #[allow(clippy::cast_precision_loss)]
    let points = hundredths as f64 / 100.0;
    points
}

/// `GET .../grading`.
#[derive(Serialize)]
pub struct GradingBody {
    questions: Vec<QuestionBody>,
    submissions: Vec<SubmissionRow>,
    /// The exam's maximum.
    max_points: u32,
}

#[derive(Serialize)]
struct QuestionBody {
    id: QuestionId,
    title: String,
    points: u32,
    tests: Vec<TestBody>,
}

#[derive(Serialize)]
struct TestBody {
    position: usize,
    /// What names the test's results.
    sha256: String,
    visibility: Visibility,
    kind: TestKind,
    expression: String,
    stdin: String,
    expected: String,
    ignore_trailing_whitespace: bool,
}

#[derive(Serialize)]
struct SubmissionRow {
    submission_id: SubmissionId,
    attempt_id: AttemptId,
    user_id: UserId,
    name: String,
    email: String,
    submitted_at: Timestamp,
    scores: Vec<ScoreBody>,
    /// `null` until every question has its points.
    total: Option<f64>,
}

#[derive(Serialize)]
struct ScoreBody {
    question_id: QuestionId,
    tests: usize,
    graded: usize,
    passed: usize,
    /// `null` until every test of the question has a result.
    points: Option<f64>,
}

impl From<&GradingQuestion> for QuestionBody {
    fn from(q: &GradingQuestion) -> Self {
        Self {
            id: q.id,
            title: q.title.clone(),
            points: q.points,
            tests: q
                .tests
                .iter()
                .map(|t| TestBody {
                    position: t.position,
                    sha256: t.sha256.clone(),
                    visibility: t.spec.visibility,
                    kind: t.spec.kind,
                    expression: t.spec.expression.clone(),
                    stdin: t.spec.stdin.clone(),
                    expected: t.spec.expected.clone(),
                    ignore_trailing_whitespace: t.spec.ignore_trailing_whitespace,
                })
                .collect(),
        }
    }
}

impl From<QuestionScore> for ScoreBody {
    fn from(s: QuestionScore) -> Self {
        Self {
            question_id: s.question,
            tests: s.tests,
            graded: s.graded,
            passed: s.passed,
            points: s.points_hundredths.map(points),
        }
    }
}

impl From<SubmissionScores> for SubmissionRow {
    fn from(s: SubmissionScores) -> Self {
        let Submission { id, attempt, user, name, email, submitted_at } = s.submission;
        Self {
            submission_id: id,
            attempt_id: attempt,
            user_id: user,
            name,
            email,
            submitted_at,
            scores: s.scores.into_iter().map(ScoreBody::from).collect(),
            total: s.total_hundredths.map(points),
        }
    }
}

impl From<Grading> for GradingBody {
    fn from(g: Grading) -> Self {
        Self {
            max_points: g.questions.iter().map(|q| q.points).sum(),
            questions: g.questions.iter().map(QuestionBody::from).collect(),
            submissions: g.submissions.into_iter().map(SubmissionRow::from).collect(),
        }
    }
}

/// `GET .../grading/submissions/{id}`.
#[derive(Serialize)]
pub struct SubmissionWorkBody {
    submission_id: SubmissionId,
    attempt_id: AttemptId,
    name: String,
    email: String,
    answers: Vec<AnswerBody>,
    results: Vec<ResultBody>,
}

#[derive(Serialize)]
struct AnswerBody {
    question_id: QuestionId,
    code: String,
}

#[derive(Serialize)]
struct ResultBody {
    question_id: QuestionId,
    test_sha256: String,
    code_sha256: String,
    outcome: Outcome,
    expected: String,
    actual: String,
    stdout: String,
    stderr: String,
    duration_ms: u32,
    graded_by: UserId,
    graded_by_name: String,
    recorded_at: Timestamp,
}

impl From<StoredResult> for ResultBody {
    fn from(r: StoredResult) -> Self {
        Self {
            question_id: r.result.question,
            test_sha256: r.result.test_sha256,
            code_sha256: r.code_sha256,
            outcome: r.result.outcome,
            expected: r.result.expected,
            actual: r.result.actual,
            stdout: r.result.stdout,
            stderr: r.result.stderr,
            duration_ms: r.result.duration_ms,
            graded_by: r.graded_by.0,
            graded_by_name: r.graded_by.1,
            recorded_at: r.recorded_at,
        }
    }
}

impl From<SubmissionWork> for SubmissionWorkBody {
    fn from(w: SubmissionWork) -> Self {
        Self {
            submission_id: w.submission.id,
            attempt_id: w.submission.attempt,
            name: w.submission.name,
            email: w.submission.email,
            answers: w.answers.into_iter().map(|a| AnswerBody { question_id: a.question, code: a.code }).collect(),
            results: w.results.into_iter().map(ResultBody::from).collect(),
        }
    }
}

/// The answer to reported results.
#[derive(Serialize)]
pub struct RecordedBody {
    /// How many were new (a result already stored is not stored again).
    pub stored: usize,
}
