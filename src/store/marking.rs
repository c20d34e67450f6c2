//! Marking (org migration 0028): each question's scheme, the exam's marking
//! options, graders' marks of each answer (append-only: the latest of each
//! marker counts, the rest is history) and the releases of results.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, params};
use time::OffsetDateTime;

use super::StoreError;
use crate::clock::rfc3339;
use crate::domain::marking::{Marker, Scheme};
use crate::domain::{ExamId, QuestionId, SubmissionId, Timestamp, UserId};

fn json_column<T: serde::de::DeserializeOwned>(text: &str) -> rusqlite::Result<T> {
    serde_json::from_str(text)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))
}

fn new_label_key() -> String {
    let mut key = [0_u8; 32];
    crate::random::fill_random(&mut key);
    hex::encode(key)
}

fn json_text<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "[]".to_owned())
}

/// The schemes set for the questions of `exam`; a question without one has
/// every test weighing the same and no rubric.
///
/// # Errors
/// Storage errors.
pub fn schemes(conn: &Connection, exam: ExamId) -> Result<HashMap<QuestionId, Scheme>, StoreError> {
    let mut statement = conn.prepare_cached(
        "SELECT s.question_id, s.test_weights, s.rubric FROM question_schemes s
         JOIN questions q ON q.id = s.question_id WHERE q.exam_id = ?1",
    )?;
    let rows = statement.query_map([exam], |r| {
        let (weights, rubric): (String, String) = (r.get(1)?, r.get(2)?);
        Ok((r.get(0)?, Scheme { test_weights: json_column(&weights)?, rubric: json_column(&rubric)? }))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Sets question `question`'s scheme.
///
/// # Errors
/// Storage errors.
pub fn set_scheme(
    conn: &Connection,
    question: QuestionId,
    scheme: &Scheme,
    by: UserId,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO question_schemes (question_id, test_weights, rubric, updated_by, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (question_id) DO UPDATE SET test_weights = excluded.test_weights, rubric = excluded.rubric,
             updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        params![question, json_text(&scheme.test_weights), json_text(&scheme.rubric), by, rfc3339(now)],
    )?;
    Ok(())
}

/// An exam's marking options.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Options {
    /// Graders see no names until the results are released.
    pub anonymous: bool,
    /// A second grader marks beside the first.
    pub second_marker: bool,
    /// Students see how many hidden tests they passed (never the tests).
    pub hidden_counts: bool,
}

/// `exam`'s marking options (none set: all off).
///
/// # Errors
/// Storage errors.
pub fn options(conn: &Connection, exam: ExamId) -> Result<Options, StoreError> {
    Ok(conn
        .query_row("SELECT anonymous, second_marker, hidden_counts FROM exam_marking WHERE exam_id = ?1", [exam], |r| {
            Ok(Options { anonymous: r.get(0)?, second_marker: r.get(1)?, hidden_counts: r.get(2)? })
        })
        .optional()?
        .unwrap_or_default())
}

/// The key `exam`'s anonymous labels are derived with, once its options were set.
///
/// # Errors
/// Storage errors.
pub fn label_key(conn: &Connection, exam: ExamId) -> Result<Option<String>, StoreError> {
    Ok(conn.query_row("SELECT label_key FROM exam_marking WHERE exam_id = ?1", [exam], |r| r.get(0)).optional()?)
}

/// Sets `exam`'s marking options (the first time, with a new random label key).
///
/// # Errors
/// Storage errors.
pub fn set_options(
    conn: &Connection,
    exam: ExamId,
    options: Options,
    by: UserId,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO exam_marking (exam_id, label_key, anonymous, second_marker, hidden_counts, updated_by, updated_at)
         VALUES (?1, ?7, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (exam_id) DO UPDATE SET anonymous = excluded.anonymous,
             second_marker = excluded.second_marker, hidden_counts = excluded.hidden_counts,
             updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        params![
            exam,
            options.anonymous,
            options.second_marker,
            options.hidden_counts,
            by,
            rfc3339(now),
            new_label_key()
        ],
    )?;
    Ok(())
}

/// A grader's mark of one answer, as they give it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMark {
    /// The question.
    pub question: QuestionId,
    /// Whose marks these are.
    pub marker: Marker,
    /// Rubric items awarded (positions), with the SHA-256 of the rubric they
    /// were awarded from; `None` when the rubric is not marked.
    pub rubric: Option<(Vec<usize>, String)>,
    /// Points replacing the computed ones, in hundredths.
    pub override_hundredths: Option<u64>,
    /// For the student.
    pub feedback: String,
}

/// A stored mark.
#[derive(Debug, Clone)]
pub struct Mark {
    /// The submission.
    pub submission: SubmissionId,
    /// What was given.
    pub mark: NewMark,
    /// Who, and their name.
    pub marked_by: (UserId, String),
    /// When the server stored it.
    pub marked_at: Timestamp,
}

const MARK_COLUMNS: &str = "m.submission_id, m.question_id, m.marker, m.rubric, m.override_hundredths, m.feedback,
     m.marked_by, u.display_name, m.marked_at, m.rubric_sha256";

fn mark_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Mark> {
    let marker: String = r.get(2)?;
    let rubric: Option<String> = r.get(3)?;
    let rubric_sha256: Option<String> = r.get(9)?;
    let override_hundredths: Option<i64> = r.get(4)?;
    Ok(Mark {
        submission: r.get(0)?,
        mark: NewMark {
            question: r.get(1)?,
            marker: super::enum_from(&marker)?,
            rubric: match (rubric.as_deref().map(json_column).transpose()?, rubric_sha256) {
                (Some(awarded), Some(sha256)) => Some((awarded, sha256)),
                _ => None,
            },
            override_hundredths: override_hundredths.map(i64::unsigned_abs),
            feedback: r.get(5)?,
        },
        marked_by: (r.get(6)?, r.get(7)?),
        marked_at: r.get(8)?,
    })
}

/// The latest mark of each marker on each answer of `exam`'s submissions.
///
/// # Errors
/// Storage errors.
pub fn latest_of_exam(conn: &Connection, exam: ExamId) -> Result<Vec<Mark>, StoreError> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {MARK_COLUMNS} FROM grading_marks m JOIN users u ON u.id = m.marked_by
         WHERE m.rowid IN (SELECT max(g.rowid) FROM grading_marks g
                           JOIN questions q ON q.id = g.question_id
                           WHERE q.exam_id = ?1
                           GROUP BY g.submission_id, g.question_id, g.marker)"
    ))?;
    let rows = statement.query_map([exam], mark_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Every mark of submission `id`, oldest first.
///
/// # Errors
/// Storage errors.
pub fn history(conn: &Connection, id: SubmissionId) -> Result<Vec<Mark>, StoreError> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {MARK_COLUMNS} FROM grading_marks m JOIN users u ON u.id = m.marked_by
         WHERE m.submission_id = ?1 ORDER BY m.rowid"
    ))?;
    let rows = statement.query_map([id], mark_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Appends a mark of submission `id`.
///
/// # Errors
/// Storage errors.
pub fn append(
    conn: &Connection,
    id: SubmissionId,
    mark: &NewMark,
    by: UserId,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO grading_marks (submission_id, question_id, marker, rubric, rubric_sha256, override_hundredths,
                                    feedback, marked_by, marked_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            id,
            mark.question,
            super::enum_text(mark.marker),
            mark.rubric.as_ref().map(|(awarded, _)| json_text(awarded)),
            mark.rubric.as_ref().map(|(_, sha256)| sha256),
            mark.override_hundredths.map(|p| i64::try_from(p).unwrap_or(i64::MAX)),
            mark.feedback,
            by,
            rfc3339(now),
        ],
    )?;
    Ok(())
}

