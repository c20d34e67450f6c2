//! Announcements: watchers send and follow them; students receive them on
//! their exam page as server-sent events (the whole list on connecting and
//! again after each new one, so a page back from a network drop misses
//! nothing) and say they read each.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::Stream;
use serde::Deserialize;

use crate::domain::SessionId;
use crate::domain::{SectionId, UserId};
use crate::error::AppError;
use crate::http::auth::{ExamActor, ExamProctor, OrgMember, StudentExam};
use crate::http::wire::announcements::{ReceivedAnnouncement, SentAnnouncement};
use crate::notices::Subscription;
use crate::service::ExamTaker;
use crate::service::announcements as service;
use crate::state::AppState;
use crate::stream_slots::Slot;

/// How often an idle stream sends a comment, so that no proxy closes it.
const KEEP_ALIVE: Duration = Duration::from_secs(20);

/// `GET .../announcements`: the exam's announcements the caller watches, with who read each.
async fn watched(ExamProctor(watch, _): ExamProctor) -> Result<Json<Vec<SentAnnouncement>>, AppError> {
    Ok(Json(service::for_watcher(&watch).await?.into_iter().map(SentAnnouncement::from).collect()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewAnnouncement {
    /// One section; `null` for every section (course staff only).
    section_id: Option<SectionId>,
    body: String,
}

/// `POST .../announcements`: sends an announcement (instructors; proctors
/// to their own sections; not reviewers), audited.
async fn send(
    State(state): State<AppState>,
    ExamActor(watch): ExamActor,
    Json(body): Json<NewAnnouncement>,
) -> Result<(StatusCode, Json<SentAnnouncement>), AppError> {
    let sent = service::announce(&state, &watch, body.section_id, body.body).await?;
    Ok((StatusCode::CREATED, Json(sent.into())))
}

/// `GET /api/v1/me/exams/{id}/announcements`: what reaches the student, newest first.
async fn received(StudentExam(taker): StudentExam) -> Result<Json<Vec<ReceivedAnnouncement>>, AppError> {
    Ok(Json(service::for_student(&taker).await?.into_iter().map(ReceivedAnnouncement::from).collect()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Read {
    id: String,
}

/// `POST /api/v1/me/exams/{id}/announcements/read`: the student read one.
async fn read(
    State(state): State<AppState>,
    StudentExam(taker): StudentExam,
    Json(body): Json<Read>,
) -> Result<StatusCode, AppError> {
    service::mark_read(&state, &taker, body.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// How often, at most, a stream checks that its session is still open.
const SESSION_CHECK: time::Duration = time::Duration::seconds(5);

/// What one student's stream holds between events.
struct Listening {
    state: AppState,
    taker: ExamTaker,
    /// The student's session: the stream sends nothing once it has ended.
    session: SessionId,
    checked: time::OffsetDateTime,
    notices: Subscription,
    /// Send the list next.
    due: bool,
    _slot: Slot<UserId>,
}

impl Listening {
    /// Whether the student's session is still open (signed out, a grant
    /// revoked, the account disabled: the stream ends before its next event).
    async fn still_allowed(&mut self) -> bool {
        let now = self.state.clock().now();
        if now - self.checked < SESSION_CHECK {
            return true;
        }
        self.checked = now;
        crate::service::sessions::still_open(&self.taker.db, self.session, now).await.unwrap_or(false)
    }

    async fn next(&mut self) -> Option<Event> {
        loop {
            if std::mem::take(&mut self.due) {
                if !self.still_allowed().await {
                    return None;
                }
                let list: Vec<ReceivedAnnouncement> =
                    service::for_student(&self.taker).await.ok()?.into_iter().map(ReceivedAnnouncement::from).collect();
                return Event::default().event("announcements").json_data(&list).ok();
            }
            // A new announcement of this exam (or notices lost to a slow
            // stream): the list again. Anything else never reaches this bus.
            match self.notices.next().await {
                Ok(Some(_)) | Err(_) => self.due = true,
                Ok(None) => return None,
            }
        }
    }
}

/// `GET /api/v1/me/exams/{id}/announcements/events`: the list, kept current.
/// At most [`crate::state::MAX_ANNOUNCEMENT_STREAMS`] open server-wide and
/// [`crate::state::MAX_ANNOUNCEMENT_STREAMS_PER_PERSON`] per person; past
/// that, 503 with `Retry-After`.
async fn events(
    State(state): State<AppState>,
    member: OrgMember,
    StudentExam(taker): StudentExam,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, AppError> {
    let slot = state.announcement_streams().take(taker.student).ok_or(AppError::Overloaded { retry_after_secs: 10 })?;
    // Listening before the list is read: one sent in between comes again, never lost.
    let notices = state.announced().subscribe(taker.org, taker.exam.id);
    let checked = state.clock().now();
    let session = member.principal.session_id;
    let listening = Listening { state, taker, session, checked, notices, due: true, _slot: slot };
    let stream = futures_util::stream::unfold(listening, |mut listening| async move {
        let event = listening.next().await?;
        Some((Ok(event), listening))
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(KEEP_ALIVE)))
}

/// The announcements' routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/courses/{course_id}/exams/{exam_id}/announcements", get(watched).post(send))
        .route("/api/v1/me/exams/{id}/announcements", get(received))
        .route("/api/v1/me/exams/{id}/announcements/events", get(events))
        .route("/api/v1/me/exams/{id}/announcements/read", post(read))
}
