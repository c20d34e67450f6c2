//! Signing in and out, the caller's sessions, and password changes (the
//! handlers of signing in are in [`super::sign_in`], of password changes in
//! [`super::password`]).

use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Serialize;

use super::audit_event;
use crate::domain::SessionId;
use crate::error::AppError;
use crate::http::auth::{ClientAddr, Principal, Realm, clear_cookie, session_cookie};
use crate::service::sessions;
use crate::state::AppState;
use crate::store::Database;
use crate::store::accounts::sessions::{IdleTimeouts, SessionSummary};
use crate::store::accounts::users;
use crate::store::courses::Grant;

/// What the front end knows about the signed-in caller.
#[derive(Serialize)]
struct SessionView {
    user: UserView,
    realm: &'static str,
    org: Option<OrgView>,
    roles: Vec<Grant>,
    csrf_token: String,
}

#[derive(Serialize)]
struct UserView {
    id: String,
    email: String,
    display_name: String,
}

#[derive(Serialize)]
struct OrgView {
    id: String,
    slug: String,
    name: String,
}

async fn view(state: &AppState, principal: &Principal, csrf: String) -> Result<SessionView, AppError> {
    let org = match principal.realm {
        Realm::Platform => None,
        Realm::Org(id) => state.registry().platform().org_by_id(id).await?.map(|o| OrgView {
            id: o.id.to_string(),
            slug: o.slug.to_string(),
            name: o.name,
        }),
    };
    Ok(SessionView {
        user: UserView {
            id: principal.user.id.to_string(),
            email: principal.user.email.clone(),
            display_name: principal.user.display_name.clone(),
        },
        realm: if org.is_some() { "org" } else { "platform" },
        org,
        roles: principal.grants.clone(),
        csrf_token: csrf,
    })
}

/// `GET /api/v1/session`: who is signed in.
async fn current(State(state): State<AppState>, principal: Principal) -> Result<Json<SessionView>, AppError> {
    let csrf = principal.csrf.clone();
    Ok(Json(view(&state, &principal, csrf).await?))
}

/// Starts a session for `user` (audited with `event` in the same
/// transaction) and answers with the session view and its cookie. The idle
/// timeout recorded is the one of the roles held now; it is judged again at
/// every request (see [`IdleTimeouts`]).
pub(super) async fn start_session(
    state: &AppState,
    realm: Realm,
    db: &Database,
    user: users::User,
    headers: &HeaderMap,
    event: crate::audit::AuditEvent,
    client: ClientAddr,
) -> Result<Response, AppError> {
    let user_agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let origin = sessions::Origin { client_addr: client.text(), user_agent };
    let (new, grants) = sessions::start(state, db, user.id, origin, event).await?;
    let principal = Principal {
        realm,
        db: db.clone(),
        user,
        session_id: new.id,
        csrf: new.csrf.clone(),
        grants,
        // Only for the session view, which does not show it.
        candidate_of: None,
    };
    let body = view(state, &principal, new.csrf).await?;
    Ok(([(header::SET_COOKIE, session_cookie(realm, &new.token))], Json(body)).into_response())
}

/// `DELETE /api/v1/session`: sign out.
async fn sign_out(
    State(state): State<AppState>,
    client: ClientAddr,
    principal: Principal,
) -> Result<Response, AppError> {
    let (user_id, session_id) = (principal.user.id, principal.session_id);
    let event = audit_event::by(&principal, "session.sign_out", client).target(session_id.to_string());
    sessions::end(&state, &principal.db, user_id, session_id, event).await?;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, clear_cookie())]).into_response())
}

#[derive(Serialize)]
struct SessionItem {
    #[serde(flatten)]
    summary: SessionSummary,
    current: bool,
}

/// `GET /api/v1/sessions`: the caller's live sessions.
async fn list(State(state): State<AppState>, principal: Principal) -> Result<Json<Vec<SessionItem>>, AppError> {
    let idle = IdleTimeouts::from_config(&state.config().auth).for_grants(&principal.grants);
    let list = sessions::list(&state, &principal.db, principal.user.id, idle).await?;
    let current = principal.session_id;
    Ok(Json(list.into_iter().map(|summary| SessionItem { current: summary.id == current, summary }).collect()))
}

/// `DELETE /api/v1/sessions/{id}`: ends one of the caller's sessions.
async fn end(
    State(state): State<AppState>,
    client: ClientAddr,
    principal: Principal,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    let id = SessionId::parse(&id).map_err(|_| AppError::NotFound)?;
    let event = audit_event::by(&principal, "session.end", client).target(id.to_string());
    let ended = sessions::end(&state, &principal.db, principal.user.id, id, event).await?;
    if ended { Ok(StatusCode::NO_CONTENT) } else { Err(AppError::NotFound) }
}

/// The name a realm's account tags are made from: `platform` or the
/// organization's slug (as typed at sign-in).
pub(super) async fn realm_label(state: &AppState, realm: Realm) -> Result<String, AppError> {
    match realm {
        Realm::Platform => Ok("platform".to_owned()),
        Realm::Org(id) => {
            Ok(state.registry().platform().org_by_id(id).await?.ok_or(AppError::NotFound)?.slug.to_string())
        }
    }
}

/// The largest body of a sign-in or password change: a few fields of at
/// most a few hundred characters, so nobody makes the server parse megabytes
/// before the limits apply.
const CREDENTIALS_BODY_LIMIT: usize = 16 * 1024;

/// The session routes.
pub fn router() -> Router<AppState> {
    let small = DefaultBodyLimit::max(CREDENTIALS_BODY_LIMIT);
    Router::new()
        .route("/api/v1/session", get(current).post(super::sign_in::sign_in).layer(small).delete(sign_out))
        .route("/api/v1/sessions", get(list))
        .route("/api/v1/sessions/{id}", delete(end))
        .route("/api/v1/password", post(super::password::change_password).layer(small))
}
