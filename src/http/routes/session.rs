//! Signing in and out, the caller's sessions, and password changes.

use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::audit_event;
use crate::app::AppState;
use crate::audit::{self, Outcome};
use crate::auth::password::{self, NewPassword};
use crate::domain::{Email, OrgSlug, Role, SessionId};
use crate::error::AppError;
use crate::http::auth::{ClientAddr, Principal, Realm, clear_cookie, session_cookie};
use crate::store::accounts::sessions::{self, Lifetime, SessionSummary};
use crate::store::accounts::users;
use crate::store::courses::{self, Grant};
use crate::store::{Database, StoreError};

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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignIn {
    /// The organization's slug; absent for platform admins.
    org: Option<String>,
    email: String,
    password: String,
}

const WRONG_CREDENTIALS: &str = "The e-mail address or password is wrong.";

/// `POST /api/v1/session`: sign in with e-mail and password.
async fn sign_in(
    State(state): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
    Json(body): Json<SignIn>,
) -> Result<Response, AppError> {
    let now = state.clock().now();
    let email_text = body.email.trim().to_lowercase();
    let keys = vec![
        format!("account:{}:{email_text}", body.org.as_deref().unwrap_or("platform")),
        format!("addr:{}", client.text().unwrap_or_default()),
    ];
    if let Some(retry_after_secs) = state.limiter().check(&keys, now) {
        return Err(AppError::TooManyRequests { retry_after_secs });
    }
    let (realm, db) = match body.org.as_deref().map(OrgSlug::parse) {
        None => (Realm::Platform, state.registry().platform().db().clone()),
        Some(Ok(slug)) => match state.registry().platform().org_by_slug(slug).await {
            Ok(org) if state.registry().platform().is_active(org.id).await? => {
                (Realm::Org(org.id), state.registry().org(org.id).await?)
            }
            Ok(_) | Err(StoreError::NotFound(_)) => return fail(&state, &keys, None, &email_text, client).await,
            Err(other) => return Err(other.into()),
        },
        Some(Err(_)) => return fail(&state, &keys, None, &email_text, client).await,
    };
    let Ok(email) = Email::parse(&body.email) else { return fail(&state, &keys, Some(&db), &email_text, client).await };
    let found = db.read(move |conn| users::for_sign_in(conn, &email)).await?;
    let (user, hash) = match found {
        Some((user, hash)) => (Some(user), hash),
        None => (None, None),
    };
    let password = body.password;
    let matches = state.hashing(move || password::verify(&password, hash.as_deref())).await?;
    let Some(user) = user.filter(|u| matches && u.status == users::UserStatus::Active) else {
        return fail(&state, &keys, Some(&db), &email_text, client).await;
    };
    // Only the account's count resets: one valid account must not reopen
    // the address's budget for guessing at others.
    state.limiter().succeeded(&keys[..1]);
    let event = audit_event::from(user.id.to_string(), user.email.clone(), "session.sign_in", client);
    start_session(&state, realm, &db, user, &headers, event, client).await
}

/// Starts a session for `user` (audited with `event` in the same
/// transaction) and answers with the session view and its cookie. Students
/// get the longer idle timeout, everyone else the staff one.
pub(super) async fn start_session(
    state: &AppState,
    realm: Realm,
    db: &Database,
    user: users::User,
    headers: &HeaderMap,
    event: crate::audit::AuditEvent,
    client: ClientAddr,
) -> Result<Response, AppError> {
    let now = state.clock().now();
    let auth = &state.config().auth;
    let user_agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let (staff_idle, student_idle, absolute) =
        (auth.staff_idle_minutes, auth.student_idle_minutes, auth.absolute_hours);
    let addr = client.text();
    let user_id = user.id;
    let new = db
        .write(move |conn| {
            let grants = courses::grants_of_if_org(conn, user_id)?;
            let student_only = !grants.is_empty() && grants.iter().all(|g| g.role == Role::Student);
            let idle_minutes = if student_only { student_idle } else { staff_idle };
            let lifetime = Lifetime {
                idle: Duration::from_secs(idle_minutes * 60),
                absolute: Duration::from_secs(absolute * 3600),
            };
            let new = sessions::create(conn, user_id, lifetime, now, addr.as_deref(), user_agent.as_deref())?;
            users::signed_in(conn, user_id, now)?;
            audit::append(conn, &event.target(new.id.to_string()), now)?;
            Ok(new)
        })
        .await?;
    let principal = Principal {
        realm,
        db: db.clone(),
        user,
        session_id: new.id,
        csrf: new.csrf.clone(),
        grants: db.read(move |conn| courses::grants_of_if_org(conn, user_id)).await?,
    };
    let body = view(state, &principal, new.csrf).await?;
    Ok(([(header::SET_COOKIE, session_cookie(realm, &new.token))], Json(body)).into_response())
}

