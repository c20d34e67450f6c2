//! The live monitor as a watcher's page reads it: one row per student, and
//! the exam's times, with the server's clock so the page can count down.

use serde::Serialize;
use time::OffsetDateTime;

use super::attempts::{Attempt, LateCounts};
use super::courses::Section;
use crate::domain::{ExamId, QuestionId, Role, SectionId, Timestamp, UserId};
use crate::service::ExamWatch;
use crate::service::monitor::Row;
use crate::service::policy::ExamPolicy;
use crate::store::courses;

/// Where one student is.
#[derive(Serialize)]
pub struct MonitorRow {
    user_id: UserId,
    section_id: SectionId,
    display_name: String,
    email: String,
    /// Signs in with a candidate link of this exam (its e-mail is not a real one).
    candidate: bool,
    extra_minutes: u32,
    attempt: Option<Attempt>,
    /// When the server received the attempt's latest durable item.
    last_save_at: Option<Timestamp>,
    /// When the server last heard the browser (a save or a heartbeat), since it started.
    last_contact_at: Option<Timestamp>,
    questions_attempted: u32,
    late_items: LateCounts,
    /// Signal counts by severity; `null` until first derived (at most a minute old after).
    signals: Option<SignalCounts>,
    /// The latest visible-test run: tests passed and run.
    tests_run: Option<TestsRun>,
    /// Characters typed per minute, oldest first, the last minute ending at `activity_until`.
    activity: Vec<u32>,
    activity_until: Option<Timestamp>,
}

/// Signal counts by severity.
#[derive(Serialize)]
struct SignalCounts {
    low: u32,
    medium: u32,
    high: u32,
}

/// The latest visible-test run.
#[derive(Serialize)]
struct TestsRun {
    passed: u32,
    total: u32,
}

impl From<Row> for MonitorRow {
    fn from(row: Row) -> Self {
        let student = row.student;
        let summary = row.summary.as_deref();
        Self {
            signals: summary.map(|s| SignalCounts {
                low: s.signals.low,
                medium: s.signals.medium,
                high: s.signals.high,
            }),
            tests_run: summary.and_then(|s| s.tests).map(|t| TestsRun { passed: t.passed, total: t.total }),
            activity: summary.map(|s| s.activity.clone()).unwrap_or_default(),
            activity_until: summary.map(|s| Timestamp::from_time(s.at)),
            user_id: student.user_id,
            section_id: student.section_id,
            display_name: student.display_name,
            email: student.email,
            candidate: student.candidate,
            extra_minutes: student.extra_minutes,
            attempt: student.attempt.map(Attempt::from),
            last_save_at: student.last_save_at,
            last_contact_at: row.last_contact_at.map(Timestamp::from_time),
            questions_attempted: student.questions_attempted,
            late_items: student.late_items.into(),
        }
    }
}

/// The whole monitor: sent first, and again whenever the page may have missed something.
#[derive(Serialize)]
pub struct Monitor {
    exam_id: ExamId,
    title: String,
    #[serde(with = "crate::domain::timestamp::text")]
    closes_at: OffsetDateTime,
    duration_minutes: u32,
    questions: usize,
    /// Each question's id and title, in the exam's order (what students see of them).
    question_titles: Vec<QuestionTitle>,
    /// Sections the caller watches (all the exam's for course staff).
    sections: Vec<Section>,
    #[serde(with = "crate::domain::timestamp::text")]
    server_now: OffsetDateTime,
    rows: Vec<MonitorRow>,
    /// What the caller may do here (the server checks each action again).
    can: Can,
}

/// A question as the monitor names it.
#[derive(Serialize)]
pub struct QuestionTitle {
    id: QuestionId,
    title: String,
}

/// What a watcher may do on the monitor, by their role and the exam's policy.
#[allow(clippy::struct_excessive_bools, reason = "independent permissions, each a yes or no on the wire")]
#[derive(Serialize)]
pub struct Can {
    /// Open a student's code and replay.
    read_code: bool,
    /// Issue move codes.
    move_attempts: bool,
    /// The most extra minutes they may give one student in one step (0: none).
    extra_minutes: u32,
    /// Close the exam now (instructors); announce to every section at once.
    close: bool,
    /// Send announcements (instructors; proctors to their sections).
    announce: bool,
    /// Review signals (instructors and reviewers).
    review: bool,
}

impl Can {
    /// What a watcher of `role` may do under `policy`.
    #[must_use]
    pub fn of(role: Role, policy: &ExamPolicy) -> Self {
        let (instructor, proctor) = (role == Role::Instructor, role == Role::Proctor);
        Self {
            read_code: !proctor || policy.proctors_read_code,
            move_attempts: instructor || proctor,
            extra_minutes: if instructor {
                crate::service::exam_day::MAX_STEP_MINUTES
            } else if proctor {
                policy.proctor_extra_minutes.min(crate::service::exam_day::MAX_STEP_MINUTES)
            } else {
                0
            },
            close: instructor,
            announce: instructor || proctor,
            review: !proctor,
        }
    }
}

impl Monitor {
    /// The monitor of `watch` at `now`.
    #[must_use]
    pub fn of(
        watch: &ExamWatch,
        sections: Vec<courses::Section>,
        rows: Vec<Row>,
        can: Can,
        now: OffsetDateTime,
    ) -> Self {
        let spec = &watch.on.exam.spec;
        Self {
            exam_id: watch.on.exam.id,
            title: spec.title.clone(),
            closes_at: spec.closes_at,
            duration_minutes: spec.duration_minutes,
            questions: spec.questions.len(),
            question_titles: watch
                .on
                .exam
                .question_ids
                .iter()
                .zip(&spec.questions)
                .map(|(id, q)| QuestionTitle { id: *id, title: q.title.clone() })
                .collect(),
            sections: sections.into_iter().map(Section::from).collect(),
            server_now: now,
            rows: rows.into_iter().map(MonitorRow::from).collect(),
            can,
        }
    }
}

/// An incident note, as the monitor lists it.
#[derive(Serialize)]
pub struct Incident {
    id: String,
    section_id: SectionId,
    /// The student it is about; `null` for the whole section.
    student_id: Option<UserId>,
    student_name: Option<String>,
    note: String,
    made_by_name: String,
    made_at: Timestamp,
}

impl From<crate::store::incidents::Incident> for Incident {
    fn from(incident: crate::store::incidents::Incident) -> Self {
        Self {
            id: incident.id,
            section_id: incident.section_id,
            student_id: incident.student,
            student_name: incident.student_name,
            note: incident.note,
            made_by_name: incident.made_by_name,
            made_at: incident.made_at,
        }
    }
}
