//! Incident notes of an exam: about one student or a whole section, written
//! by the exam's staff and its sections' proctors, appended, never changed.

use rusqlite::{Connection, params};
use time::OffsetDateTime;

use crate::domain::{ExamId, SectionId, Timestamp, UserId};
use crate::store::StoreError;

/// One note.
#[derive(Debug, Clone)]
pub struct Incident {
    /// Identifier.
    pub id: String,
    /// The section it concerns (the student's, for a note about a student).
    pub section_id: SectionId,
    /// The student, or `None` for the whole section.
    pub student: Option<UserId>,
    /// The student's name, for a note about a student.
    pub student_name: Option<String>,
    /// What happened, in the writer's words.
    pub note: String,
    /// Who wrote it.
    pub made_by_name: String,
    /// When.
    pub made_at: Timestamp,
}

/// Appends a note of `exam` about `section` (and `student`, if one).
///
/// # Errors
/// Storage errors.
pub fn append(
    conn: &Connection,
    exam: ExamId,
    section: SectionId,
    student: Option<UserId>,
    note: &str,
    by: UserId,
    now: OffsetDateTime,
) -> Result<String, StoreError> {
    let id = uuid::Uuid::now_v7().to_string();
    conn.execute(
        "INSERT INTO incident_notes (id, exam_id, section_id, user_id, note, made_by, made_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![id, exam, section, student, note, by, Timestamp::from_time(now)],
    )?;
    Ok(id)
}

/// The notes of `exam` about `sections` (every section when `None`), newest first.
///
/// # Errors
/// Storage errors.
pub fn list(conn: &Connection, exam: ExamId, sections: Option<&[SectionId]>) -> Result<Vec<Incident>, StoreError> {
    let only = sections.map(crate::store::json_ids);
    let mut statement = conn.prepare_cached(
        "SELECT n.id, n.section_id, n.user_id, s.display_name, n.note, w.display_name, n.made_at
         FROM incident_notes n JOIN users w ON w.id = n.made_by LEFT JOIN users s ON s.id = n.user_id
         WHERE n.exam_id = ?1 AND (?2 IS NULL OR n.section_id IN (SELECT value FROM json_each(?2)))
         ORDER BY n.made_at DESC, n.rowid DESC",
    )?;
    let rows = statement.query_map(params![exam, only], |r| {
        Ok(Incident {
            id: r.get(0)?,
            section_id: r.get(1)?,
            student: r.get(2)?,
            student_name: r.get(3)?,
            note: r.get(4)?,
            made_by_name: r.get(5)?,
            made_at: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
