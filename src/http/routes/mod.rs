//! The route table. Each feature module ends with `pub fn router()`; this
//! file only mounts them, so the whole API fits on one screen.

mod audit_event;
mod health;
mod links;
mod platform;
mod session;

use axum::Router;

use crate::app::AppState;

/// Every route of the application, without the shared middleware.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(health::router())
        .merge(session::router())
        .merge(links::router())
        .merge(platform::router())
        .fallback(super::ui::serve)
        .with_state(state)
}
