//! The caller's session: who is signed in, signing out, and the caller's
//! other sessions. Signing in is [`super::sign_in`] and password changes
//! [`super::password`]; a session starts in `http::auth::doors`.

use crate::domain::SessionId;
use crate::error::AppError;
use crate::http::auth::SessionView;
use crate::http::auth::{ClientAddr, Principal, clear_cookie};
use crate::http::wire::people::Session;
use crate::service::sessions;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};

/// `GET /api/v1/session`: who is signed in.
pub(super) async fn current(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<SessionView>, AppError> {
    let csrf = principal.csrf.clone();
    Ok(Json(SessionView::of(&state, &principal, csrf).await?))
}

/// `DELETE /api/v1/session`: sign out.
pub(super) async fn sign_out(
    State(state): State<AppState>,
    client: ClientAddr,
    principal: Principal,
) -> Result<Response, AppError> {
    let (user_id, session_id) = (principal.user.id, principal.session_id);
    let event = principal.actor(client).event("session.sign_out").target(session_id.to_string());
    sessions::end(&state, &principal.db, user_id, session_id, event).await?;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, clear_cookie())]).into_response())
}

/// `GET /api/v1/sessions`: the caller's live sessions.
async fn list(State(state): State<AppState>, principal: Principal) -> Result<Json<Vec<Session>>, AppError> {
    let idle = state.config().auth.idle_timeouts().for_grants(&principal.grants);
    let list = sessions::list(&state, &principal.db, principal.user.id, idle).await?;
    let current = principal.session_id;
    Ok(Json(list.into_iter().map(|summary| Session::of(summary, current)).collect()))
}

/// `DELETE /api/v1/sessions/{id}`: ends one of the caller's sessions.
async fn end(
    State(state): State<AppState>,
    client: ClientAddr,
    principal: Principal,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    let id = SessionId::parse(&id).map_err(|_| AppError::NotFound)?;
    let event = principal.actor(client).event("session.end").target(id.to_string());
    let ended = sessions::end(&state, &principal.db, principal.user.id, id, event).await?;
    if ended { Ok(StatusCode::NO_CONTENT) } else { Err(AppError::NotFound) }
}

/// The routes of the caller's sessions (signing in and out is mounted with
/// sign-in, in [`super::router`]).
pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/sessions", get(list)).route("/api/v1/sessions/{id}", delete(end))
}
