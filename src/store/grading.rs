//! Grading results (org migration 0027): what one test of a question gave on
//! one frozen submission, run in the browser of one of the course's
//! instructors or reviewers. A result names the code it ran on (the SHA-256
//! of the submitted answer) and the test as it stood (its SHA-256,
//! [`crate::domain::TestSpec::sha256`]); rows are never changed, and a
//! re-run of the same code on the same test adds nothing.

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::StoreError;
use super::attempts::submissions::LATEST_OF_ATTEMPT;
use crate::clock::rfc3339;
use crate::domain::{AttemptId, ExamId, QuestionId, SubmissionId, Timestamp, UserId};

/// How a test ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The answer gave what the test expects.
    Passed,
    /// It gave something else.
    Failed,
    /// It raised an exception (or would not compile).
    Error,
    /// It ran past the test's time limit and was stopped.
    TimedOut,
}

/// A submission as grading sees it: the latest of its attempt.
#[derive(Debug, Clone)]
pub struct Submission {
    /// Identifier.
    pub id: SubmissionId,
    /// Its attempt.
    pub attempt: AttemptId,
    /// The student.
    pub user: UserId,
    /// The student's name.
    pub name: String,
    /// The student's e-mail.
    pub email: String,
    /// When it was made (the server's time).
    pub submitted_at: Timestamp,
}

/// A result as a grader's browser reports it.
#[derive(Debug, Clone)]
pub struct NewResult {
    /// The question.
    pub question: QuestionId,
    /// The test, as it ran.
    pub test_sha256: String,
    /// How it ended.
    pub outcome: Outcome,
    /// What the test expects (bounded excerpt).
    pub expected: String,
    /// What the answer gave (bounded excerpt).
    pub actual: String,
    /// Standard output (bounded excerpt).
    pub stdout: String,
    /// Standard error (bounded excerpt).
    pub stderr: String,
    /// How long it ran.
    pub duration_ms: u32,
}

/// A stored result.
#[derive(Debug, Clone)]
pub struct StoredResult {
    /// The submission.
    pub submission: SubmissionId,
    /// What the browser reported.
    pub result: NewResult,
    /// The code it ran on.
    pub code_sha256: String,
    /// Who graded it, and their name.
    pub graded_by: (UserId, String),
    /// When the server stored it.
    pub recorded_at: Timestamp,
}

fn submission_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Submission> {
    Ok(Submission {
        id: r.get(0)?,
        attempt: r.get(1)?,
        user: r.get(2)?,
        name: r.get(3)?,
        email: r.get(4)?,
        submitted_at: r.get(5)?,
    })
}

const SUBMISSION_COLUMNS: &str = "s.id, a.id, u.id, u.display_name, u.email, s.submitted_at";

