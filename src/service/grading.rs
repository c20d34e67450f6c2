//! Grading an exam's submissions, for its course's instructors and
//! reviewers. The server never runs a student's code: a grader's browser
//! runs each submission's answers against every test of its question (the
//! hidden ones too) in the Python sandbox, one fresh interpreter per
//! submission, and reports each result here as it arrives
//! ([`crate::store::grading`]), so a closed tab loses nothing and grading
//! goes on where it stopped.
//!
//! A question's points come from its tests, each weighing the same: the
//! share of tests passed, once every test has a result. A result counts
//! only for the code it ran on and the test as it ran: a test changed since
//! is graded again, and the older result is kept beside the new one.

use std::collections::HashMap;

use super::ExamStaff;
use crate::domain::receipt::sha256_hex;
use crate::domain::{QuestionId, SubmissionId, TestSpec};
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::attempts::submissions;
use crate::store::grading::{self as store, NewResult, StoredResult, Submission};

/// The longest excerpt of expected and actual values and of output that a
/// result keeps, in characters; the browser cuts longer ones.
pub const MAX_EXCERPT_CHARS: usize = 4000;
/// The longest a test may have run: the browser stops a test long before.
pub const MAX_DURATION_MS: u32 = 600_000;

/// A test to run, with what names its result.
#[derive(Debug, Clone)]
pub struct GradingTest {
    /// Its place in the question, from 0.
    pub position: usize,
    /// The test.
    pub spec: TestSpec,
    /// [`TestSpec::sha256`].
    pub sha256: String,
}

/// A question with its points and tests.
#[derive(Debug, Clone)]
pub struct GradingQuestion {
    /// Identifier.
    pub id: QuestionId,
    /// Title.
    pub title: String,
    /// Its maximum.
    pub points: u32,
    /// Tests in order.
    pub tests: Vec<GradingTest>,
}

/// A question's score on one submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionScore {
    /// The question.
    pub question: QuestionId,
    /// Its tests.
    pub tests: usize,
    /// Its tests with a result for this code.
    pub graded: usize,
    /// Those passed.
    pub passed: usize,
    /// Points in hundredths, once every test has a result (and the
    /// question has tests).
    pub points_hundredths: Option<u64>,
}

/// A submission with its scores.
#[derive(Debug, Clone)]
pub struct SubmissionScores {
    /// The submission.
    pub submission: Submission,
    /// Per question, in exam order.
    pub scores: Vec<QuestionScore>,
    /// The sum of the questions' points, once each has them.
    pub total_hundredths: Option<u64>,
}

/// An exam's grading: what to run and how far it has come.
#[derive(Debug, Clone)]
pub struct Grading {
    /// Questions in exam order.
    pub questions: Vec<GradingQuestion>,
    /// The latest submission of every attempt, by name.
    pub submissions: Vec<SubmissionScores>,
}

/// An answer to grade.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The question.
    pub question: QuestionId,
    /// The code, as submitted.
    pub code: String,
}

/// One submission's work: its answers and the results stored so far.
#[derive(Debug, Clone)]
pub struct SubmissionWork {
    /// The submission.
    pub submission: Submission,
    /// Its answers, in exam order.
    pub answers: Vec<Answer>,
    /// Every result stored for it, oldest first (older tests' too).
    pub results: Vec<StoredResult>,
}

fn questions(on: &ExamStaff) -> Vec<GradingQuestion> {
    on.exam
        .question_ids
        .iter()
        .zip(&on.exam.spec.questions)
        .map(|(id, question)| GradingQuestion {
            id: *id,
            title: question.title.clone(),
            points: question.points,
            tests: question
                .tests
                .iter()
                .enumerate()
                .map(|(position, spec)| GradingTest { position, spec: spec.clone(), sha256: spec.sha256() })
                .collect(),
        })
        .collect()
}

