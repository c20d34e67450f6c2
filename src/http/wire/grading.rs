//! An exam's grading as its graders read it: the tests to run (the hidden
//! ones too: only the course's instructors and reviewers get this), every
//! latest submission with its scores so far, and one submission's answers
//! with the results stored for it.

use serde::{Deserialize, Serialize};

use crate::domain::marking::{Marker, RubricItem, Scheme, hundredths};
use crate::domain::{AttemptId, QuestionId, SubmissionId, TestKind, Timestamp, UserId, Visibility};
use crate::service::grading::scores::QuestionScore;
use crate::service::grading::scores::Source;
use crate::service::grading::{Grading, GradingQuestion, SubmissionScores, SubmissionWork};
use crate::store::grading::{Outcome, StoredResult, Submission};
use crate::store::marking::{Mark, Options, Release};

/// Points from hundredths, as the page shows them (two decimals at most).
#[must_use]
pub fn points(hundredths: u64) -> f64 {
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
    options: OptionsBody,
    release: Option<ReleaseBody>,
    /// Names are hidden from graders now (anonymous marking, not released).
    anonymous: bool,
    /// The caller may set schemes and options and release (an instructor).
    may_release: bool,
}

/// An exam's marking options, as read and as set.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionsBody {
    /// Names hidden from graders until release.
    pub anonymous: bool,
    /// A second grader marks beside the first.
    pub second_marker: bool,
    /// Students see how many hidden tests they passed.
    pub hidden_counts: bool,
}

impl From<Options> for OptionsBody {
    fn from(o: Options) -> Self {
        Self { anonymous: o.anonymous, second_marker: o.second_marker, hidden_counts: o.hidden_counts }
    }
}

impl From<OptionsBody> for Options {
    fn from(o: OptionsBody) -> Self {
        Self { anonymous: o.anonymous, second_marker: o.second_marker, hidden_counts: o.hidden_counts }
    }
}

#[derive(Serialize)]
struct ReleaseBody {
    released: bool,
    made_by: UserId,
    made_by_name: String,
    made_at: Timestamp,
}

impl From<Release> for ReleaseBody {
    fn from(r: Release) -> Self {
        Self { released: r.released, made_by: r.made_by.0, made_by_name: r.made_by.1, made_at: r.made_at }
    }
}

/// A rubric item, as read and as set: points with up to two decimals.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RubricItemBody {
    /// What earns it.
    pub description: String,
    /// What it is worth.
    pub points: f64,
}

/// A question's scheme, as read and as set.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchemeBody {
    /// One weight per test, in order.
    pub test_weights: Vec<u32>,
    /// Rubric items, in order.
    pub rubric: Vec<RubricItemBody>,
}

impl From<&Scheme> for SchemeBody {
    fn from(s: &Scheme) -> Self {
        Self {
            test_weights: s.test_weights.clone(),
            rubric: s
                .rubric
                .iter()
                .map(|item| RubricItemBody {
                    description: item.description.clone(),
                    points: points(item.points_hundredths),
                })
                .collect(),
        }
    }
}

impl SchemeBody {
    /// The scheme, points in hundredths.
    ///
    /// # Errors
    /// Points with more than two decimals, or negative.
    pub fn into_scheme(self) -> Result<Scheme, crate::domain::InvalidValue> {
        let rubric = self
            .rubric
            .into_iter()
            .map(|item| {
                Ok(RubricItem { description: item.description, points_hundredths: hundredths("rubric", item.points)? })
            })
            .collect::<Result<_, crate::domain::InvalidValue>>()?;
        Ok(Scheme { test_weights: self.test_weights, rubric })
    }
}

#[derive(Serialize)]
struct QuestionBody {
    id: QuestionId,
    title: String,
    points: u32,
    tests: Vec<TestBody>,
    scheme: SchemeBody,
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
    /// `null` while marking is anonymous (the attempt's pages name the student).
    attempt_id: Option<AttemptId>,
    /// `null` while marking is anonymous.
    user_id: Option<UserId>,
    /// The student's name, or their label while marking is anonymous.
    name: String,
    /// `null` while marking is anonymous.
    email: Option<String>,
    /// `null` while marking is anonymous (the monitor shows when each student handed in).
    submitted_at: Option<Timestamp>,
    scores: Vec<ScoreBody>,
    /// `null` until every question has its points.
    total: Option<f64>,
    /// Integrity signals and similarity pairs of the attempt that stand referred.
    referred: usize,
}

