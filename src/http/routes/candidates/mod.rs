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

use self::batch::{SettingsQuery, parse_batch};
use crate::domain::{OrgId, Timestamp};
use crate::error::AppError;
use crate::http::auth::{ExamInstructor, Realm};
use crate::http::wire::candidates::CandidateLink;
use crate::service::candidates::{self as service, LinkWindow};
use crate::state::AppState;
use crate::store::candidates::IssuedLink;

#[derive(Deserialize)]
struct LinkPath {
    #[allow(dead_code, reason = "checked by the ExamInstructor extractor")]
    course_id: String,
    #[allow(dead_code, reason = "checked by the ExamInstructor extractor")]
    exam_id: String,
    id: String,
}

async fn list(
    State(state): State<AppState>,
    ExamInstructor(on): ExamInstructor,
) -> Result<Json<Vec<CandidateLink>>, AppError> {
    Ok(Json(service::list(&state, &on).await?.into_iter().map(CandidateLink::from).collect()))
}

#[derive(Serialize)]
struct Issued {
    id: String,
    label: String,
    student_number: Option<String>,
    link: String,
    valid_from: Timestamp,
    valid_until: Timestamp,
}

impl Issued {
    fn of(org: OrgId, link: IssuedLink, valid_from: Timestamp, valid_until: Timestamp) -> Self {
        let realm = Realm::Org(org).prefix();
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
    ExamInstructor(on): ExamInstructor,
    Query(query): Query<SettingsQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Vec<Issued>>), AppError> {
    let (settings, list) = parse_batch(&headers, query, &body)?;
    let window =
        LinkWindow { section: settings.section_id, valid_from: settings.valid_from, valid_until: settings.valid_until };
    let issued = service::issue(&state, &on, window, list).await?;
    let (from, until) = (Timestamp::from_time(window.valid_from), Timestamp::from_time(window.valid_until));
    let body = issued.into_iter().map(|link| Issued::of(on.staff.org, link, from, until)).collect();
    Ok((StatusCode::CREATED, Json(body)))
}

async fn revoke(
    State(state): State<AppState>,
    ExamInstructor(on): ExamInstructor,
    Path(path): Path<LinkPath>,
) -> Result<StatusCode, AppError> {
    service::revoke(&state, &on, path.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST .../candidates/{id}/reissue`: a new link for the candidate of link
/// `id` ([`service::reissue`]).
async fn reissue(
    State(state): State<AppState>,
    ExamInstructor(on): ExamInstructor,
    Path(path): Path<LinkPath>,
) -> Result<(StatusCode, Json<Issued>), AppError> {
    let reissued = service::reissue(&state, &on, path.id).await?;
    let issued = Issued::of(on.staff.org, reissued.link, reissued.valid_from, reissued.valid_until);
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
