//! Org admins: erasing one student at their request. Erased now when no
//! exam holds their attempts any more; otherwise the request is recorded
//! and the daily purge completes it once the retention policy has purged
//! those exams (the response names them).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde::Serialize;

use crate::domain::{ExamId, Timestamp, UserId};
use crate::error::AppError;
use crate::http::auth::{ClientAddr, OrgAdmin};
use crate::service::erasure::{self, Outcome};
use crate::state::AppState;

/// What a request to erase someone did.
#[derive(Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ErasureView {
    /// Erased now: they are known only by the pseudonym from now on.
    Erased {
        /// The name they go by now.
        pseudonym: String,
    },
    /// Recorded: completed once these exams are purged.
    Waiting {
        /// Whether this request recorded it (`false`: it was recorded before).
        new: bool,
        /// The exams that still hold their attempts.
        exams: Vec<WaitingFor>,
    },
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

/// `POST /api/v1/org/users/{id}/erasure`: 200 when erased now, 202 when
/// recorded; 409 for staff; audited either way.
async fn request(
    State(state): State<AppState>,
    client: ClientAddr,
    OrgAdmin(admin): OrgAdmin,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<ErasureView>), AppError> {
    let acting = admin.acting(client);
    let outcome = erasure::erase_or_request(&acting.db, &acting.actor, person(&id)?, state.clock().now()).await?;
    Ok(match outcome {
        Outcome::Erased(done) => (StatusCode::OK, Json(ErasureView::Erased { pseudonym: done.pseudonym })),
        Outcome::Waiting { new, exams } => {
            let exams = exams
                .into_iter()
                .map(|k| WaitingFor { exam_id: k.exam, title: k.title, closes_at: k.closes_at, held: k.held })
                .collect();
            (StatusCode::ACCEPTED, Json(ErasureView::Waiting { new, exams }))
        }
    })
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
