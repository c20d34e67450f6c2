//! Org admins: everything held about one person, for their subject-access
//! request, as JSON or CSV (each export audited).

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use crate::clock::rfc3339;
use crate::domain::UserId;
use crate::error::AppError;
use crate::http::auth::{ClientAddr, OrgAdmin};
use crate::service::subject_access::{self, Export, Format};
use crate::state::AppState;

async fn exported(
    state: &AppState,
    client: ClientAddr,
    admin: &crate::http::auth::OrgMember,
    id: &str,
    format: Format,
) -> Result<Export, AppError> {
    let person = UserId::parse(id).map_err(|_| AppError::NotFound)?;
    let actor = admin.principal.actor(client);
    Ok(subject_access::export(admin.db(), &actor, person, format, state.clock().now()).await?)
}

/// A file name from the person's address: letters, digits, `.`, `-` and `_` only.
fn file_name(export: &Export, extension: &str) -> String {
    let safe: String =
        export.email.chars().map(|c| if c.is_ascii_alphanumeric() || ".-_".contains(c) { c } else { '_' }).collect();
    format!("attachment; filename=\"personal-data-{safe}.{extension}\"")
}

/// `GET /api/v1/org/users/{id}/export`: as JSON.
async fn as_json(
    State(state): State<AppState>,
    client: ClientAddr,
    OrgAdmin(admin): OrgAdmin,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let export = exported(&state, client, &admin, &id, Format::Json).await?;
    let disposition = file_name(&export, "json");
    let body = export.to_json(&rfc3339(state.clock().now()));
    Ok(([(header::CONTENT_DISPOSITION, disposition)], Json(body)).into_response())
}

/// `GET /api/v1/org/users/{id}/export.csv`: as CSV.
async fn as_csv(
    State(state): State<AppState>,
    client: ClientAddr,
    OrgAdmin(admin): OrgAdmin,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let export = exported(&state, client, &admin, &id, Format::Csv).await?;
    let headers = [
        (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
        (header::CONTENT_DISPOSITION, file_name(&export, "csv")),
    ];
    Ok((headers, export.to_csv()).into_response())
}

/// The export routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/org/users/{id}/export", get(as_json))
        .route("/api/v1/org/users/{id}/export.csv", get(as_csv))
}