/// Scores of one submission from its results, by question and test SHA-256.
fn scores(
    questions: &[GradingQuestion],
    passed: &HashMap<(QuestionId, &str), bool>,
) -> (Vec<QuestionScore>, Option<u64>) {
    let scores: Vec<QuestionScore> = questions
        .iter()
        .map(|question| {
            let outcomes: Vec<bool> = question
                .tests
                .iter()
                .filter_map(|test| passed.get(&(question.id, test.sha256.as_str())).copied())
                .collect();
            let tests = question.tests.len();
            let passing = outcomes.iter().filter(|passed| **passed).count();
            let points_hundredths = (tests > 0 && outcomes.len() == tests)
                .then(|| u64::from(question.points) * 100 * passing as u64 / tests as u64);
            QuestionScore { question: question.id, tests, graded: outcomes.len(), passed: passing, points_hundredths }
        })
        .collect();
    let total = scores.iter().map(|score| score.points_hundredths).sum::<Option<u64>>();
    (scores, total)
}

/// The exam's tests and every latest submission with its scores so far.
///
/// # Errors
/// Storage errors.
pub async fn overview(on: &ExamStaff) -> Result<Grading, StoreError> {
    let exam = on.exam.id;
    let (submissions, results) =
        on.staff.db.read(move |conn| Ok((store::submissions(conn, exam)?, store::passed_of_exam(conn, exam)?))).await?;
    let questions = questions(on);
    let mut by_submission: HashMap<SubmissionId, HashMap<(QuestionId, &str), bool>> = HashMap::new();
    for (submission, question, test, passed) in &results {
        by_submission.entry(*submission).or_default().insert((*question, test.as_str()), *passed);
    }
    let empty = HashMap::new();
    let submissions = submissions
        .into_iter()
        .map(|submission| {
            let (scores, total_hundredths) = scores(&questions, by_submission.get(&submission.id).unwrap_or(&empty));
            SubmissionScores { submission, scores, total_hundredths }
        })
        .collect();
    Ok(Grading { questions, submissions })
}

/// Submission `id` of this exam to grade: its answers and stored results.
///
/// # Errors
/// [`StoreError::NotFound`] unless it is the latest submission of an
/// attempt of this exam; storage errors.
pub async fn work(on: &ExamStaff, id: SubmissionId) -> Result<SubmissionWork, StoreError> {
    let exam = on.exam.id;
    let (submission, mut codes, results) = on
        .staff
        .db
        .read(move |conn| {
            let submission =
                store::submission(conn, exam, id)?.ok_or_else(|| StoreError::NotFound("submission".to_owned()))?;
            Ok((submission, submissions::codes(conn, &id)?, store::results_of(conn, id)?))
        })
        .await?;
    let answers = on
        .exam
        .question_ids
        .iter()
        .map(|question| Answer { question: *question, code: codes.remove(question).unwrap_or_default() })
        .collect();
    Ok(SubmissionWork { submission, answers, results })
}

fn excerpt(field: &'static str, text: &str) -> Result<(), StoreError> {
    if text.chars().count() > MAX_EXCERPT_CHARS {
        return Err(StoreError::invalid(field, format!("{field}: at most {MAX_EXCERPT_CHARS} characters (cut it)")));
    }
    Ok(())
}

/// Checks one reported result against the exam's current tests.
fn check(questions: &[GradingQuestion], result: &NewResult) -> Result<(), StoreError> {
    let question = questions
        .iter()
        .find(|q| q.id == result.question)
        .ok_or_else(|| StoreError::invalid("question_id", "question_id: not a question of this exam"))?;
    if !question.tests.iter().any(|test| test.sha256 == result.test_sha256) {
        return Err(StoreError::WrongState(
            "the question's tests have changed since grading began: reload the page to grade with the current tests"
                .to_owned(),
        ));
    }
    for (field, text) in [
        ("expected", &result.expected),
        ("actual", &result.actual),
        ("stdout", &result.stdout),
        ("stderr", &result.stderr),
    ] {
        excerpt(field, text)?;
    }
    if result.duration_ms > MAX_DURATION_MS {
        return Err(StoreError::invalid("duration_ms", format!("duration_ms: at most {MAX_DURATION_MS}")));
    }
    Ok(())
}

