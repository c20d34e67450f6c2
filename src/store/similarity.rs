//! Similarity between an exam's submissions, stored per question: the runs
//! (each the report viewer's JSON, as the engine wrote it) and people's
//! decisions on pairs of submissions, which are appended and never changed
//! (the database refuses updates and deletes, migration `0021`).
//!
//! A submission is named by its attempt's id in a report and in a decision,
//! so a decision stays with its pair whatever a later run finds.

use rusqlite::{Connection, OptionalExtension, params};
use time::OffsetDateTime;

use super::StoreError;
use super::attempts::reviews::Decision;
use super::attempts::submissions::LATEST_OF_ATTEMPT;
use crate::clock::rfc3339;
use crate::domain::{AttemptId, CourseId, ExamId, QuestionId, Timestamp, UserId};

/// Why a run was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// By itself, once the exam had closed (the late window included).
    ExamClosed,
    /// A reviewer or instructor asked for it.
    OnDemand,
}

impl Reason {
    /// The name stored and sent.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ExamClosed => "exam_closed",
            Self::OnDemand => "on_demand",
        }
    }

    fn parse(text: &str) -> Self {
        if text == "exam_closed" { Self::ExamClosed } else { Self::OnDemand }
    }
}

/// One stored run of one question.
#[derive(Debug, Clone)]
pub struct Run {
    /// Its identifier.
    pub id: String,
    /// Why it was made.
    pub reason: Reason,
    /// Who asked for it (on demand) and their name as staff see it.
    pub requested_by: Option<(UserId, String)>,
    /// When it began reading the submissions.
    pub ran_at: Timestamp,
    /// The report viewer's JSON (`examhall-similarity/1`, labelled).
    pub report: String,
}

/// A run about to be stored.
pub struct NewRun<'a> {
    /// The exam.
    pub exam: ExamId,
    /// The question compared.
    pub question: QuestionId,
    /// Why.
    pub reason: Reason,
    /// Who asked (on demand only).
    pub requested_by: Option<UserId>,
    /// When it began reading the submissions.
    pub ran_at: OffsetDateTime,
    /// The report's JSON.
    pub report: &'a str,
}

/// A submitted student's code for one question, in their latest submission.
#[derive(Debug, Clone)]
pub struct Submitted {
    /// Their attempt: what names the submission in a report.
    pub attempt: AttemptId,
    /// The student's name, for people to read.
    pub name: String,
    /// The student's e-mail.
    pub email: String,
    /// The code.
    pub code: String,
}

