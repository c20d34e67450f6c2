//! The live monitor of an exam, for its course staff (every section) and
//! its proctors (their sections): where each student is, read from the
//! store and from when the server last heard their browser, refreshed one
//! student at a time as the bus tells of their saves, starts, moves and
//! submissions.

use time::OffsetDateTime;

use super::{ExamWatch, Watched};
use crate::domain::{AttemptId, SectionId, Timestamp, UserId};
use crate::notices::ExamEvent;
use crate::state::AppState;
use crate::store::courses::{self, Course};
use crate::store::exam_roster::{self, StudentAttempt, Whose};
use crate::store::exams::{self, Exam};
use crate::store::{Database, StoreError, audit, incidents};
use crate::summaries::{Job, Summary};

/// One student on the monitor.
#[derive(Debug, Clone)]
pub struct Row {
    /// The student, their attempt, receipt and latest save.
    pub student: StudentAttempt,
    /// When the server last heard their browser (a save or a heartbeat),
    /// since it started.
    pub last_contact_at: Option<OffsetDateTime>,
    /// What the monitor shows of the attempt's log, at most a minute old
    /// ([`crate::summaries`]); `None` until first derived.
    pub summary: Option<std::sync::Arc<Summary>>,
}

/// The exam of `watch` as it is now (a monitor stays open while its close
/// moves or its sections change): `None` once it is gone. A proctor keeps
/// only those of their sections the exam is still for.
///
/// # Errors
/// Storage errors.
pub async fn refresh(state: &AppState, watch: &ExamWatch) -> Result<Option<ExamWatch>, StoreError> {
    let on = &watch.on;
    let Some(exam) = super::exams::find(&on.staff.db, on.staff.course, on.exam.id, state.clock().now()).await? else {
        return Ok(None);
    };
    let sections = match &watch.sections {
        Watched::Every => Watched::Every,
        Watched::Sections(mine) => {
            let kept: Vec<_> = mine.iter().copied().filter(|s| exam.spec.section_ids.contains(s)).collect();
            if kept.is_empty() {
                return Ok(None);
            }
            Watched::Sections(kept)
        }
    };
    Ok(Some(ExamWatch { on: super::ExamStaff { staff: on.staff.clone(), exam }, sections }))
}

/// The sections the watcher sees, with their names, in name order.
///
/// # Errors
/// Storage errors.
pub async fn sections(watch: &ExamWatch) -> Result<Vec<courses::Section>, StoreError> {
    let course = watch.on.staff.course;
    let watched = watch.section_ids();
    let found = watch.on.staff.db.read(move |conn| courses::course(conn, course)).await?;
    let mut sections: Vec<_> =
        found.map(|c| c.sections).unwrap_or_default().into_iter().filter(|s| watched.contains(&s.id)).collect();
    sections.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(sections)
}

/// Every student the watcher sees. Attempts past their deadline are
/// submitted first, so no one is shown running late.
///
/// # Errors
/// Storage errors.
pub async fn rows(state: &AppState, watch: &ExamWatch) -> Result<Vec<Row>, StoreError> {
    let students = super::exams::roster(state, watch).await?;
    Ok(students.into_iter().map(|student| with_contact(state, watch, student)).collect())
}

/// `student`'s row, if the watcher sees them.
///
/// # Errors
/// Storage errors.
pub async fn row(state: &AppState, watch: &ExamWatch, student: UserId) -> Result<Option<Row>, StoreError> {
    let on = &watch.on;
    let (exam, sections) = (on.exam.clone(), watch.sections.only().map(<[_]>::to_vec));
    let found = on
        .staff
        .db
        .read(move |conn| {
            let whose = Whose { sections: sections.as_deref(), student: Some(student) };
            exam_roster::students(conn, &exam, whose)
        })
        .await?;
    Ok(found.into_iter().next().map(|student| with_contact(state, watch, student)))
}

/// The exam's attempt `id`, if the watcher sees its student.
///
/// # Errors
/// Storage errors.
pub async fn attempt_of(
    state: &AppState,
    watch: &ExamWatch,
    id: AttemptId,
) -> Result<Option<crate::store::attempts::Attempt>, StoreError> {
    let Some(attempt) = super::review::find(&watch.on, id).await? else { return Ok(None) };
    if watch.sections.only().is_some() && row(state, watch, attempt.user_id).await?.is_none() {
        return Ok(None);
    }
    Ok(Some(attempt))
}

fn with_contact(state: &AppState, watch: &ExamWatch, student: StudentAttempt) -> Row {
    let last_contact_at = student.attempt.as_ref().and_then(|a| state.presence().last(a.id));
    let summary = student.attempt.as_ref().and_then(|a| {
        let job = Job { org: watch.on.staff.org, exam: watch.on.exam.id, attempt: a.id, student: student.user_id };
        state.summaries().latest(job, student.last_save_at.map(Timestamp::time), state.clock().now())
    });
    Row { student, last_contact_at, summary }
}

