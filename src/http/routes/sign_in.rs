//! `POST /api/v1/session`: signing in with e-mail and password, within the
//! attempt limits, with failures audited in aggregate.
//!
//! Order matters for what a flood can cost: the body is validated first
//! (nothing unvalidated becomes a key), the limits are charged before any
//! hash (a burst cannot pass the check together), and the hash runs on the
//! bounded pool. A browser that signed in to the account before (a valid
//! device cookie) is judged only by its own count, so a correct password
//! from it is never blocked by anyone else's failures.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::Response;
use serde::Deserialize;

use crate::auth::password::MAX_CHARS;
use crate::auth::rate_limit::{AccountTag, LimitKey, Policy};
use crate::domain::{Email, OrgSlug};
use crate::error::AppError;
use crate::http::auth::doors::{org_for_sign_in, start_session};
use crate::http::auth::{ClientAddr, Realm};
use crate::service::Actor;
use crate::service::credentials;
use crate::state::AppState;
use crate::store::Database;
use crate::store::accounts::users;
use crate::store::audit::Outcome;

/// The label of a failed sign-in to an account that does not exist: what
/// was typed is never stored (it may be a password typed in the wrong field).
pub const UNKNOWN_ACCOUNT: &str = "unknown account";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SignIn {
    /// The organization's slug; absent for platform admins.
    org: Option<String>,
    email: String,
    password: String,
}

const WRONG_CREDENTIALS: &str = "The e-mail address or password is wrong.";

/// A sign-in whose fields have the right shape, and the account it names.
struct Wellformed {
    slug: Option<OrgSlug>,
    email: Email,
    account: AccountTag,
}

/// Checks a sign-in's fields before anything is keyed or hashed: a slug, an
/// e-mail address, and a password no longer than any that can match.
/// `None` for anything else, which can only be a failure.
fn wellformed(state: &AppState, body: &SignIn) -> Option<Wellformed> {
    let slug = match body.org.as_deref() {
        None => None,
        Some(text) => Some(OrgSlug::parse(text).ok()?),
    };
    let email = Email::parse(&body.email).ok()?;
    if body.password.chars().count() > MAX_CHARS {
        return None;
    }
    let realm_label = slug.as_ref().map_or("platform", OrgSlug::as_str);
    let account = state.limiter().account(realm_label, email.as_str());
    Some(Wellformed { slug, email, account })
}

/// `POST /api/v1/session`: sign in with e-mail and password.
pub(super) async fn sign_in(
    State(state): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
    Json(body): Json<SignIn>,
) -> Result<Response, AppError> {
    let now = state.clock().now();
    let limiter = state.limiter();
    let address = limiter.address_key("sign-in", client.0);
    let Some(attempt) = wellformed(&state, &body) else {
        limiter.charge(&[address], now).map_err(|retry_after_secs| AppError::TooManyRequests { retry_after_secs })?;
        return Err(AppError::UnauthorizedWith(WRONG_CREDENTIALS.to_owned()));
    };
    let device = state.devices().find(&headers, &attempt.account, now);
    let keys: Vec<LimitKey> = match device {
        Some(device) => vec![limiter.key("device", &[&device.nonce], Policy::Account, Some(attempt.account))],
        None => vec![limiter.account_at_address_key(attempt.account, client.0), address],
    };
    limiter.charge(&keys, now).map_err(|retry_after_secs| AppError::TooManyRequests { retry_after_secs })?;
    let (realm, db) = match &attempt.slug {
        None => (Realm::Platform, state.registry().platform().db().clone()),
        Some(slug) => match org_for_sign_in(&state, slug.clone()).await? {
            Some((id, db)) => (Realm::Org(id), db),
            None => return Err(AppError::UnauthorizedWith(WRONG_CREDENTIALS.to_owned())),
        },
    };
    let found = credentials::for_sign_in(&db, attempt.email.clone()).await?;
    let (user, hash) = match found {
        Some((user, hash)) => (Some(user), hash),
        None => (None, None),
    };
    let checked = state.passwords().verify_upgrading(client.0, body.password, hash.clone()).await;
    let (matches, upgraded) = match checked {
        Ok(checked) => checked,
        Err(error) => {
            limiter.refund(&keys);
            return Err(error.into());
        }
    };
    let Some(user) = user.clone().filter(|u| matches && u.status == users::UserStatus::Active) else {
        refused(&state, &db, user.as_ref(), client, now);
        return Err(AppError::UnauthorizedWith(WRONG_CREDENTIALS.to_owned()));
    };
    limiter.succeeded(&keys);
    if let (Some(old), Some(new)) = (hash, upgraded) {
        credentials::upgrade_password_hash(&db, user.id, old, new).await?;
    }
    let event = Actor::user(user.id, &user.email, client.0).event("session.sign_in");
    let mut response = start_session(&state, realm, &db, user, &headers, event, client).await?;
    response.headers_mut().append(header::SET_COOKIE, state.devices().issue(&attempt.account, now));
    Ok(response)
}

/// Counts a failed sign-in for the realm's audit log, in aggregate. An
/// existing account is named by its own id and stored address; anything
/// else by [`UNKNOWN_ACCOUNT`], never by what was typed.
fn refused(state: &AppState, db: &Database, user: Option<&users::User>, client: ClientAddr, now: time::OffsetDateTime) {
    let event = match user {
        Some(user) => Actor::user(user.id, &user.email, client.0).event("session.sign_in").target(user.id.to_string()),
        None => Actor::anonymous(UNKNOWN_ACCOUNT, client.0).event("session.sign_in"),
    };
    state.refusals().record(db, event.outcome(Outcome::Failure), now);
}
