//! Exams and their students as course staff see them.

use serde::Serialize;

use super::attempts::{Attempt, LateCounts};
use crate::domain::receipt::Receipt;
use crate::domain::{CourseId, ExamId, ExamSpec, QuestionId, SectionId, Timestamp, UserId};
use crate::store::exams::Phase;
use crate::store::{exam_roster, exams};

/// An exam: what the instructor wrote, where it is in its life, and the
/// identifiers of its questions in order.
#[derive(Serialize)]
pub struct Exam {
    id: ExamId,
    course_id: CourseId,
    phase: Phase,
    published_at: Option<Timestamp>,
    #[serde(flatten)]
    spec: ExamSpec,
    question_ids: Vec<QuestionId>,
}

impl From<exams::Exam> for Exam {
    fn from(exam: exams::Exam) -> Self {
        Self {
            id: exam.id,
            course_id: exam.course_id,
            phase: exam.phase,
            published_at: exam.published_at,
            spec: exam.spec,
            question_ids: exam.question_ids,
        }
    }
}

/// One student of an exam's sections: their accommodations, their attempt
/// and, once submitted, the receipt they got.
#[derive(Serialize)]
pub struct StudentAttempt {
    user_id: UserId,
    section_id: SectionId,
    email: String,
    display_name: String,
    /// Signs in with a candidate link of this exam (its e-mail is not a real one).
    candidate: bool,
    extra_minutes: u32,
    extra_label: String,
    late_items: LateCounts,
    attempt: Option<Attempt>,
    receipt: Option<Receipt>,
    receipt_sha256: Option<String>,
}

impl From<exam_roster::StudentAttempt> for StudentAttempt {
    fn from(row: exam_roster::StudentAttempt) -> Self {
        Self {
            user_id: row.user_id,
            section_id: row.section_id,
            email: row.email,
            display_name: row.display_name,
            candidate: row.candidate,
            extra_minutes: row.extra_minutes,
            extra_label: row.extra_label,
            late_items: row.late_items.into(),
            attempt: row.attempt.map(Attempt::from),
            receipt: row.receipt,
            receipt_sha256: row.receipt_sha256,
        }
    }
}
