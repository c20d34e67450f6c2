//! Announcements: staff (and proctors, to their own sections) send a
//! clarification or correction to the students of a running exam; it
//! reaches every open exam page at once (over the announcements' own bus),
//! stays there, and each student says they read it. Watchers see who did.
//! Sending and reading are both kept, appended, and sending is audited.

use super::{ExamTaker, ExamWatch, Watched};
use crate::domain::{Role, SectionId};
use crate::notices::{ExamEvent, Notice};
use crate::state::AppState;
use crate::store::announcements::{self, Received, Sent};
use crate::store::{StoreError, audit};

/// The longest announcement, in characters.
pub const MAX_BODY_CHARS: usize = 2_000;

/// The most announcements one exam keeps: far more than an exam day needs,
/// and a bound on what every student's page reads.
pub const MAX_PER_EXAM: usize = 50;

/// How many of them proctors may send: the rest stay for the course's
/// instructors, so a correction can always go out.
pub const MAX_BY_PROCTORS: usize = 40;

/// Sends `body` to the students of `section` (every section the watcher
/// sees when `None`: course staff only; a proctor names one of theirs).
///
/// # Errors
/// [`StoreError::NotFound`] for a section outside the watcher's scope;
/// [`StoreError::Invalid`] for an empty or overlong text, a proctor who names
/// no section, or an exam that has all the announcements it may keep.
pub async fn announce(
    state: &AppState,
    watch: &ExamWatch,
    section: Option<SectionId>,
    body: String,
) -> Result<Sent, StoreError> {
    let body = super::text::lines("body", "body", &body, 1, MAX_BODY_CHARS)?;
    let chars = body.chars().count();
    match (section, &watch.sections) {
        (Some(section), _) if !watch.section_ids().contains(&section) => {
            return Err(StoreError::NotFound("section".to_owned()));
        }
        (None, Watched::Sections(_)) => {
            return Err(StoreError::invalid("section_id", "section_id: a proctor announces to one of their sections"));
        }
        _ => {}
    }
    let (exam, by, now) = (watch.on.exam.id, watch.on.staff.user, state.clock().now());
    let by_proctor = watch.on.staff.role == Role::Proctor;
    let details = serde_json::json!({ "section": section, "characters": chars });
    let event = watch.on.staff.actor.event("announcement.send").target(exam.to_string()).details(details);
    let sent = watch
        .on
        .staff
        .db
        .write(move |conn| {
            let room = if by_proctor { MAX_BY_PROCTORS } else { MAX_PER_EXAM };
            if announcements::count(conn, exam)? >= room {
                return Err(StoreError::invalid(
                    "body",
                    format!("this exam has {room} announcements, all that may be sent from here"),
                ));
            }
            let id = announcements::append(conn, exam, section, &body, by, now)?;
            audit::append(conn, &event, now)?;
            let only = section.map(|s| vec![s]);
            let sent =
                announcements::for_watcher(conn, exam, only.as_deref())?.into_iter().find(|a| a.announcement.id == id);
            sent.ok_or_else(|| StoreError::NotFound("announcement".to_owned()))
        })
        .await?;
    let notice = Notice { org: watch.on.staff.org, exam, event: ExamEvent::Announced { section } };
    state.announced().publish(notice.clone());
    state.notices().publish(notice);
    Ok(sent)
}

/// The exam's announcements the watcher sees, newest first, with who of
/// their students read each.
///
/// # Errors
/// Storage errors.
pub async fn for_watcher(watch: &ExamWatch) -> Result<Vec<Sent>, StoreError> {
    let (exam, sections) = (watch.on.exam.id, watch.sections.only().map(<[_]>::to_vec));
    watch.on.staff.db.read(move |conn| announcements::for_watcher(conn, exam, sections.as_deref())).await
}

/// The announcements that reach the student, newest first.
///
/// # Errors
/// Storage errors.
pub async fn for_student(taker: &ExamTaker) -> Result<Vec<Received>, StoreError> {
    let (exam, student) = (taker.exam.id, taker.student);
    taker.db.read(move |conn| announcements::for_student(conn, exam, student)).await
}

/// Records that the student read announcement `id`; saying so again changes
/// nothing. Watchers hear of the first time.
///
/// # Errors
/// [`StoreError::NotFound`] for an announcement that does not reach them.
pub async fn mark_read(state: &AppState, taker: &ExamTaker, id: String) -> Result<(), StoreError> {
    let (exam, student, now) = (taker.exam.id, taker.student, state.clock().now());
    // Asked on a reader first: a page that says so again (or names another
    // section's announcement) never takes the writer.
    let asked = id.clone();
    match taker.db.read(move |conn| announcements::was_read(conn, exam, &asked, student)).await? {
        None => return Err(StoreError::NotFound("announcement".to_owned())),
        Some(true) => return Ok(()),
        Some(false) => {}
    }
    let first = taker.db.write(move |conn| announcements::mark_read(conn, exam, &id, student, now)).await?;
    match first {
        None => Err(StoreError::NotFound("announcement".to_owned())),
        Some(false) => Ok(()),
        Some(true) => {
            taker.tell(state.notices(), ExamEvent::AnnouncementRead { student });
            Ok(())
        }
    }
}
