//! Requests on behalf of a refused organization answer 503 before anything
//! else runs: the session cookie names the organization, so the refusal
//! does not depend on the session (which may be missing from a rolled-back
//! file) and every route of that organization says the same thing.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::AppError;
use crate::http::auth::{Realm, SessionCookie};
use crate::state::AppState;
use crate::store::StoreError;

/// Answers 503 problem+json for a session of a refused organization (after
/// looking again, so an accepted head serves at once); passes on the rest.
pub async fn answer_503(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let refused = match SessionCookie::from_headers(request.headers()).map(|cookie| cookie.realm) {
        Some(Realm::Org(id)) if state.registry().is_refused(id) => match state.registry().org(id).await {
            Err(error @ StoreError::OrgRefused(_)) => Some(error),
            _ => None,
        },
        _ => None,
    };
    match refused {
        Some(error) => AppError::from(error).into_response(),
        None => next.run(request).await,
    }
}