/// Whether `exam`'s results are released now, and by whom and when.
#[derive(Debug, Clone)]
pub struct Release {
    /// Released (or withdrawn).
    pub released: bool,
    /// Who, and their name.
    pub made_by: (UserId, String),
    /// When.
    pub made_at: Timestamp,
}

/// `exam`'s latest release or withdrawal; `None` when there never was one.
///
/// # Errors
/// Storage errors.
pub fn release(conn: &Connection, exam: ExamId) -> Result<Option<Release>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT r.released, r.made_by, u.display_name, r.made_at FROM result_releases r
             JOIN users u ON u.id = r.made_by WHERE r.exam_id = ?1 ORDER BY r.rowid DESC LIMIT 1",
            [exam],
            |r| Ok(Release { released: r.get(0)?, made_by: (r.get(1)?, r.get(2)?), made_at: r.get(3)? }),
        )
        .optional()?)
}

/// Releases (or withdraws) `exam`'s results.
///
/// # Errors
/// Storage errors.
pub fn set_release(
    conn: &Connection,
    exam: ExamId,
    released: bool,
    by: UserId,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO result_releases (exam_id, released, made_by, made_at) VALUES (?1, ?2, ?3, ?4)",
        params![exam, released, by, rfc3339(now)],
    )?;
    Ok(())
}

/// Per attempt of `exam`, how many integrity signals and similarity pairs
/// stand referred (their latest decision): the reviews a grade waits on.
///
/// # Errors
/// Storage errors.
pub fn referred(conn: &Connection, exam: ExamId) -> Result<HashMap<crate::domain::AttemptId, usize>, StoreError> {
    let mut statement = conn.prepare_cached(
        "WITH latest_signal AS (
             SELECT r.session_id AS attempt, r.decision FROM signal_reviews r
             WHERE r.rowid IN (SELECT max(s.rowid) FROM signal_reviews s
                               JOIN exam_sessions a ON a.id = s.session_id
                               WHERE a.exam_id = ?1 GROUP BY s.session_id, s.signal)),
         latest_pair AS (
             SELECT p.attempt_a, p.attempt_b, p.decision FROM pair_reviews p
             WHERE p.rowid IN (SELECT max(rowid) FROM pair_reviews WHERE exam_id = ?1
                               GROUP BY question_id, attempt_a, attempt_b))
         SELECT attempt, count(*) FROM (
             SELECT attempt FROM latest_signal WHERE decision = 'referred'
             UNION ALL SELECT attempt_a FROM latest_pair WHERE decision = 'referred'
             UNION ALL SELECT attempt_b FROM latest_pair WHERE decision = 'referred')
         GROUP BY attempt",
    )?;
    let rows = statement.query_map([exam], |r| Ok((r.get(0)?, usize::try_from(r.get::<_, i64>(1)?).unwrap_or(0))))?;
    Ok(rows.collect::<Result<_, _>>()?)
}
