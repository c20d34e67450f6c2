//! Org admins: erasing one student at their request. The request is
//! recorded and carried out by the next purge (the server's daily one, or
//! `examhall retention apply`) once the retention policy has purged every
//! exam that holds the student's attempts; the response names those exams.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde::Serialize;

use crate::domain::{ExamId, Timestamp, UserId};
use crate::error::AppError;
use crate::http::auth::{ClientAddr, OrgAdmin};
use crate::service::erasure;
use crate::state::AppState;

/// A recorded request to erase someone.
#[derive(Serialize)]
pub struct ErasureView {
    /// Whether this request recorded it (`false`: it was recorded before).
    new: bool,
    /// The exams that still hold their attempts: erased once these are purged.
    waits_for: Vec<WaitingFor>,
    /// The hour (UTC) of the daily purge that carries it out, or `null` when IT purges by hand.
    daily_utc_hour: Option<u8>,
}

/// An exam an erasure waits for.
#[derive(Serialize)]
pub struct WaitingFor {
    exam_id: ExamId,
    title: String,
    closes_at: Timestamp,
    /// Whether a legal hold keeps it (nothing is purged until it is released).
    held: bool,
}

fn person(id: &str) -> Result<UserId, AppError> {
    UserId::parse(id).map_err(|_| AppError::NotFound)
}

/// `POST /api/v1/org/users/{id}/erasure`: records the request (202,
/// audited); 409 for staff and for someone erased already.
async fn request(
    State(state): State<AppState>,
    client: ClientAddr,
    OrgAdmin(admin): OrgAdmin,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<ErasureView>), AppError> {
    let acting = admin.acting(client);
    let requested = erasure::request(&acting.db, &acting.actor, person(&id)?, state.clock().now()).await?;
    let retention = &state.config().retention;
    let view = ErasureView {
        new: requested.new,
        waits_for: requested
            .exams
            .into_iter()
            .map(|k| WaitingFor { exam_id: k.exam, title: k.title, closes_at: k.closes_at, held: k.held })
            .collect(),
        daily_utc_hour: retention.automatic.then_some(retention.utc_hour),
    };
    Ok((StatusCode::ACCEPTED, Json(view)))
}

/// `DELETE /api/v1/org/users/{id}/erasure`: cancels a recorded request
/// (audited); 204, or 404 when none is recorded.
async fn cancel(
    State(state): State<AppState>,
    client: ClientAddr,
    OrgAdmin(admin): OrgAdmin,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    let acting = admin.acting(client);
    let cancelled = erasure::cancel(&acting.db, &acting.actor, person(&id)?, state.clock().now()).await?;
    if cancelled { Ok(StatusCode::NO_CONTENT) } else { Err(AppError::NotFound) }
}

/// The erasure routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/org/users/{id}/erasure", post(request).delete(cancel))
}
