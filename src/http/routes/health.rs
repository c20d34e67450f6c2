//! Liveness and readiness, for load balancers and systemd. No sign-in, no
//! detail: they say whether to send traffic, nothing about the data.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use crate::error::AppError;
use crate::state::AppState;

/// `GET /healthz`: the process answers.
async fn live() -> StatusCode {
    StatusCode::OK
}

/// `GET /readyz`: every database is open and migrated. Organizations
/// refused at open (see `store::org_refusal`) do not make the server unready,
/// since the others are served; the answer then says how many are refused,
/// so monitoring sees it without learning which.
async fn ready(State(state): State<AppState>) -> Result<Response, AppError> {
    if !state.is_ready() {
        return Err(AppError::Unavailable("databases are still opening".to_owned()));
    }
    match state.registry().refused_count() {
        0 => Ok(StatusCode::OK.into_response()),
        refused => {
            Ok(Json(serde_json::json!({ "status": "degraded", "refused_organizations": refused })).into_response())
        }
    }
}

/// The health routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(live)).route("/readyz", get(ready))
}