/// Every submitted student's code for `question` of `exam` in their latest
/// submission, by name.
///
/// # Errors
/// Storage errors.
pub fn submitted(conn: &Connection, exam: ExamId, question: QuestionId) -> Result<Vec<Submitted>, StoreError> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT a.id, u.display_name, u.email, c.code FROM submissions s
         JOIN exam_sessions a ON a.id = s.session_id
         JOIN users u ON u.id = a.user_id
         JOIN submission_answers c ON c.submission_id = s.id AND c.question_id = ?2
         WHERE a.exam_id = ?1 AND {LATEST_OF_ATTEMPT}
         ORDER BY u.display_name, u.email"
    ))?;
    let rows = statement.query_map(params![exam, question], |r| {
        Ok(Submitted { attempt: r.get(0)?, name: r.get(1)?, email: r.get(2)?, code: r.get(3)? })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

const RUN_COLUMNS: &str = "r.id, r.reason, r.requested_by, u.display_name, r.ran_at, r.report";

fn run_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Run> {
    let reason: String = row.get(1)?;
    let by: Option<UserId> = row.get(2)?;
    let name: Option<String> = row.get(3)?;
    Ok(Run {
        id: row.get(0)?,
        reason: Reason::parse(&reason),
        requested_by: by.map(|by| (by, name.unwrap_or_default())),
        ran_at: row.get(4)?,
        report: row.get(5)?,
    })
}

/// The latest run of `question` of `exam`, if any.
///
/// # Errors
/// Storage errors.
pub fn latest(conn: &Connection, exam: ExamId, question: QuestionId) -> Result<Option<Run>, StoreError> {
    let sql = format!(
        "SELECT {RUN_COLUMNS} FROM similarity_runs r LEFT JOIN users u ON u.id = r.requested_by
         WHERE r.exam_id = ?1 AND r.question_id = ?2 ORDER BY r.ran_at DESC, r.rowid DESC LIMIT 1"
    );
    Ok(conn.query_row(&sql, params![exam, question], run_from_row).optional()?)
}

/// When the latest run of `question` began, if there is one.
///
/// # Errors
/// Storage errors.
pub fn latest_ran_at(conn: &Connection, exam: ExamId, question: QuestionId) -> Result<Option<Timestamp>, StoreError> {
    Ok(conn.query_row(
        "SELECT max(ran_at) FROM similarity_runs WHERE exam_id = ?1 AND question_id = ?2",
        params![exam, question],
        |r| r.get(0),
    )?)
}

/// On-demand runs kept per question: older ones are removed when a new one
/// is stored (each can be made again from the frozen submissions), so
/// asking again and again cannot fill the disk. The run at the close stays.
pub const KEPT_ON_DEMAND_RUNS: i64 = 10;

/// Stores `run`, and removes the on-demand runs of its question beyond the
/// newest [`KEPT_ON_DEMAND_RUNS`]; returns its identifier.
///
/// # Errors
/// [`StoreError::Taken`] for a second run at the close of the same question;
/// storage errors.
pub fn insert(conn: &Connection, run: &NewRun<'_>) -> Result<String, StoreError> {
    let id = uuid::Uuid::now_v7().to_string();
    let inserted = conn.execute(
        "INSERT INTO similarity_runs (id, exam_id, question_id, reason, requested_by, ran_at, report)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![id, run.exam, run.question, run.reason.as_str(), run.requested_by, rfc3339(run.ran_at), run.report],
    );
    match inserted {
        Err(rusqlite::Error::SqliteFailure(error, _)) if error.code == rusqlite::ErrorCode::ConstraintViolation => {
            return Err(StoreError::Taken("this question already has its run at the exam's close".to_owned()));
        }
        other => other?,
    };
    conn.execute(
        "DELETE FROM similarity_runs WHERE exam_id = ?1 AND question_id = ?2 AND reason = 'on_demand'
           AND id NOT IN (SELECT id FROM similarity_runs WHERE exam_id = ?1 AND question_id = ?2
                            AND reason = 'on_demand' ORDER BY ran_at DESC, rowid DESC LIMIT ?3)",
        params![run.exam, run.question, KEPT_ON_DEMAND_RUNS],
    )?;
    Ok(id)
}

/// How long after its close an exam is still compared in the background.
pub const CLOSED_WITHIN: time::Duration = time::Duration::days(7);

/// The questions whose exam has closed and that have no run at the close
/// yet, as (course, exam, question), oldest close first. An exam has
/// closed once every attempt is submitted (the deadline sweep may not have
/// come round yet) and `late_window` has passed after the later of its
/// closing time and its last attempt's deadline (extra time included). An
/// attempt handed in before its deadline ended then: closing the exam
/// early moves the deadlines of running attempts only.
///
/// # Errors
/// Storage errors.
pub fn closed_without_run(
    conn: &Connection,
    now: OffsetDateTime,
    late_window: time::Duration,
) -> Result<Vec<(CourseId, ExamId, QuestionId)>, StoreError> {
    // Every stored time has one fixed width: comparing the text compares the times.
    let mut statement = conn.prepare_cached(
        "SELECT e.course_id, e.id, q.id
         FROM exams e JOIN questions q ON q.exam_id = e.id
         WHERE e.status = 'published'
           AND e.closes_at >= ?2
           AND max(e.closes_at, coalesce((SELECT max(min(s.deadline_at, coalesce(s.submitted_at, s.deadline_at)))
                                          FROM exam_sessions s WHERE s.exam_id = e.id),
                                         e.closes_at)) <= ?1
           AND NOT EXISTS (SELECT 1 FROM exam_sessions s WHERE s.exam_id = e.id AND s.submitted_at IS NULL)
           AND NOT EXISTS (SELECT 1 FROM similarity_runs r
                           WHERE r.exam_id = e.id AND r.question_id = q.id AND r.reason = 'exam_closed')
         ORDER BY e.closes_at, e.id, q.position",
    )?;
    // Exams that closed before the last week (before an upgrade brought this
    // job) are compared on demand, not all at once in the background.
    let since = rfc3339(now - CLOSED_WITHIN);
    let rows = statement
        .query_map(rusqlite::params![rfc3339(now - late_window), since], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// One decision on one pair of submissions.
#[derive(Debug, Clone)]
pub struct PairReview {
    /// The pair's attempts, the smaller id first.
    pub attempts: (AttemptId, AttemptId),
    /// What was decided.
    pub decision: Decision,
    /// Why, in the reviewer's words.
    pub comment: String,
    /// Who decided.
    pub made_by: UserId,
    /// Their name, as staff see it.
    pub made_by_name: String,
    /// When.
    pub made_at: Timestamp,
}

/// The two attempts of a pair in the order they are stored: the smaller first.
#[must_use]
pub fn pair(a: AttemptId, b: AttemptId) -> (AttemptId, AttemptId) {
    if a <= b { (a, b) } else { (b, a) }
}

/// A decision about to be appended.
pub struct NewPairReview<'a> {
    /// The exam.
    pub exam: ExamId,
    /// The question whose submissions the pair are.
    pub question: QuestionId,
    /// The pair (any order).
    pub attempts: (AttemptId, AttemptId),
    /// What was decided.
    pub decision: Decision,
    /// Why.
    pub comment: &'a str,
    /// Who decided.
    pub by: UserId,
}

/// Appends a decision on a pair; returns it as listed.
///
/// # Errors
/// Storage errors.
pub fn append_review(
    conn: &Connection,
    review: &NewPairReview<'_>,
    now: OffsetDateTime,
) -> Result<PairReview, StoreError> {
    let (a, b) = pair(review.attempts.0, review.attempts.1);
    let made_at = Timestamp::from_time(now);
    conn.execute(
        "INSERT INTO pair_reviews (id, exam_id, question_id, attempt_a, attempt_b, decision, comment, made_by, made_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            uuid::Uuid::now_v7().to_string(),
            review.exam,
            review.question,
            a,
            b,
            review.decision.as_str(),
            review.comment,
            review.by,
            made_at
        ],
    )?;
    let made_by_name: String =
        conn.query_row("SELECT display_name FROM users WHERE id = ?1", [review.by], |r| r.get(0))?;
    Ok(PairReview {
        attempts: (a, b),
        decision: review.decision,
        comment: review.comment.to_owned(),
        made_by: review.by,
        made_by_name,
        made_at,
    })
}

/// Every decision on pairs of `question` of `exam`, newest first.
///
/// # Errors
/// Storage errors.
pub fn reviews(conn: &Connection, exam: ExamId, question: QuestionId) -> Result<Vec<PairReview>, StoreError> {
    let mut statement = conn.prepare_cached(
        "SELECT r.attempt_a, r.attempt_b, r.decision, r.comment, r.made_by, u.display_name, r.made_at
         FROM pair_reviews r JOIN users u ON u.id = r.made_by
         WHERE r.exam_id = ?1 AND r.question_id = ?2 ORDER BY r.made_at DESC, r.rowid DESC",
    )?;
    let rows = statement.query_map(params![exam, question], |row| {
        let decision: String = row.get(2)?;
        Ok(PairReview {
            attempts: (row.get(0)?, row.get(1)?),
            decision: Decision::parse(&decision).unwrap_or(Decision::Noted),
            comment: row.get(3)?,
            made_by: row.get(4)?,
            made_by_name: row.get(5)?,
            made_at: row.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