#[derive(Serialize)]
struct ScoreBody {
    question_id: QuestionId,
    tests: usize,
    graded: usize,
    passed: usize,
    /// The points that count; `null` until every part is known.
    points: Option<f64>,
    /// `computed` (tests and rubric) or `override`.
    source: Source,
    /// From the tests, once each has a result.
    test_points: Option<f64>,
    /// From the rubric, once marked.
    rubric_points: Option<f64>,
    /// The second marker's points, when they marked it.
    second_points: Option<f64>,
    /// Both markers have points and they differ.
    markers_differ: bool,
    /// The question's scheme still fits it; when not, it computes nothing until set again.
    scheme_fits: bool,
    /// The first marker wrote feedback.
    feedback: bool,
}

impl QuestionBody {
    fn new(q: &GradingQuestion, scheme: &Scheme) -> Self {
        Self {
            scheme: SchemeBody::from(scheme),
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
            source: s.first.source,
            test_points: s.first.test_points.map(points),
            rubric_points: s.first.rubric_points.map(points),
            second_points: s.second.as_ref().and_then(|m| m.points).map(points),
            markers_differ: s.markers_differ(),
            scheme_fits: s.scheme_fits,
            feedback: s.feedback,
        }
    }
}

impl SubmissionRow {
    fn new(s: SubmissionScores, anonymous: bool) -> Self {
        let Submission { id, attempt, user, name, email, submitted_at } = s.submission;
        Self {
            submission_id: id,
            attempt_id: (!anonymous).then_some(attempt),
            user_id: (!anonymous).then_some(user),
            name,
            email: (!anonymous).then_some(email),
            submitted_at: (!anonymous).then_some(submitted_at),
            scores: s.scores.into_iter().map(ScoreBody::from).collect(),
            total: s.total_hundredths.map(points),
            referred: s.referred,
        }
    }
}

impl GradingBody {
    /// The grading, for a caller who may release (`may_release`) or not.
    #[must_use]
    pub fn new(g: Grading, may_release: bool) -> Self {
        let anonymous = g.anonymous;
        Self {
            max_points: g.questions.iter().map(|q| q.points).sum(),
            questions: g.questions.iter().zip(&g.schemes).map(|(q, s)| QuestionBody::new(q, s)).collect(),
            submissions: g.submissions.into_iter().map(|s| SubmissionRow::new(s, anonymous)).collect(),
            options: g.options.into(),
            release: g.release.map(ReleaseBody::from),
            anonymous,
            may_release,
        }
    }
}

/// `GET .../grading/submissions/{id}`.
#[derive(Serialize)]
pub struct SubmissionWorkBody {
    submission_id: SubmissionId,
    /// `null` while marking is anonymous.
    attempt_id: Option<AttemptId>,
    name: String,
    /// `null` while marking is anonymous.
    email: Option<String>,
    answers: Vec<AnswerBody>,
    results: Vec<ResultBody>,
    /// Every mark given, oldest first.
    marks: Vec<MarkBody>,
}

#[derive(Serialize)]
struct MarkBody {
    question_id: QuestionId,
    marker: Marker,
    /// Rubric items awarded (positions); `null` when the rubric was not marked.
    rubric: Option<Vec<usize>>,
    /// Points replacing the computed ones; `null` for none.
    points: Option<f64>,
    feedback: String,
    marked_by: UserId,
    marked_by_name: String,
    marked_at: Timestamp,
}

impl From<Mark> for MarkBody {
    fn from(m: Mark) -> Self {
        Self {
            question_id: m.mark.question,
            marker: m.mark.marker,
            rubric: m.mark.rubric.map(|(awarded, _)| awarded),
            points: m.mark.override_hundredths.map(points),
            feedback: m.mark.feedback,
            marked_by: m.marked_by.0,
            marked_by_name: m.marked_by.1,
            marked_at: m.marked_at,
        }
    }
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
            attempt_id: (!w.anonymous).then_some(w.submission.attempt),
            name: w.submission.name,
            email: (!w.anonymous).then_some(w.submission.email),
            answers: w.answers.into_iter().map(|a| AnswerBody { question_id: a.question, code: a.code }).collect(),
            results: w.results.into_iter().map(ResultBody::from).collect(),
            marks: w.marks.into_iter().map(MarkBody::from).collect(),
        }
    }
}

/// The answer to reported results.
#[derive(Serialize)]
pub struct RecordedBody {
    /// How many were new (a result already stored is not stored again).
    pub stored: usize,
}
