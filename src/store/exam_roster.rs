//! Every student an exam is for, with their attempt, extra time, late items
//! and receipt: what the staff's page of an exam shows. Two queries whatever
//! the number of students, so a course of hundreds costs what a course of ten does.

use std::collections::HashMap;

use rusqlite::Connection;
use serde::Serialize;

use super::StoreError;
use super::attempts::{self, Attempt, Receipt};
use super::exams::Exam;
use crate::domain::{AttemptId, QuestionId, SectionId, UserId};

/// One student of the exam's sections and where they are with it.
#[derive(Debug, Clone, Serialize)]
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
    /// Items accepted after the deadline because they were made before it.
    pub late_items: u32,
    /// The attempt, once started.
    pub attempt: Option<Attempt>,
    /// The same receipt the student got, once submitted.
    pub receipt: Option<Receipt>,
}

/// Every student of `exam`'s sections, by e-mail.
///
/// # Errors
/// Storage errors.
pub fn students(conn: &Connection, exam: &Exam) -> Result<Vec<StudentAttempt>, StoreError> {
    let mut submitted_answers = submitted_answers(conn, exam)?;
    // The attempt's columns come first, in the order `attempts::from_row` reads.
    // `exam_sessions` and `extra_time` hold at most one row per student and
    // exam, so grouping by student only folds a student's several sections.
    let mut statement = conn.prepare_cached(
        "SELECT s.id, s.exam_id, s.user_id, s.started_at, s.deadline_at, s.submitted_at, s.submit_reason,
                u.id, min(g.section_id), u.email, u.display_name,
                coalesce(x.minutes, 0), coalesce(x.label, ''),
                (SELECT count(*) FROM session_log l WHERE l.session_id = s.id AND l.late = 1)
         FROM grants g
         JOIN exam_sections es ON es.exam_id = ?1 AND es.section_id = g.section_id
         JOIN users u ON u.id = g.user_id
         LEFT JOIN exam_sessions s ON s.exam_id = ?1 AND s.user_id = u.id
         LEFT JOIN extra_time x ON x.exam_id = ?1 AND x.user_id = u.id
         WHERE g.role = 'student' AND g.course_id = ?2
         GROUP BY u.id
         ORDER BY u.email",
    )?;
    let rows = statement.query_map(rusqlite::params![exam.id, exam.course_id], |row| {
        let started: Option<AttemptId> = row.get(0)?;
        let attempt = started.map(|_| attempts::from_row(row)).transpose()?;
        Ok(StudentAttempt {
            user_id: row.get(7)?,
            section_id: row.get(8)?,
            email: row.get(9)?,
            display_name: row.get(10)?,
            extra_minutes: row.get(11)?,
            extra_label: row.get(12)?,
            late_items: row.get(13)?,
            attempt,
            receipt: None,
        })
    })?;
    let mut students = rows.collect::<Result<Vec<_>, _>>()?;
    for student in &mut students {
        let Some(attempt) = student.attempt.as_ref().filter(|a| a.submitted_at.is_some()) else { continue };
        let typed = submitted_answers.remove(&attempt.id).unwrap_or_default();
        let answers = attempts::with_starter_code(exam, typed);
        student.receipt = Some(attempts::receipt_of(attempt.id, attempt.submitted_at.clone(), exam, answers));
    }
    Ok(students)
}

/// The typed code of every submitted attempt at `exam`, by attempt and question.
fn submitted_answers(
    conn: &Connection,
    exam: &Exam,
) -> Result<HashMap<AttemptId, HashMap<QuestionId, String>>, StoreError> {
    let mut statement = conn.prepare_cached(
        "SELECT a.session_id, a.question_id, a.code FROM answers a
         JOIN exam_sessions s ON s.id = a.session_id
         WHERE s.exam_id = ?1 AND s.submitted_at IS NOT NULL",
    )?;
    let mut answers: HashMap<AttemptId, HashMap<QuestionId, String>> = HashMap::new();
    let rows = statement.query_map([exam.id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    for row in rows {
        let (attempt, question, code) = row?;
        answers.entry(attempt).or_default().insert(question, code);
    }
    Ok(answers)
}
