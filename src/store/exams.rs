//! Exams of a course: stored as their spec. An edit replaces the settings
//! and sections whole; questions keep their identifiers (see
//! [`exam_questions`](super::exam_questions)).

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use time::OffsetDateTime;

pub use super::exam_questions::Ids;
use super::{StoreError, enum_from, enum_text};
use crate::clock::rfc3339;
use crate::domain::{CourseId, ExamId, ExamSpec, IntegrityProfile, LatePolicy, QuestionId, SectionId, Timestamp};

/// Where an exam is in its life. Only draft and published are stored; the
/// rest follows from the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Being written; students cannot see it.
    Draft,
    /// Published, before its window.
    Published,
    /// Inside its window: students may start.
    Open,
    /// After its window.
    Closed,
}

/// A stored exam.
#[derive(Debug, Clone)]
pub struct Exam {
    /// Identifier.
    pub id: ExamId,
    /// Its course.
    pub course_id: CourseId,
    /// Where it is in its life, now.
    pub phase: Phase,
    /// When it was published, if it was.
    pub published_at: Option<Timestamp>,
    /// What the instructor wrote.
    pub spec: ExamSpec,
    /// Question identifiers, in order (for saves and answers).
    pub question_ids: Vec<QuestionId>,
}

/// Creates a draft exam in `course`.
///
/// # Errors
/// [`StoreError::NotFound`] when a section is not of the course.
pub fn create(conn: &Connection, course: CourseId, spec: &ExamSpec, now: OffsetDateTime) -> Result<ExamId, StoreError> {
    let id = ExamId::generate();
    conn.execute(
        "INSERT INTO exams (id, course_id, title, instructions, opens_at, closes_at, duration_minutes, late_policy,
                            integrity_profile, require_fullscreen, created_at, updated_at)
         VALUES (?1, ?2, '', '', ?3, ?4, 1, 'refuse', 'standard', 0, ?5, ?5)",
        params![id, course, rfc3339(spec.opens_at), rfc3339(spec.closes_at), rfc3339(now)],
    )?;
    write_spec(conn, id, course, spec, Ids::Fresh, now)?;
    Ok(id)
}

/// Replaces an exam's settings and sections, and writes its questions
/// (`ids` says whether the questions' identifiers name stored questions).
///
/// # Errors
/// [`StoreError::NotFound`] when a section is not of the course;
/// [`StoreError::WrongState`] when the questions cannot be written as sent
/// (see [`exam_questions::write`](super::exam_questions::write)).
pub fn write_spec(
    conn: &Connection,
    id: ExamId,
    course: CourseId,
    spec: &ExamSpec,
    ids: Ids,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE exams SET title = ?2, instructions = ?3, opens_at = ?4, closes_at = ?5, duration_minutes = ?6,
                late_policy = ?7, integrity_profile = ?8, require_fullscreen = ?9, updated_at = ?10 WHERE id = ?1",
        params![
            id,
            spec.title.trim(),
            spec.instructions,
            rfc3339(spec.opens_at),
            rfc3339(spec.closes_at),
            spec.duration_minutes,
            enum_text(spec.late_policy),
            enum_text(spec.integrity_profile),
            spec.require_fullscreen,
            rfc3339(now),
        ],
    )?;
    conn.execute("DELETE FROM exam_sections WHERE exam_id = ?1", [id])?;
    for section in &spec.section_ids {
        let of_course: bool = conn.query_row(
            "SELECT count(*) > 0 FROM sections WHERE id = ?1 AND course_id = ?2",
            params![section, course],
            |r| r.get(0),
        )?;
        if !of_course {
            return Err(StoreError::NotFound("section".to_owned()));
        }
        conn.execute("INSERT INTO exam_sections (exam_id, section_id) VALUES (?1, ?2)", params![id, section])?;
    }
    super::exam_questions::write(conn, id, &spec.questions, ids)?;
    Ok(())
}

