//! Candidate links: instructors issue, list, revoke and issue again; a
//! candidate opens one to sign in for that one exam ([`redeem`]).

mod batch;
mod redeem;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use self::batch::{MAX_CANDIDATES, SettingsQuery, parse_batch};
use super::audit_event;
use crate::audit;
use crate::domain::ExamId;
use crate::error::AppError;
use crate::http::auth::{ClientAddr, CourseInstructor, Realm};
use crate::state::AppState;
use crate::store::candidates::{self, CandidateLink, IssuedLink};
use crate::store::exams;

#[derive(Deserialize)]
struct ExamPath {
    #[allow(dead_code, reason = "checked by the CourseInstructor extractor")]
    course_id: String,
    exam_id: String,
}

#[derive(Deserialize)]
struct LinkPath {
    #[allow(dead_code, reason = "checked by the CourseInstructor extractor")]
    course_id: String,
    exam_id: String,
    id: String,
}

async fn exam_of(state: &AppState, staff: &CourseInstructor, id: &str) -> Result<exams::Exam, AppError> {
    let id = ExamId::parse(id).map_err(|_| AppError::NotFound)?;
    let (course, now) = (staff.0.course, state.clock().now());
    staff.0.member.db().read(move |conn| exams::get(conn, course, id, now)).await?.ok_or(AppError::NotFound)
}

async fn list(
    State(state): State<AppState>,
    staff: CourseInstructor,
    Path(path): Path<ExamPath>,
) -> Result<Json<Vec<CandidateLink>>, AppError> {
    let exam = exam_of(&state, &staff, &path.exam_id).await?;
    let now = state.clock().now();
    Ok(Json(staff.0.member.db().read(move |conn| candidates::list(conn, exam.id, now)).await?))
}

#[derive(Serialize)]
struct Issued {
    id: String,
    label: String,
    student_number: Option<String>,
    link: String,
    valid_from: String,
    valid_until: String,
}

impl Issued {
    fn of(staff: &CourseInstructor, link: IssuedLink, valid_from: String, valid_until: String) -> Self {
        let realm = Realm::Org(staff.0.member.org_id).prefix();
        Self {
            link: format!("/candidate/{realm}.{}", link.token),
            id: link.id,
            label: link.label,
            student_number: link.student_number,
            valid_from,
            valid_until,
        }
    }
}

async fn create(
    State(state): State<AppState>,
    client: ClientAddr,
    staff: CourseInstructor,
    Path(path): Path<ExamPath>,
    Query(query): Query<SettingsQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Vec<Issued>>), AppError> {
    let exam = exam_of(&state, &staff, &path.exam_id).await?;
    let (settings, list) = parse_batch(&headers, query, &body)?;
    if list.is_empty() || list.len() > MAX_CANDIDATES {
        return Err(AppError::Unprocessable(format!("give 1 to {MAX_CANDIDATES} candidates")));
    }
    if !exam.spec.section_ids.contains(&settings.section_id) {
        return Err(AppError::Unprocessable("section_id: one of the exam's sections".to_owned()));
    }
    if settings.valid_until <= settings.valid_from {
        return Err(AppError::Unprocessable("valid_until: after valid_from".to_owned()));
    }
    let now = state.clock().now();
    let window = (settings.valid_from, settings.valid_until);
    let event = audit_event::by(&staff.0.member.principal, "candidate_link.create", client)
        .target(exam.id.to_string())
        .details(serde_json::json!({ "count": list.len(), "section": settings.section_id }));
    let (exam_id, section) = (exam.id, settings.section_id);
    let issued = staff
        .0
        .member
        .db()
        .write(move |conn| {
            let issued = candidates::issue(conn, exam_id, section, window, &list, now)?;
            audit::append(conn, &event, now)?;
            Ok(issued)
        })
        .await?;
    let (from, until) = (crate::clock::rfc3339(window.0), crate::clock::rfc3339(window.1));
    let body = issued.into_iter().map(|link| Issued::of(&staff, link, from.clone(), until.clone())).collect();
    Ok((StatusCode::CREATED, Json(body)))
}

async fn revoke(
    State(state): State<AppState>,
    client: ClientAddr,
    staff: CourseInstructor,
    Path(path): Path<LinkPath>,
) -> Result<StatusCode, AppError> {
    let exam = exam_of(&state, &staff, &path.exam_id).await?;
    let now = state.clock().now();
    let event = audit_event::by(&staff.0.member.principal, "candidate_link.revoke", client).target(path.id.clone());
    let (exam_id, id) = (exam.id, path.id);
    staff
        .0
        .member
        .db()
        .write(move |conn| {
            candidates::revoke(conn, exam_id, &id, now)?;
            audit::append(conn, &event, now).map(|_| ())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST .../candidates/{id}/reissue`: a new link for the candidate of link
/// `id`, for a candidate who closed the browser before submitting. The old
/// link stops working and its browser is signed out; a running attempt is
/// allowed to move, so the browser that opens the new link continues it
/// (see [`candidates::reissue`]). Audited as `candidate_link.reissue`, and
/// the move as `attempt.allow_move`, as when staff move any attempt.
async fn reissue(
    State(state): State<AppState>,
    client: ClientAddr,
    staff: CourseInstructor,
    Path(path): Path<LinkPath>,
) -> Result<(StatusCode, Json<Issued>), AppError> {
    let exam = exam_of(&state, &staff, &path.exam_id).await?;
    let now = state.clock().now();
    let principal = &staff.0.member.principal;
    let reissued_event = audit_event::by(principal, "candidate_link.reissue", client);
    let moved_event = audit_event::by(principal, "attempt.allow_move", client);
    let (exam_id, id) = (exam.id, path.id);
    let reissued = staff
        .0
        .member
        .db()
        .write(move |conn| {
            let reissued = candidates::reissue(conn, exam_id, &id, now)?;
            let details = serde_json::json!({ "replaces": id, "attempt_moved": reissued.attempt_moved });
            audit::append(conn, &reissued_event.target(reissued.link.id.clone()).details(details), now)?;
            if let Some(attempt) = reissued.attempt_moved {
                let details = serde_json::json!({ "candidate_link": reissued.link.id });
                audit::append(conn, &moved_event.target(attempt.to_string()).details(details), now)?;
            }
            Ok(reissued)
        })
        .await?;
    let issued = Issued::of(&staff, reissued.link, reissued.valid_from, reissued.valid_until);
    Ok((StatusCode::CREATED, Json(issued)))
}

/// The candidate link routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/courses/{course_id}/exams/{exam_id}/candidates", get(list).post(create))
        .route("/api/v1/courses/{course_id}/exams/{exam_id}/candidates/{id}", delete(revoke))
        .route("/api/v1/courses/{course_id}/exams/{exam_id}/candidates/{id}/reissue", post(reissue))
        .merge(redeem::router())
}
