//! Org admins: the backups of their organization.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};

use crate::error::AppError;
use crate::http::auth::OrgAdmin;
use crate::http::wire::backups::BackupStatus;
use crate::service::backups;
use crate::service::org_file::OrgFile;
use crate::state::AppState;

/// `GET /api/v1/org/backups`: per exam, the last good bundle and the last error.
async fn status(State(state): State<AppState>, OrgAdmin(admin): OrgAdmin) -> Result<Json<BackupStatus>, AppError> {
    let (exams, organization) = backups::status(OrgFile::Open(admin.db())).await?;
    Ok(Json(BackupStatus::new(&state.config().backup, exams, organization)))
}

/// The backup routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/org/backups", get(status))
}