/// Stores `results` of submission `id`, as the grader's browser ran them on
/// its frozen answers; results already stored for the same code and test
/// stay as they were. Returns how many were new.
///
/// # Errors
/// [`StoreError::NotFound`] unless it is the latest submission of an
/// attempt of this exam; [`StoreError::Invalid`] for a question not of the
/// exam, an excerpt too long or too many results;
/// [`StoreError::WrongState`] for a test that is no longer the question's.
pub async fn record(
    state: &AppState,
    on: &ExamStaff,
    id: SubmissionId,
    results: Vec<NewResult>,
) -> Result<usize, StoreError> {
    let questions = questions(on);
    let most: usize = questions.iter().map(|question| question.tests.len()).sum();
    if results.len() > most.max(1) {
        return Err(StoreError::invalid("results", format!("results: at most {most}, one per test of the exam")));
    }
    for result in &results {
        check(&questions, result)?;
    }
    let (exam, by, now) = (on.exam.id, on.staff.user, state.clock().now());
    on.staff
        .db
        .write(move |conn| {
            store::submission(conn, exam, id)?.ok_or_else(|| StoreError::NotFound("submission".to_owned()))?;
            let code = submissions::codes(conn, &id)?;
            // Each answer's code hashed once, for the questions this report is about.
            let mut hashed: HashMap<QuestionId, String> = HashMap::new();
            let rows: Vec<(NewResult, String)> = results
                .into_iter()
                .map(|result| {
                    let sha256 = hashed
                        .entry(result.question)
                        .or_insert_with(|| sha256_hex(code.get(&result.question).map_or("", String::as_str)))
                        .clone();
                    (result, sha256)
                })
                .collect();
            store::record(conn, id, &rows, by, now)
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{TestKind, Visibility};

    fn question(points: u32, tests: usize) -> GradingQuestion {
        let tests = (0..tests)
            .map(|position| {
                let spec = TestSpec {
                    visibility: Visibility::Hidden,
                    kind: TestKind::Function,
                    expression: format!("f({position})"),
                    stdin: String::new(),
                    expected: position.to_string(),
                    ignore_trailing_whitespace: true,
                };
                GradingTest { position, sha256: spec.sha256(), spec }
            })
            .collect();
        GradingQuestion { id: QuestionId::generate(), title: "Q".to_owned(), points, tests }
    }

    #[test]
    fn points_are_the_share_of_tests_passed_once_every_test_has_a_result() {
        let (q1, q2) = (question(10, 3), question(5, 2));
        let mut passed = HashMap::new();
        passed.insert((q1.id, q1.tests[0].sha256.as_str()), true);
        passed.insert((q1.id, q1.tests[1].sha256.as_str()), false);
        let questions = [q1.clone(), q2.clone()];
        let (partial, total) = scores(&questions, &passed);
        assert_eq!((partial[0].graded, partial[0].passed, partial[0].points_hundredths), (2, 1, None));
        assert_eq!(total, None, "no total before every test has a result");

        passed.insert((q1.id, q1.tests[2].sha256.as_str()), true);
        passed.insert((q2.id, q2.tests[0].sha256.as_str()), false);
        passed.insert((q2.id, q2.tests[1].sha256.as_str()), false);
        let (done, total) = scores(&questions, &passed);
        assert_eq!(done[0].points_hundredths, Some(666), "10 points × 2/3, in hundredths, rounded down");
        assert_eq!(done[1].points_hundredths, Some(0));
        assert_eq!(total, Some(666));
    }

    #[test]
    fn a_result_for_a_test_as_it_was_before_an_edit_does_not_count() {
        let q = question(4, 1);
        let mut edited = q.tests[0].spec.clone();
        edited.expected = "41".to_owned();
        let old = edited.sha256();
        assert_ne!(old, q.tests[0].sha256);
        let mut passed = HashMap::new();
        passed.insert((q.id, old.as_str()), true);
        let (scores, total) = scores(std::slice::from_ref(&q), &passed);
        assert_eq!((scores[0].graded, total), (0, None));
    }

    #[test]
    fn a_question_without_tests_gets_no_points_from_tests() {
        let q = question(3, 0);
        let (scores, total) = scores(std::slice::from_ref(&q), &HashMap::new());
        assert_eq!((scores[0].points_hundredths, total), (None, None));
    }
}
