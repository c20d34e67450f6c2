//! Grading an exam's submissions, for its course's instructors and
//! reviewers. The server never runs a student's code: a grader's browser
//! runs each submission's answers against every test of its question (the
//! hidden ones too) in the Python sandbox, one fresh interpreter per
//! submission, and reports each result here as it arrives
//! ([`crate::store::grading`]), so a closed tab loses nothing and grading
//! goes on where it stopped.
//!
//! A question's points come from its tests (by weight) and its rubric, as
//! its scheme divides them ([`scores`]), or from a grader's override
//! ([`marking`]). A result counts only for the code it ran on and the test
//! as it ran: a test changed since is graded again, and the older result is
//! kept beside the new one. Students see their results once released
//! ([`results`]).

pub mod marking;
pub mod results;
pub mod scores;

use std::collections::HashMap;

pub use self::scores::QuestionScore;
use super::ExamStaff;
use crate::domain::marking::{Marker, Scheme};
use crate::domain::receipt::sha256_hex;
use crate::domain::{ExamId, QuestionId, SubmissionId, TestSpec};
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::attempts::submissions;
use crate::store::exams::Exam;
use crate::store::grading::{self as store, NewResult, StoredResult, Submission};
use crate::store::marking::{self as marking_store, Mark, NewMark, Options, Release};

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

/// A submission with its scores.
#[derive(Debug, Clone)]
pub struct SubmissionScores {
    /// The submission (names blanked while marking is anonymous).
    pub submission: Submission,
    /// Per question, in exam order.
    pub scores: Vec<QuestionScore>,
    /// The sum of the questions' points, once each has them.
    pub total_hundredths: Option<u64>,
    /// Integrity signals and similarity pairs of the attempt that stand
    /// referred: reviews its grade may wait on.
    pub referred: usize,
}

/// An exam's grading: what to run and how far it has come.
#[derive(Debug, Clone)]
pub struct Grading {
    /// Questions in exam order.
    pub questions: Vec<GradingQuestion>,
    /// Each question's scheme, in exam order.
    pub schemes: Vec<Scheme>,
    /// The exam's marking options.
    pub options: Options,
    /// Whether the results are released, by whom and when.
    pub release: Option<Release>,
    /// Whether names are hidden from graders now.
    pub anonymous: bool,
    /// The latest submission of every attempt, by name (or by label).
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
    /// Every mark given it, oldest first.
    pub marks: Vec<Mark>,
    /// Whether names are hidden from graders now.
    pub anonymous: bool,
}