/// The exam `id` of `course` as it stands at `now`.
///
/// # Errors
/// Storage errors.
pub fn get(conn: &Connection, course: CourseId, id: ExamId, now: OffsetDateTime) -> Result<Option<Exam>, StoreError> {
    let row = conn
        .query_row(
            "SELECT title, instructions, opens_at, closes_at, duration_minutes, late_policy, integrity_profile,
                    require_fullscreen, status, published_at
             FROM exams WHERE id = ?1 AND course_id = ?2",
            params![id, course],
            |r| {
                let spec = ExamSpec {
                    title: r.get(0)?,
                    instructions: r.get(1)?,
                    opens_at: r.get::<_, Timestamp>(2)?.time(),
                    closes_at: r.get::<_, Timestamp>(3)?.time(),
                    duration_minutes: r.get(4)?,
                    late_policy: enum_from::<LatePolicy>(&r.get::<_, String>(5)?)?,
                    integrity_profile: enum_from::<IntegrityProfile>(&r.get::<_, String>(6)?)?,
                    require_fullscreen: r.get(7)?,
                    section_ids: Vec::new(),
                    questions: Vec::new(),
                };
                Ok((spec, r.get::<_, String>(8)?, r.get::<_, Option<Timestamp>>(9)?))
            },
        )
        .optional()?;
    let Some((mut spec, status, published_at)) = row else { return Ok(None) };
    let mut statement =
        conn.prepare_cached("SELECT section_id FROM exam_sections WHERE exam_id = ?1 ORDER BY section_id")?;
    spec.section_ids = statement.query_map([id], |r| r.get::<_, SectionId>(0))?.collect::<Result<_, _>>()?;
    spec.questions = super::exam_questions::read(conn, id)?;
    let question_ids = spec.questions.iter().filter_map(|q| q.id).collect();
    let phase = match status.as_str() {
        "draft" => Phase::Draft,
        _ if now < spec.opens_at => Phase::Published,
        _ if now < spec.closes_at => Phase::Open,
        _ => Phase::Closed,
    };
    Ok(Some(Exam { id, course_id: course, phase, published_at, spec, question_ids }))
}

/// The exams of `course`, newest window first.
///
/// # Errors
/// Storage errors.
pub fn list(conn: &Connection, course: CourseId, now: OffsetDateTime) -> Result<Vec<Exam>, StoreError> {
    let mut statement = conn.prepare_cached("SELECT id FROM exams WHERE course_id = ?1 ORDER BY opens_at DESC, id")?;
    let ids: Vec<ExamId> = statement.query_map([course], |r| r.get(0))?.collect::<Result<_, _>>()?;
    let mut exams = Vec::new();
    for id in ids {
        exams.extend(get(conn, course, id, now)?);
    }
    Ok(exams)
}

/// The published exams any of `sections` takes, soonest window first: what
/// a student's exam list shows, without reading the rest of the organization.
///
/// # Errors
/// Storage errors.
pub fn published_for_sections(
    conn: &Connection,
    sections: &[SectionId],
    now: OffsetDateTime,
) -> Result<Vec<Exam>, StoreError> {
    let sections = super::json_ids(sections);
    let mut statement = conn.prepare_cached(
        "SELECT DISTINCT e.id, e.course_id, e.opens_at FROM exams e JOIN exam_sections s ON s.exam_id = e.id
         WHERE e.status = 'published' AND s.section_id IN (SELECT value FROM json_each(?1))
         ORDER BY e.opens_at, e.id",
    )?;
    let found: Vec<(ExamId, CourseId)> =
        statement.query_map([sections], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
    let mut exams = Vec::new();
    for (id, course) in found {
        exams.extend(get(conn, course, id, now)?);
    }
    Ok(exams)
}

/// Deletes a draft, which the caller checked with [`ensure_draft`] in the
/// same transaction, after removing whatever else belongs to it (candidate
/// links).
///
/// # Errors
/// Storage errors.
pub fn delete_draft(conn: &Connection, id: ExamId) -> Result<(), StoreError> {
    conn.execute("DELETE FROM exams WHERE id = ?1 AND status = 'draft'", [id])?;
    Ok(())
}

/// Whether `id` is a draft of `course`.
///
/// # Errors
/// [`StoreError::WrongState`] for a published exam.
pub fn ensure_draft(conn: &Connection, course: CourseId, id: ExamId) -> Result<(), StoreError> {
    let draft: bool = conn
        .query_row(
            "SELECT 1 FROM exams WHERE id = ?1 AND course_id = ?2 AND status = 'draft'",
            params![id, course],
            |_| Ok(true),
        )
        .optional()?
        .unwrap_or(false);
    if !draft {
        return Err(StoreError::WrongState("a published exam cannot be deleted".to_owned()));
    }
    Ok(())
}

/// Publishes a draft.
///
/// # Errors
/// Storage errors.
pub fn publish(conn: &Connection, id: ExamId, now: OffsetDateTime) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE exams SET status = 'published', published_at = ?2, updated_at = ?2 WHERE id = ?1",
        params![id, rfc3339(now)],
    )?;
    Ok(())
}

/// Moves the closing time (close early, or extend the window). Running
/// attempts' deadlines the caller recomputes in the same transaction.
///
/// # Errors
/// Storage errors.
pub fn set_closes_at(
    conn: &Connection,
    id: ExamId,
    closes_at: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE exams SET closes_at = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, rfc3339(closes_at), rfc3339(now)],
    )?;
    Ok(())
}

/// The title of exam `id`.
///
/// # Errors
/// Storage errors; a missing exam is a query error.
pub fn title(conn: &Connection, id: ExamId) -> Result<String, StoreError> {
    Ok(conn.query_row("SELECT title FROM exams WHERE id = ?1", [id], |r| r.get(0))?)
}
