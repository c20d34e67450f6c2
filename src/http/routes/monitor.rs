//! The live monitor of an exam: a snapshot, and a stream of server-sent
//! events that keeps it current. The stream starts with the whole monitor
//! (`snapshot`), then sends one student's row each time the bus tells of
//! them (`student`), and the whole monitor again after anything about the
//! exam as a whole, or when it fell behind the bus. Rows are states, not
//! changes: a page that reconnects (the browser's `EventSource` does so by
//! itself) gets a fresh snapshot, so nothing is missed and nothing counts
//! twice.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::Path;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::Stream;
use serde::{Deserialize, Serialize};
use tokio::sync::OwnedSemaphorePermit;

use crate::domain::{SectionId, SessionId, UserId};
use crate::error::AppError;
use crate::http::auth::{ExamActor, ExamProctor};
use crate::http::wire::announcements::SentAnnouncement;
use crate::http::wire::monitor::{Can, Incident, Monitor, MonitorRow};
use crate::notices::Subscription;
use crate::service::monitor::{self as service, Concern};
use crate::service::{ExamWatch, exam_day};
use crate::state::AppState;

/// How often, at most, a stream checks that its session is still open.
const SESSION_CHECK: time::Duration = time::Duration::seconds(5);

/// How often an idle stream sends a comment, so that neither the server's
/// idle timeout nor a proxy closes it.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

async fn snapshot(state: &AppState, watch: &ExamWatch) -> Result<Monitor, AppError> {
    let (sections, rows) = (service::sections(watch).await?, service::rows(state, watch).await?);
    let policy = crate::service::policy::policy(&watch.on.staff.db, &watch.on.exam).await?;
    let can = Can::of(watch.on.staff.role, &policy);
    Ok(Monitor::of(watch, sections, rows, can, state.clock().now()))
}

/// `GET .../monitor`: every student the caller watches, now.
async fn show(State(state): State<AppState>, ExamProctor(watch, _): ExamProctor) -> Result<Json<Monitor>, AppError> {
    Ok(Json(snapshot(&state, &watch).await?))
}

/// What one stream holds between events.
struct Watching {
    state: AppState,
    watch: ExamWatch,
    /// The caller's session: the stream ends when it does.
    session: SessionId,
    /// When the session was last found open (the server's clock).
    checked: time::OffsetDateTime,
    notices: Subscription,
    /// Send the whole monitor next.
    resnapshot: bool,
    /// The announcements changed since they were last sent (at `announced`):
    /// sent at most every [`ANNOUNCEMENTS_EVERY`], so a room of students
    /// saying they read one costs each monitor one list, not one per student.
    announcements_due: bool,
    announced: tokio::time::Instant,
    _permit: OwnedSemaphorePermit,
}

/// How often, at most, a stream sends the announcements again.
const ANNOUNCEMENTS_EVERY: Duration = Duration::from_secs(2);

fn json_event(kind: &str, body: &impl serde::Serialize) -> Option<Event> {
    Event::default().event(kind).json_data(body).ok()
}

impl Watching {
    /// Whether the caller's session is still open. A session ended elsewhere
    /// (sign-out, a revoked role, a deactivated organization) stops the
    /// stream before its next event, and the page's reconnection then meets
    /// a 401. Checked at most every `SESSION_CHECK`.
    async fn still_allowed(&mut self) -> bool {
        let now = self.state.clock().now();
        if now - self.checked < SESSION_CHECK {
            return true;
        }
        let open = crate::service::sessions::still_open(&self.watch.on.staff.db, self.session, now).await;
        self.checked = now;
        open.unwrap_or(false)
    }

    /// The next event of the stream; `None` ends it (the page reconnects).
    async fn next(&mut self) -> Option<Event> {
        loop {
            if std::mem::take(&mut self.resnapshot) {
                // The exam as it is now: its close may have moved.
                self.watch = service::refresh(&self.state, &self.watch).await.ok()??;
                let monitor = snapshot(&self.state, &self.watch).await.ok()?;
                return self.still_allowed().await.then(|| json_event("snapshot", &monitor)).flatten();
            }
            let next_announcements = self.announced + ANNOUNCEMENTS_EVERY;
            if self.announcements_due && tokio::time::Instant::now() >= next_announcements {
                self.announcements_due = false;
                self.announced = tokio::time::Instant::now();
                let sent: Vec<SentAnnouncement> = crate::service::announcements::for_watcher(&self.watch)
                    .await
                    .ok()?
                    .into_iter()
                    .map(SentAnnouncement::from)
                    .collect();
                return self.still_allowed().await.then(|| json_event("announcements", &sent)).flatten();
            }
            let waited = if self.announcements_due {
                match tokio::time::timeout_at(next_announcements, self.notices.next()).await {
                    Ok(next) => next,
                    // Time to send the announcements held back.
                    Err(_) => continue,
                }
            } else {
                self.notices.next().await
            };
            let notice = match waited {
                Ok(Some(notice)) => notice,
                Ok(None) => return None,
                Err(_lagged) => {
                    self.resnapshot = true;
                    continue;
                }
            };
            match service::concern_of(&notice.event) {
                Concern::WholeExam => self.resnapshot = true,
                Concern::Student(student) => {
                    // A student of a section this watcher does not see has no row here.
                    if let Some(row) = service::row(&self.state, &self.watch, student).await.ok()? {
                        let row = MonitorRow::from(row);
                        return self.still_allowed().await.then(|| json_event("student", &row)).flatten();
                    }
                }
                Concern::Incidents(section) if self.watch.section_ids().contains(&section) => {
                    let notes: Vec<Incident> =
                        service::incidents(&self.watch).await.ok()?.into_iter().map(Incident::from).collect();
                    return self.still_allowed().await.then(|| json_event("incidents", &notes)).flatten();
                }
                Concern::Incidents(_) => {}
                Concern::Announcements => self.announcements_due = true,
            }
        }
    }
}

