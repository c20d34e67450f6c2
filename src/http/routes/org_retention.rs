//! Org admins: how long their organization keeps closed exams' data, and
//! legal holds. The purge itself runs daily on the server (or with
//! `examhall retention apply`).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::{Json, Router};
use serde::Deserialize;

use crate::domain::ExamId;
use crate::error::AppError;
use crate::http::auth::{ClientAddr, OrgAdmin};
use crate::http::wire::retention::RetentionView;
use crate::service::org_file::OrgFile;
use crate::service::retention::{self, Change, Days};
use crate::state::AppState;

/// `GET /api/v1/org/retention`: the policy, holds, what is due and what went.
async fn show(State(state): State<AppState>, OrgAdmin(admin): OrgAdmin) -> Result<Json<RetentionView>, AppError> {
    let overview = retention::overview(OrgFile::Open(admin.db()), state.config(), state.clock().now()).await?;
    Ok(Json(RetentionView::new(&state.config().retention, overview)))
}

/// A whole policy: each setting in days, `null` (or left out) to keep indefinitely.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(clippy::struct_field_names, reason = "the wire's names, as the view returns them")]
struct NewPolicy {
    evidence_days: Option<u32>,
    exam_days: Option<u32>,
    audit_days: Option<u32>,
}

fn days(days: Option<u32>) -> Days {
    days.map_or(Days::Forever, Days::Days)
}

/// `PUT /api/v1/org/retention`: sets the policy (audited, with the old
/// values); 204. A setting the platform does not allow: 422 naming it.
async fn update(
    State(state): State<AppState>,
    client: ClientAddr,
    OrgAdmin(admin): OrgAdmin,
    Json(body): Json<NewPolicy>,
) -> Result<StatusCode, AppError> {
    let actor = admin.principal.actor(client);
    let change =
        Change { evidence: days(body.evidence_days), exam: days(body.exam_days), audit: days(body.audit_days) };
    retention::set_policy(&state, &actor, admin.org_id, change).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewHold {
    reason: String,
}

fn exam_id(text: &str) -> Result<ExamId, AppError> {
    ExamId::parse(text).map_err(|_| AppError::NotFound)
}

/// `PUT /api/v1/org/retention/holds/{exam_id}`: puts the exam on legal hold,
/// or leaves an existing hold and its first reason as they are; 204 either
/// way. A reason that is empty, too long or has control characters: 422.
async fn hold(
    State(state): State<AppState>,
    client: ClientAddr,
    OrgAdmin(admin): OrgAdmin,
    Path(exam): Path<String>,
    Json(body): Json<NewHold>,
) -> Result<StatusCode, AppError> {
    let exam = exam_id(&exam)?;
    retention::hold(&state, &admin.principal.actor(client), admin.org_id, exam, &body.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /api/v1/org/retention/holds/{exam_id}`: releases the hold; 204,
/// whether there was one or not.
async fn release(
    State(state): State<AppState>,
    client: ClientAddr,
    OrgAdmin(admin): OrgAdmin,
    Path(exam): Path<String>,
) -> Result<StatusCode, AppError> {
    let exam = exam_id(&exam)?;
    retention::release(&state, &admin.principal.actor(client), admin.org_id, exam).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The retention routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/org/retention", get(show).put(update))
        .route("/api/v1/org/retention/holds/{exam_id}", put(hold).delete(release))
}