fn questions(exam: &Exam) -> Vec<GradingQuestion> {
    exam.question_ids
        .iter()
        .zip(&exam.spec.questions)
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

/// The exam's tests and every latest submission with its scores so far.
///
/// # Errors
/// Storage errors.
pub async fn overview(on: &ExamStaff) -> Result<Grading, StoreError> {
    let exam = on.exam.id;
    let stored = on.staff.db.read(move |conn| Stored::read(conn, exam)).await?;
    Ok(stored.grading(questions(&on.exam)))
}

impl Stored {
    /// The grading these rows make, for the exam's questions `questions`.
    fn grading(self, questions: Vec<GradingQuestion>) -> Grading {
        // Taken whole: the maps below borrow its rows, the result takes the rest.
        let stored = self;
        let anonymous = stored.label_key.is_some();
        let mut passed: HashMap<SubmissionId, HashMap<(QuestionId, &str), bool>> = HashMap::new();
        for (submission, question, test, ok) in &stored.passed {
            passed.entry(*submission).or_default().insert((*question, test.as_str()), *ok);
        }
        let mut marks: HashMap<SubmissionId, HashMap<(QuestionId, Marker), &NewMark>> = HashMap::new();
        for mark in &stored.marks {
            marks.entry(mark.submission).or_default().insert((mark.mark.question, mark.mark.marker), &mark.mark);
        }
        let (no_results, no_marks) = (HashMap::new(), HashMap::new());
        let mut submissions: Vec<SubmissionScores> = stored
            .submissions
            .iter()
            .map(|submission| {
                let inputs = scores::Inputs {
                    passed: passed.get(&submission.id).unwrap_or(&no_results),
                    schemes: &stored.schemes,
                    marks: marks.get(&submission.id).unwrap_or(&no_marks),
                };
                let (scores, total_hundredths) = scores::scores(&questions, &inputs);
                let referred = stored.referred.get(&submission.attempt).copied().unwrap_or(0);
                let submission = match &stored.label_key {
                    Some(key) => anonymised(key, submission.clone()),
                    None => submission.clone(),
                };
                SubmissionScores { submission, scores, total_hundredths, referred }
            })
            .collect();
        if anonymous {
            submissions.sort_by(|a, b| a.submission.name.cmp(&b.submission.name));
        }
        let equal = |q: &GradingQuestion| Scheme::equal(q.tests.len());
        let schemes =
            questions.iter().map(|q| stored.schemes.get(&q.id).cloned().unwrap_or_else(|| equal(q))).collect();
        Grading { questions, schemes, options: stored.options, release: stored.release, anonymous, submissions }
    }
}

/// What an exam's grading reads, in one read transaction.
struct Stored {
    submissions: Vec<Submission>,
    passed: Vec<(SubmissionId, QuestionId, String, bool)>,
    schemes: HashMap<QuestionId, Scheme>,
    marks: Vec<Mark>,
    options: Options,
    release: Option<Release>,
    referred: HashMap<crate::domain::AttemptId, usize>,
    /// The key of the labels, while names are hidden.
    label_key: Option<String>,
}

impl Stored {
    fn read(conn: &rusqlite::Connection, exam: ExamId) -> Result<Self, StoreError> {
        Ok(Self {
            submissions: store::submissions(conn, exam)?,
            passed: store::passed_of_exam(conn, exam)?,
            schemes: marking_store::schemes(conn, exam)?,
            marks: marking_store::latest_of_exam(conn, exam)?,
            options: marking_store::options(conn, exam)?,
            release: marking_store::release(conn, exam)?,
            referred: marking_store::referred(conn, exam)?,
            label_key: hiding_names(conn, exam)?,
        })
    }
}

/// The key of the exam's anonymous labels while names are hidden from
/// graders (anonymous marking, results not released); `None` otherwise.
fn hiding_names(conn: &rusqlite::Connection, exam: ExamId) -> Result<Option<String>, StoreError> {
    let hidden = marking_store::options(conn, exam)?.anonymous
        && !marking_store::release(conn, exam)?.is_some_and(|r| r.released);
    if !hidden {
        return Ok(None);
    }
    marking_store::label_key(conn, exam)
}

/// A submission as anonymous marking shows it: a label that stays the same
/// for the exam, keyed with the exam's own secret (so no one who can list
/// attempts can work it out), no name, no address.
fn anonymised(key: &str, mut submission: Submission) -> Submission {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key.as_bytes());
    let tag = ring::hmac::sign(&key, submission.attempt.to_string().as_bytes());
    submission.name = format!("Candidate {}", hex::encode(&tag.as_ref()[..4]).to_uppercase());
    submission.email.clear();
    submission
}

/// Submission `id` of this exam to grade: its answers and stored results.
///
/// # Errors
/// [`StoreError::NotFound`] unless it is the latest submission of an
/// attempt of this exam; storage errors.
pub async fn work(on: &ExamStaff, id: SubmissionId) -> Result<SubmissionWork, StoreError> {
    let exam = on.exam.id;
    let (submission, mut codes, results, marks, hidden) = on
        .staff
        .db
        .read(move |conn| {
            let submission =
                store::submission(conn, exam, id)?.ok_or_else(|| StoreError::NotFound("submission".to_owned()))?;
            let hidden = hiding_names(conn, exam)?;
            let codes = submissions::codes(conn, &id)?;
            Ok((submission, codes, store::results_of(conn, id)?, marking_store::history(conn, id)?, hidden))
        })
        .await?;
    let answers = on
        .exam
        .question_ids
        .iter()
        .map(|question| Answer { question: *question, code: codes.remove(question).unwrap_or_default() })
        .collect();
    let anonymous = hidden.is_some();
    let submission = match &hidden {
        Some(key) => anonymised(key, submission),
        None => submission,
    };
    Ok(SubmissionWork { submission, answers, results, marks, anonymous })
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
    let questions = questions(&on.exam);
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
