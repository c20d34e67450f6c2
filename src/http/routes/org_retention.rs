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
use crate::service::retention;
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::retention::Policy;

async fn view(state: &AppState, admin: &crate::http::auth::OrgMember) -> Result<Json<RetentionView>, AppError> {
    let overview = retention::overview(OrgFile::Open(admin.db()), state.config(), state.clock().now()).await?;
    Ok(Json(RetentionView::new(&state.config().retention, overview)))
}

/// `GET /api/v1/org/retention`: the policy, holds, what is due and what went.
async fn show(State(state): State<AppState>, OrgAdmin(admin): OrgAdmin) -> Result<Json<RetentionView>, AppError> {
    view(&state, &admin).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewPolicy {
    evidence_days: Option<u32>,
    exam_days: Option<u32>,
}

/// `PUT /api/v1/org/retention`: sets the policy (audited, with the old values).
async fn update(
    State(state): State<AppState>,
    client: ClientAddr,
    OrgAdmin(admin): OrgAdmin,
    Json(body): Json<NewPolicy>,
) -> Result<Json<RetentionView>, AppError> {
    let policy = Policy { evidence_days: body.evidence_days, exam_days: body.exam_days };
    retention::check_policy(&policy, state.config().retention.minimum_days)
        .map_err(|(field, message)| AppError::Invalid { field, message })?;
    retention::set_policy(&state, &admin.principal.actor(client), admin.org_id, policy).await?;
    view(&state, &admin).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewHold {
    reason: String,
}

fn exam_id(text: &str) -> Result<ExamId, AppError> {
    ExamId::parse(text).map_err(|_| AppError::NotFound)
}

fn hold_error(error: StoreError) -> AppError {
    match error {
        StoreError::WrongState(message) => AppError::Invalid { field: "reason", message },
        other => other.into(),
    }
}

/// `PUT /api/v1/org/retention/holds/{exam_id}`: puts the exam on legal hold
/// (201), or leaves an existing hold and its reason as they are (200).
async fn hold(
    State(state): State<AppState>,
    client: ClientAddr,
    OrgAdmin(admin): OrgAdmin,
    Path(exam): Path<String>,
    Json(body): Json<NewHold>,
) -> Result<(StatusCode, Json<RetentionView>), AppError> {
    let exam = exam_id(&exam)?;
    let actor = admin.principal.actor(client);
    let added = retention::hold(&state, &actor, admin.org_id, exam, &body.reason).await.map_err(hold_error)?;
    Ok((if added { StatusCode::CREATED } else { StatusCode::OK }, view(&state, &admin).await?))
}

/// `DELETE /api/v1/org/retention/holds/{exam_id}`: releases the hold.
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