/// What a notice changes on a monitor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Concern {
    /// One student's row.
    Student(UserId),
    /// Every row (the exam's window, extra time for several, its policy).
    WholeExam,
    /// The incident notes about a section.
    Incidents(SectionId),
    /// The announcements and who read them.
    Announcements,
}

/// What `event` changes on a monitor.
#[must_use]
pub fn concern_of(event: &ExamEvent) -> Concern {
    match event {
        ExamEvent::AttemptStarted { student, .. }
        | ExamEvent::AttemptMoved { student, .. }
        | ExamEvent::MoveAllowed { student, .. }
        | ExamEvent::Reconnected { student, .. }
        | ExamEvent::Saved { student, .. }
        | ExamEvent::Submitted { student, .. }
        | ExamEvent::Summarized { student, .. } => Concern::Student(*student),
        ExamEvent::ExtraTime { students, .. } if students.len() == 1 => Concern::Student(students[0]),
        ExamEvent::ExtraTime { .. } | ExamEvent::WindowChanged { .. } | ExamEvent::PolicyChanged => Concern::WholeExam,
        ExamEvent::IncidentNoted { section } => Concern::Incidents(*section),
        ExamEvent::Announced { .. } | ExamEvent::AnnouncementRead { .. } => Concern::Announcements,
    }
}

/// How long after its close an exam stays on a proctor's page.
const WATCHED_AFTER_CLOSE: time::Duration = time::Duration::hours(24);

/// The published exams that `sections` (those a proctor proctors) sit and
/// that closed less than a day ago, with their course, soonest first.
///
/// # Errors
/// Storage errors.
pub async fn watched(
    state: &AppState,
    db: &Database,
    sections: Vec<SectionId>,
) -> Result<Vec<(Exam, Course)>, StoreError> {
    if sections.is_empty() {
        return Ok(Vec::new());
    }
    let now = state.clock().now();
    db.read(move |conn| {
        let all = courses::list_courses(conn)?;
        let exams = exams::published_for_sections(conn, &sections, now)?;
        Ok(exams
            .into_iter()
            .filter(|exam| exam.spec.closes_at + WATCHED_AFTER_CLOSE > now)
            .filter_map(|exam| all.iter().find(|c| c.id == exam.course_id).cloned().map(|course| (exam, course)))
            .collect())
    })
    .await
}

/// What an incident note is about.
#[derive(Debug, Clone, Copy)]
pub enum About {
    /// A whole section the watcher sees.
    Section(SectionId),
    /// One student the watcher sees.
    Student(UserId),
}

/// The longest incident note, in characters.
pub const MAX_NOTE_CHARS: usize = 2_000;

/// Appends an incident note about a section or a student the watcher sees
/// (proctors too); audited with what it is about, not its text.
///
/// # Errors
/// [`StoreError::NotFound`] for a section or student outside the watcher's
/// scope; [`StoreError::Invalid`] for an empty or overlong note.
pub async fn note(
    state: &AppState,
    watch: &ExamWatch,
    about: About,
    note: String,
) -> Result<incidents::Incident, StoreError> {
    let note = super::text::lines("note", "note", &note, 1, MAX_NOTE_CHARS)?;
    let (section, student) = match about {
        About::Section(section) => {
            if !watch.section_ids().contains(&section) {
                return Err(StoreError::NotFound("section".to_owned()));
            }
            (section, None)
        }
        About::Student(student) => {
            let row = row(state, watch, student).await?.ok_or_else(|| StoreError::NotFound("student".to_owned()))?;
            (row.student.section_id, Some(student))
        }
    };
    let (exam, by, now) = (watch.on.exam.id, watch.on.staff.user, state.clock().now());
    let details = serde_json::json!({ "section": section, "student": student });
    let event = watch.on.staff.actor.event("incident.note").target(exam.to_string()).details(details);
    let added = watch
        .on
        .staff
        .db
        .write(move |conn| {
            let id = incidents::append(conn, exam, section, student, &note, by, now)?;
            audit::append(conn, &event, now)?;
            let added = incidents::list(conn, exam, Some(&[section]))?.into_iter().find(|n| n.id == id);
            added.ok_or_else(|| StoreError::NotFound("incident note".to_owned()))
        })
        .await?;
    watch.on.tell(state.notices(), ExamEvent::IncidentNoted { section });
    Ok(added)
}

/// The exam's incident notes about what the watcher sees, newest first.
///
/// # Errors
/// Storage errors.
pub async fn incidents(watch: &ExamWatch) -> Result<Vec<incidents::Incident>, StoreError> {
    let (exam, sections) = (watch.on.exam.id, watch.sections.only().map(<[_]>::to_vec));
    watch.on.staff.db.read(move |conn| incidents::list(conn, exam, sections.as_deref())).await
}
