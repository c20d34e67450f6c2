//! The doors: the only routes that reach a realm's database without a
//! session, named and reviewed here together. Signing in, opening a
//! one-time link and opening a candidate link each find the realm from
//! what the anonymous caller sent, count failures against the caller's
//! address, and end by starting a session ([`start_session`]). Every other
//! route reaches an organization through the scope extractors of
//! [`super`].

use axum::Json;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};

use super::SessionView;
use super::{ClientAddr, Principal, Realm, session_cookie};
use crate::auth::rate_limit::LimitKey;
use crate::error::AppError;
use crate::service::Actor;
use crate::service::sessions;
use crate::state::AppState;
use crate::store::accounts::users;
use crate::store::audit::Outcome;
use crate::store::{Database, StoreError};

/// The largest body of a sign-in or password change: a few fields of at
/// most a few hundred characters, so nobody makes the server parse megabytes
/// before the limits apply.
pub const CREDENTIALS_BODY_LIMIT: usize = 16 * 1024;

/// The database of organization `slug` for a sign-in, if it exists and is
/// in service; `None` otherwise (said as "wrong credentials").
///
/// # Errors
/// Storage errors; a refused organization.
pub async fn org_for_sign_in(
    state: &AppState,
    slug: crate::domain::OrgSlug,
) -> Result<Option<(crate::domain::OrgId, Database)>, AppError> {
    match state.registry().platform().org_by_slug(slug).await {
        Ok(org) if state.registry().is_active(org.id).await? => Ok(Some((org.id, state.registry().org(org.id).await?))),
        Ok(_) | Err(StoreError::NotFound(_)) => Ok(None),
        Err(other) => Err(other.into()),
    }
}

/// The database a link token points into, and the token itself. An
/// organization the server refuses to serve answers 503, as its signed-in
/// users get; anything else that opens nothing is a 404.
pub async fn locate(state: &AppState, text: &str) -> Result<(Realm, Database, String), AppError> {
    let (realm, token) = Realm::split(text).ok_or(AppError::NotFound)?;
    let db = match realm {
        Realm::Platform => state.registry().platform().db().clone(),
        Realm::Org(id) if state.registry().is_active(id).await? => {
            state.registry().org(id).await.map_err(|error| match error {
                refused @ StoreError::OrgRefused(_) => AppError::from(refused),
                _ => AppError::NotFound,
            })?
        }
        Realm::Org(_) => return Err(AppError::NotFound),
    };
    Ok((realm, db, token.to_owned()))
}

/// [`locate`], counting a token that opens nothing against `keys`: a token
/// naming no served realm is a failed guess like any other.
pub async fn locate_counted(
    state: &AppState,
    text: &str,
    keys: &[LimitKey],
    now: time::OffsetDateTime,
) -> Result<(Realm, Database, String), AppError> {
    let located = locate(state, text).await;
    if matches!(located, Err(AppError::NotFound)) {
        state.limiter().fail(keys, now);
    }
    located
}

/// The client's link key (one budget for one-time and candidate links),
/// unless it must wait.
pub fn limited(state: &AppState, client: ClientAddr) -> Result<[LimitKey; 1], AppError> {
    let keys = [state.limiter().address_key("link", client.0)];
    match state.limiter().blocked(&keys, state.clock().now()) {
        Some(retry_after_secs) => Err(AppError::TooManyRequests { retry_after_secs }),
        None => Ok(keys),
    }
}

/// The label of a failed redemption: the token is never stored.
pub const UNKNOWN_LINK: &str = "unknown link";

/// Counts a failed redemption against the address and, in aggregate, in
/// the audit log of `db` (the platform's when the token names no realm) as
/// `action`.
pub fn refused(
    state: &AppState,
    action: &'static str,
    (db, keys): (&Database, &[LimitKey]),
    client: ClientAddr,
    now: time::OffsetDateTime,
) {
    state.limiter().fail(keys, now);
    let event = Actor::anonymous(UNKNOWN_LINK, client.0).event(action).outcome(Outcome::Failure);
    state.refusals().record(db, event, now);
}

/// Starts a session for `user` (audited with `event` in the same
/// transaction) and answers with the session view and its cookie. The idle
/// timeout recorded is the one of the roles held now; it is judged again at
/// every request (see [`IdleTimeouts`]).
pub async fn start_session(
    state: &AppState,
    realm: Realm,
    db: &Database,
    user: users::User,
    headers: &HeaderMap,
    event: crate::store::audit::AuditEvent,
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
    let body = SessionView::of(state, &principal, new.csrf).await?;
    Ok(([(header::SET_COOKIE, session_cookie(realm, &new.token))], Json(body)).into_response())
}

/// The name a realm's account tags are made from: `platform` or the
/// organization's slug (as typed at sign-in).
pub async fn realm_label(state: &AppState, realm: Realm) -> Result<String, AppError> {
    match realm {
        Realm::Platform => Ok("platform".to_owned()),
        Realm::Org(id) => {
            Ok(state.registry().platform().org_by_id(id).await?.ok_or(AppError::NotFound)?.slug.to_string())
        }
    }
}
