//! Liveness and readiness, for load balancers and systemd. No sign-in, no
//! detail: they say whether to send traffic, nothing about the data.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;

use crate::app::AppState;
use crate::error::AppError;

/// `GET /healthz`: the process answers.
async fn live() -> StatusCode {
    StatusCode::OK
}

/// `GET /readyz`: every database is open and migrated.
async fn ready(State(state): State<AppState>) -> Result<StatusCode, AppError> {
    if state.is_ready() {
        Ok(StatusCode::OK)
    } else {
        Err(AppError::Unavailable("databases are still opening".to_owned()))
    }
}

/// The health routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(live)).route("/readyz", get(ready))
}
