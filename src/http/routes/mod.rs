//! The route table. Each feature module ends with `pub fn router()`; this
//! file only mounts them, so the whole API fits on one screen.

mod announcements;
mod attempt_review;
mod attempts;
mod candidates;
mod exams;
mod exports;
mod grading;
mod health;
mod links;
mod me;
mod monitor;
mod openapi;
mod org_backups;
mod org_courses;
mod org_invitations;
mod org_person_erasure;
mod org_person_export;
mod org_retention;
mod org_roster;
mod org_users;
mod password;
mod platform;
mod policy;
mod refused_orgs;
mod saves;
mod session;
mod sign_in;
mod similarity;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderMap, header};
use axum::routing::{get, post};

use crate::state::AppState;

/// The media type of a request (`Content-Type` without its parameters), in
/// lower case; empty when there is none. Every route that reads a body of
/// its own (not through `Json`) checks it here, so they agree.
fn media_type(headers: &HeaderMap) -> String {
    let value = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase()
}

/// Signing in and out, the caller's sessions, and password changes: one
/// path, `/api/v1/session`, answers for two modules ([`session`] and
/// [`sign_in`]), so they are mounted here rather than by either.
fn sessions() -> Router<AppState> {
    let small = DefaultBodyLimit::max(crate::http::auth::doors::CREDENTIALS_BODY_LIMIT);
    Router::new()
        .route("/api/v1/session", get(session::current).post(sign_in::sign_in).layer(small).delete(session::sign_out))
        .merge(session::router())
        .route("/api/v1/password", post(password::change_password).layer(small))
}

/// Every route of the application, without the shared middleware.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(health::router())
        .merge(openapi::router())
        .merge(sessions())
        .merge(links::router())
        .merge(platform::router())
        .merge(org_users::router())
        .merge(org_courses::router())
        .merge(org_roster::router())
        .merge(org_backups::router())
        .merge(org_retention::router())
        .merge(org_person_export::router())
        .merge(org_invitations::router())
        .merge(org_person_erasure::router())
        .merge(me::router())
        .merge(exams::router())
        .merge(attempts::router())
        .merge(saves::router())
        .merge(attempt_review::router())
        .merge(monitor::router())
        .merge(policy::router())
        .merge(announcements::router())
        .merge(grading::router())
        .merge(exports::router())
        .merge(similarity::router())
        .merge(candidates::router())
        .fallback(super::ui::serve)
        .layer(axum::middleware::from_fn_with_state(state.clone(), refused_orgs::answer_503))
        .with_state(state)
}