/// Records a failed sign-in (in the realm's audit log when there is one) and
/// answers the same 401 whatever was wrong, so accounts cannot be probed.
async fn fail(
    state: &AppState,
    keys: &[String],
    db: Option<&Database>,
    email: &str,
    client: ClientAddr,
) -> Result<Response, AppError> {
    let now = state.clock().now();
    state.limiter().failed(keys, now);
    if let Some(db) = db {
        let label: String = email.chars().take(254).collect();
        let event =
            audit_event::from("anonymous".to_owned(), label, "session.sign_in", client).outcome(Outcome::Failure);
        db.write(move |conn| audit::append(conn, &event, now).map(|_| ())).await?;
    }
    Err(AppError::UnauthorizedWith(WRONG_CREDENTIALS.to_owned()))
}

/// `DELETE /api/v1/session`: sign out.
async fn sign_out(
    State(state): State<AppState>,
    client: ClientAddr,
    principal: Principal,
) -> Result<Response, AppError> {
    let now = state.clock().now();
    let (user_id, session_id) = (principal.user.id, principal.session_id);
    let event = audit_event::by(&principal, "session.sign_out", client).target(session_id.to_string());
    principal
        .db
        .write(move |conn| {
            sessions::end(conn, user_id, session_id)?;
            audit::append(conn, &event, now).map(|_| ())
        })
        .await?;
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
    let now = state.clock().now();
    let user_id = principal.user.id;
    let list = principal.db.read(move |conn| sessions::list(conn, user_id, now)).await?;
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
    let now = state.clock().now();
    let user_id = principal.user.id;
    let event = audit_event::by(&principal, "session.end", client).target(id.to_string());
    let ended = principal
        .db
        .write(move |conn| {
            let ended = sessions::end(conn, user_id, id)?;
            if ended {
                audit::append(conn, &event, now)?;
            }
            Ok(ended)
        })
        .await?;
    if ended { Ok(StatusCode::NO_CONTENT) } else { Err(AppError::NotFound) }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChangePassword {
    current_password: String,
    new_password: String,
}

/// `POST /api/v1/password`: change one's own password; other sessions end.
async fn change_password(
    State(state): State<AppState>,
    client: ClientAddr,
    principal: Principal,
    Json(body): Json<ChangePassword>,
) -> Result<StatusCode, AppError> {
    let new = NewPassword::parse(&body.new_password)?;
    let user_id = principal.user.id;
    let stored = principal.db.read(move |conn| users::password_hash(conn, user_id)).await?;
    let current = body.current_password;
    let matches = state.hashing(move || password::verify(&current, stored.as_deref())).await?;
    if !matches {
        return Err(AppError::Unprocessable("the current password is wrong".to_owned()));
    }
    let hash = state.hashing(move || new.hash()).await?;
    let now = state.clock().now();
    let keep = principal.session_id;
    let event = audit_event::by(&principal, "user.password_change", client).target(user_id.to_string());
    principal
        .db
        .write(move |conn| {
            users::set_password(conn, user_id, &hash)?;
            sessions::end_all(conn, user_id, Some(keep))?;
            audit::append(conn, &event, now).map(|_| ())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The session routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/session", get(current).post(sign_in).delete(sign_out))
        .route("/api/v1/sessions", get(list))
        .route("/api/v1/sessions/{id}", delete(end))
        .route("/api/v1/password", post(change_password))
}