/// `GET .../monitor/events`: the monitor, kept current (see the module).
async fn events(
    State(state): State<AppState>,
    ExamProctor(watch, session): ExamProctor,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, AppError> {
    // At most `state::MAX_MONITOR_STREAMS` at once, server-wide.
    let permit = Arc::clone(state.monitor_streams())
        .try_acquire_owned()
        .map_err(|_| AppError::Overloaded { retry_after_secs: 5 })?;
    // Listening before the snapshot is read: a save between the two is sent again, never lost.
    let notices = state.notices().subscribe(watch.on.staff.org, watch.on.exam.id);
    let checked = state.clock().now();
    // The first announcements go at once: as if sent long enough ago.
    let announced =
        tokio::time::Instant::now().checked_sub(ANNOUNCEMENTS_EVERY).unwrap_or_else(tokio::time::Instant::now);
    let watching = Watching {
        state,
        watch,
        session,
        checked,
        notices,
        resnapshot: true,
        announcements_due: false,
        announced,
        _permit: permit,
    };
    let stream = futures_util::stream::unfold(watching, |mut watching| async move {
        let event = watching.next().await?;
        Some((Ok(event), watching))
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(KEEP_ALIVE)))
}

/// `GET .../incidents`: the exam's incident notes about what the caller watches, newest first.
async fn incidents(ExamProctor(watch, _): ExamProctor) -> Result<Json<Vec<Incident>>, AppError> {
    Ok(Json(service::incidents(&watch).await?.into_iter().map(Incident::from).collect()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewIncident {
    /// The student it is about; or
    student_id: Option<UserId>,
    /// the whole section.
    section_id: Option<SectionId>,
    note: String,
}

/// `POST .../incidents`: an incident note about a student or a section the
/// caller watches (proctors too), appended and audited.
async fn add_incident(
    State(state): State<AppState>,
    ExamProctor(watch, _): ExamProctor,
    Json(body): Json<NewIncident>,
) -> Result<(StatusCode, Json<Incident>), AppError> {
    let about = match (body.student_id, body.section_id) {
        (Some(student), None) => service::About::Student(student),
        (None, Some(section)) => service::About::Section(section),
        _ => return Err(AppError::Unprocessable("give a student_id or a section_id, not both".to_owned())),
    };
    let added = service::note(&state, &watch, about, body.note).await?;
    Ok((StatusCode::CREATED, Json(added.into())))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MoreTime {
    minutes: u32,
    reason: String,
}

#[derive(Serialize)]
struct ExtraTimeNow {
    /// The student's extra minutes in all.
    minutes: u32,
    /// Of which proctors gave.
    by_proctors: u32,
}

/// `POST .../students/{user_id}/extra-time`: more time for one student the
/// caller watches, for a reason (instructors; proctors within the exam's
/// policy); their running deadline moves at once.
async fn give_extra_time(
    State(state): State<AppState>,
    ExamActor(watch): ExamActor,
    Path(params): Path<HashMap<String, String>>,
    Json(body): Json<MoreTime>,
) -> Result<Json<ExtraTimeNow>, AppError> {
    let student = params.get("user_id").and_then(|id| UserId::parse(id).ok()).ok_or(AppError::NotFound)?;
    let now = exam_day::give_extra_time(&state, &watch, student, body.minutes, body.reason).await?;
    Ok(Json(ExtraTimeNow { minutes: now.minutes, by_proctors: now.by_proctors }))
}

/// The monitor's routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/courses/{course_id}/exams/{exam_id}/monitor", get(show))
        .route("/api/v1/courses/{course_id}/exams/{exam_id}/monitor/events", get(events))
        .route("/api/v1/courses/{course_id}/exams/{exam_id}/incidents", get(incidents).post(add_incident))
        .route("/api/v1/courses/{course_id}/exams/{exam_id}/students/{user_id}/extra-time", post(give_extra_time))
}
