//! A candidate opening their link, without an account: `GET` describes what
//! the link opens (it changes nothing), `POST` signs the candidate in, once.
//!
//! The `POST` accepts only a JSON request: a browser cannot send that
//! across sites without asking first (CORS), so no other site can sign a
//! visitor in as a candidate (login CSRF). Failures count against the
//! client's address under the same `link` key as one-time links, so
//! guessing one kind of token or the other costs the same budget, and are
//! audited in aggregate.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::{Json, Router};
use serde::Deserialize;

use crate::auth::rate_limit::LimitKey;
use crate::error::AppError;
use crate::http::auth::doors::{self, limited, start_session};
use crate::http::auth::{ClientAddr, Realm};
use crate::service::Actor;
use crate::service::credentials;
use crate::state::AppState;
use crate::store::Database;

/// The largest body of a redemption (it has no fields).
const BODY_LIMIT: usize = 1024;

/// The organization database a candidate token points into, and the token
/// ([`doors::locate`]); candidate links exist only in organizations.
async fn locate(state: &AppState, text: &str) -> Result<(Realm, Database, String), AppError> {
    match doors::locate(state, text).await? {
        (Realm::Platform, ..) => Err(AppError::NotFound),
        found => Ok(found),
    }
}

/// Counts a failed redemption ([`doors::refused`]).
fn refused(state: &AppState, db: &Database, keys: &[LimitKey], client: ClientAddr, now: time::OffsetDateTime) {
    doors::refused(state, "candidate_link.redeem", (db, keys), client, now);
}

/// `GET /api/v1/candidate-links/{token}`: what the link opens, if valid.
async fn describe(
    State(state): State<AppState>,
    client: ClientAddr,
    Path(text): Path<String>,
) -> Result<Json<serde_json::Value>, AppError> {
    let keys = limited(&state, client)?;
    let now = state.clock().now();
    let (realm, db, token) = doors::locate_counted(&state, &text, &keys, now).await?;
    if matches!(realm, Realm::Platform) {
        // Candidate links exist only in organizations: a failed guess too.
        state.limiter().fail(&keys, now);
        return Err(AppError::NotFound);
    }
    let found = credentials::describe_candidate_link(&db, token, now).await?;
    let Some((link, title)) = found else {
        state.limiter().fail(&keys, now);
        return Err(AppError::NotFound);
    };
    Ok(Json(serde_json::json!({
        "exam_id": link.exam_id, "exam_title": title, "label": link.label,
        "valid_from": link.valid_from, "valid_until": link.valid_until,
    })))
}

/// A redemption carries no fields; an empty body or `{}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoFields {}

/// Refuses anything but a JSON request (see the module's comment).
fn json_only(headers: &HeaderMap, body: &Bytes) -> Result<(), AppError> {
    if super::super::media_type(headers) != "application/json" {
        return Err(AppError::UnsupportedMediaType);
    }
    if !body.is_empty() {
        serde_json::from_slice::<NoFields>(body)
            .map_err(|_| AppError::Unprocessable("send an empty JSON object".to_owned()))?;
    }
    Ok(())
}

/// `POST /api/v1/candidate-links/{token}`: signs the candidate in, once.
async fn redeem(
    State(state): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
    Path(text): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    json_only(&headers, &body)?;
    let keys = limited(&state, client)?;
    let now = state.clock().now();
    let (realm, db, token) = match locate(&state, &text).await {
        Err(AppError::NotFound) => {
            refused(&state, state.registry().platform().db(), &keys, client, now);
            return Err(AppError::NotFound);
        }
        other => other?,
    };
    let Some((link, user)) = credentials::redeem_candidate_link(&db, token, now).await? else {
        refused(&state, &db, &keys, client, now);
        return Err(AppError::NotFound);
    };
    let event = Actor::user(user.id, &link.label, client.0)
        .event("candidate_link.redeem")
        .details(serde_json::json!({ "link": link.id, "exam": link.exam_id }));
    start_session(&state, realm, &db, user, &headers, event, client).await
}

/// The routes a candidate's link opens.
pub(super) fn router() -> Router<AppState> {
    use axum::extract::DefaultBodyLimit;
    use axum::routing::get;
    Router::new()
        .route("/api/v1/candidate-links/{token}", get(describe).post(redeem).layer(DefaultBodyLimit::max(BODY_LIMIT)))
}