/// The latest submission of every attempt of `exam`, by name.
///
/// # Errors
/// Storage errors.
pub fn submissions(conn: &Connection, exam: ExamId) -> Result<Vec<Submission>, StoreError> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {SUBMISSION_COLUMNS} FROM submissions s
         JOIN exam_sessions a ON a.id = s.session_id
         JOIN users u ON u.id = a.user_id
         WHERE a.exam_id = ?1 AND {LATEST_OF_ATTEMPT}
         ORDER BY u.display_name, u.email, a.id"
    ))?;
    let rows = statement.query_map([exam], submission_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The latest submission `user` made of `exam` (of their latest attempt,
/// should they have more than one): one student's results read only theirs.
///
/// # Errors
/// Storage errors.
pub fn submission_of(conn: &Connection, exam: ExamId, user: UserId) -> Result<Option<Submission>, StoreError> {
    Ok(conn
        .query_row(
            &format!(
                "SELECT {SUBMISSION_COLUMNS} FROM submissions s
                 JOIN exam_sessions a ON a.id = s.session_id
                 JOIN users u ON u.id = a.user_id
                 WHERE a.exam_id = ?1 AND a.user_id = ?2 AND {LATEST_OF_ATTEMPT}
                 ORDER BY s.submitted_at DESC LIMIT 1"
            ),
            params![exam, user],
            submission_from_row,
        )
        .optional()?)
}

/// Submission `id`, when it is the latest of an attempt of `exam`: an older
/// one was replaced, and grading it would grade what no longer counts.
///
/// # Errors
/// Storage errors.
pub fn submission(conn: &Connection, exam: ExamId, id: SubmissionId) -> Result<Option<Submission>, StoreError> {
    Ok(conn
        .query_row(
            &format!(
                "SELECT {SUBMISSION_COLUMNS} FROM submissions s
                 JOIN exam_sessions a ON a.id = s.session_id
                 JOIN users u ON u.id = a.user_id
                 WHERE s.id = ?2 AND a.exam_id = ?1 AND {LATEST_OF_ATTEMPT}"
            ),
            params![exam, id],
            submission_from_row,
        )
        .optional()?)
}

fn result_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredResult> {
    let outcome: String = r.get(3)?;
    Ok(StoredResult {
        submission: r.get(0)?,
        result: NewResult {
            question: r.get(1)?,
            test_sha256: r.get(2)?,
            outcome: super::enum_from(&outcome)?,
            expected: r.get(4)?,
            actual: r.get(5)?,
            stdout: r.get(6)?,
            stderr: r.get(7)?,
            duration_ms: r.get(8)?,
        },
        code_sha256: r.get(9)?,
        graded_by: (r.get(10)?, r.get(11)?),
        recorded_at: r.get(12)?,
    })
}

const RESULT_COLUMNS: &str = "g.submission_id, g.question_id, g.test_sha256, g.outcome, g.expected, g.actual,
     g.stdout, g.stderr, g.duration_ms, g.code_sha256, g.graded_by, u.display_name, g.recorded_at";

/// Whether each stored result of the latest submissions of `exam` passed,
/// by submission, question and test: what scores need, without the excerpts.
///
/// # Errors
/// Storage errors.
pub fn passed_of_exam(
    conn: &Connection,
    exam: ExamId,
) -> Result<Vec<(SubmissionId, QuestionId, String, bool)>, StoreError> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT g.submission_id, g.question_id, g.test_sha256, g.outcome = 'passed' FROM grading_results g
         JOIN submissions s ON s.id = g.submission_id
         JOIN exam_sessions a ON a.id = s.session_id
         WHERE a.exam_id = ?1 AND {LATEST_OF_ATTEMPT}"
    ))?;
    let rows = statement.query_map([exam], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Every result stored for submission `id`, oldest first.
///
/// # Errors
/// Storage errors.
pub fn results_of(conn: &Connection, id: SubmissionId) -> Result<Vec<StoredResult>, StoreError> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {RESULT_COLUMNS} FROM grading_results g JOIN users u ON u.id = g.graded_by
         WHERE g.submission_id = ?1 ORDER BY g.recorded_at, g.rowid"
    ))?;
    let rows = statement.query_map([id], result_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Stores `results` of submission `id`, each beside the SHA-256 of the code
/// of its question's answer (`code_sha256`); a result already stored for
/// the same code and test is left as it was. Returns how many were new.
///
/// # Errors
/// Storage errors.
pub fn record(
    conn: &Connection,
    id: SubmissionId,
    results: &[(NewResult, String)],
    by: UserId,
    now: OffsetDateTime,
) -> Result<usize, StoreError> {
    let mut insert = conn.prepare_cached(
        "INSERT INTO grading_results (submission_id, question_id, test_sha256, code_sha256, outcome, expected,
                                      actual, stdout, stderr, duration_ms, graded_by, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
         ON CONFLICT DO NOTHING",
    )?;
    let at = rfc3339(now);
    let mut stored = 0;
    for (result, code_sha256) in results {
        stored += insert.execute(params![
            id,
            result.question,
            result.test_sha256,
            code_sha256,
            super::enum_text(result.outcome),
            result.expected,
            result.actual,
            result.stdout,
            result.stderr,
            result.duration_ms,
            by,
            at,
        ])?;
    }
    Ok(stored)
}
