//! Every student an exam is for, with their attempt, extra time, late items
//! and receipt: what the staff's page of an exam shows. Three queries whatever
//! the number of students, so a course of hundreds costs what a course of ten does.

use rusqlite::Connection;

use super::StoreError;
use super::attempts::log::LateCounts;
use super::attempts::{self, Attempt, submissions};
use super::exams::Exam;
use crate::domain::receipt::Receipt;
use crate::domain::{AttemptId, SectionId, Timestamp, UserId};

/// One student of the exam's sections and where they are with it.
#[derive(Debug, Clone)]
pub struct StudentAttempt {
    /// The student.
    pub user_id: UserId,
    /// The section in which the student takes the exam (the first by id when in several).
    pub section_id: SectionId,
    /// Sign-in e-mail.
    pub email: String,
    /// Name shown to staff.
    pub display_name: String,
    /// Extra minutes granted for this exam.
    pub extra_minutes: u32,
    /// The label given with them (e.g. "25% extra").
    pub extra_label: String,
    /// Items that arrived after the deadline, by what became of them.
    pub late_items: LateCounts,
    /// The attempt, once started.
    pub attempt: Option<Attempt>,
    /// The same receipt the student got (the latest submission's), once submitted.
    pub receipt: Option<Receipt>,
    /// Its SHA-256, as the student's page shows it.
    pub receipt_sha256: Option<String>,
    /// When the server received the attempt's latest durable item.
    pub last_save_at: Option<Timestamp>,
    /// How many questions the student has changed.
    pub questions_attempted: u32,
    /// A candidate account (signs in with a link of this exam, has no real e-mail).
    pub candidate: bool,
}

/// Whose rows to read.
#[derive(Debug, Clone, Copy, Default)]
pub struct Whose<'a> {
    /// Only these sections of the exam (all of them when `None`).
    pub sections: Option<&'a [SectionId]>,
    /// Only this student (all when `None`).
    pub student: Option<UserId>,
}

/// Every student of `exam`'s sections (or of those `whose` names), by
/// e-mail. A candidate account is a student of one exam only (its link's),
/// so it appears in no other exam's list.
///
/// # Errors
/// Storage errors.
pub fn students(conn: &Connection, exam: &Exam, whose: Whose<'_>) -> Result<Vec<StudentAttempt>, StoreError> {
    // The sections to keep, as a JSON array (NULL: all of them).
    let only = whose.sections.map(crate::store::json_ids);
    // The attempt's columns come first, in the order `attempts::from_row` reads.
    // `exam_sessions` and `extra_time` hold at most one row per student and
    // exam, so grouping by student only folds a student's several sections.
    // One student's row (the monitor's, on each of their saves) starts from
    // their grants by the index on the person, not from every grant of the
    // course: a condition that is true for all would keep SQLite from it.
    let one = if whose.student.is_some() { "g.user_id = ?4" } else { "?4 IS NULL" };
    let mut statement = conn.prepare_cached(&format!(
        "SELECT s.id, s.exam_id, s.user_id, s.started_at, s.deadline_at, s.submitted_at, s.submit_reason, s.move_allowed,
                u.id, min(g.section_id), u.email, u.display_name,
                coalesce(x.minutes, 0), coalesce(x.label, ''),
                (SELECT count(*) FROM late_items l WHERE l.session_id = s.id AND l.status = 'accepted'),
                (SELECT count(*) FROM late_items l WHERE l.session_id = s.id AND l.status = 'pending'),
                (SELECT count(*) FROM late_items l WHERE l.session_id = s.id AND l.status = 'refused'),
                (SELECT count(*) FROM late_items l WHERE l.session_id = s.id AND l.status = 'applied'),
                s.last_saved_at,
                (SELECT count(*) FROM answers a WHERE a.session_id = s.id),
                EXISTS (SELECT 1 FROM candidate_links c WHERE c.user_id = u.id)
         FROM grants g
         JOIN exam_sections es ON es.exam_id = ?1 AND es.section_id = g.section_id
         JOIN users u ON u.id = g.user_id
         LEFT JOIN exam_sessions s ON s.exam_id = ?1 AND s.user_id = u.id
         LEFT JOIN extra_time x ON x.exam_id = ?1 AND x.user_id = u.id
         WHERE g.role = 'student' AND g.course_id = ?2
           AND (?3 IS NULL OR g.section_id IN (SELECT value FROM json_each(?3)))
           AND {one}
           AND NOT EXISTS (SELECT 1 FROM candidate_links c WHERE c.user_id = u.id AND c.exam_id <> ?1)
         GROUP BY u.id
         ORDER BY u.email"
    ))?;
    let rows = statement.query_map(rusqlite::params![exam.id, exam.course_id, only, whose.student], |row| {
        let started: Option<AttemptId> = row.get(0)?;
        let attempt = started.map(|_| attempts::from_row(row)).transpose()?;
        Ok(StudentAttempt {
            user_id: row.get(8)?,
            section_id: row.get(9)?,
            email: row.get(10)?,
            display_name: row.get(11)?,
            extra_minutes: row.get(12)?,
            extra_label: row.get(13)?,
            late_items: LateCounts {
                accepted: row.get(14)?,
                pending: row.get(15)?,
                refused: row.get(16)?,
                applied: row.get(17)?,
            },
            attempt,
            receipt: None,
            receipt_sha256: None,
            last_save_at: row.get(18)?,
            questions_attempted: row.get(19)?,
            candidate: row.get(20)?,
        })
    })?;
    let mut students = rows.collect::<Result<Vec<_>, _>>()?;
    // Every receipt of the exam at once for the whole list; one student's alone for their row.
    let mut receipts = if whose.student.is_some() {
        let mut one = std::collections::HashMap::new();
        for attempt in students.iter().filter_map(|s| s.attempt.as_ref()) {
            if let Some(stored) = submissions::latest(conn, attempt.id)? {
                one.insert(attempt.id, stored);
            }
        }
        one
    } else {
        submissions::latest_of_exam(conn, exam)?
    };
    for student in &mut students {
        let Some(attempt) = &student.attempt else { continue };
        if let Some(stored) = receipts.remove(&attempt.id) {
            student.receipt = Some(stored.receipt);
            student.receipt_sha256 = Some(stored.sha256);
        }
    }
    Ok(students)
}

/// The section in which `student` sits `exam` (the first by id when in several).
///
/// # Errors
/// Storage errors.
pub fn section_of(
    conn: &Connection,
    exam: crate::domain::ExamId,
    student: crate::domain::UserId,
) -> Result<Option<crate::domain::SectionId>, StoreError> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .query_row(
            "SELECT min(g.section_id) FROM grants g JOIN exam_sections es ON es.exam_id = ?1 AND es.section_id = g.section_id
             WHERE g.role = 'student' AND g.user_id = ?2",
            rusqlite::params![exam, student],
            |r| r.get(0),
        )
        .optional()?
        .flatten())
}
