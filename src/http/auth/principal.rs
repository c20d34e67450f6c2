//! The signed-in caller, proven from the session cookie.

use std::time::Duration;

use axum::extract::FromRequestParts;
use axum::http::Method;
use axum::http::request::Parts;

use super::cookie::{Realm, SessionCookie};
use crate::domain::{ExamId, OrgId, Role, SessionId};
use crate::error::AppError;
use crate::service::sessions::{self, Proven};
use crate::state::AppState;
use crate::store::accounts::users::{User, UserStatus};
use crate::store::candidates::Standing;
use crate::store::courses::Grant;
use crate::store::{Database, StoreError};

/// A session's last-seen time is written at most this often, so that
/// ordinary browsing does not turn every read into a write.
const TOUCH_EVERY: Duration = Duration::from_secs(60);

/// Anyone with a live session.
#[derive(Clone)]
pub struct Principal {
    /// Where the session lives.
    pub realm: Realm,
    /// The database of that realm.
    pub db: Database,
    /// Who.
    pub user: User,
    /// The session (for sign-out and listing).
    pub session_id: SessionId,
    /// The CSRF token of the session.
    pub csrf: String,
    /// Roles held (always empty for platform admins).
    pub grants: Vec<Grant>,
    /// For a candidate account (made by a candidate link), the one exam it
    /// may see and take; `None` for everyone else.
    pub candidate_of: Option<ExamId>,
}

impl Principal {
    /// The caller as services and the audit log know them, acting from `client`.
    #[must_use]
    pub fn actor(&self, client: super::ClientAddr) -> crate::service::Actor {
        crate::service::Actor::user(self.user.id, &self.user.email, client.0)
    }
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(principal) = parts.extensions.get::<Self>() {
            return Ok(principal.clone());
        }
        let cookie = SessionCookie::from_headers(&parts.headers).ok_or(AppError::Unauthorized)?;
        let (realm, token) = (cookie.realm, cookie.token.to_owned());
        let db = realm_db(state, realm).await?;
        let now = state.clock().now();
        let idle = state.config().auth.idle_timeouts();
        let in_org = matches!(realm, Realm::Org(_));
        let proven = sessions::prove(state, &db, in_org, token, now).await?.ok_or(AppError::Unauthorized)?;
        let Proven { session, user, grants, standing } = proven;
        // The idle timeout of the roles held now (read above, once).
        if session.idle_at(now, idle.for_grants(&grants)) {
            return Err(AppError::Unauthorized);
        }
        // A candidate's session ends with its link's window or its attempt,
        // here, whatever the route: no handler can forget it.
        let candidate_of = match standing {
            Standing::NotCandidate => None,
            Standing::Live(exam) => Some(exam),
            Standing::Ended => return Err(AppError::Unauthorized),
        };
        if user.status != UserStatus::Active {
            return Err(AppError::Unauthorized);
        }
        let changes_state = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if changes_state {
            let sent = parts.headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or_default();
            if !bool::from(subtle::ConstantTimeEq::ct_eq(sent.as_bytes(), session.csrf.as_bytes())) {
                return Err(AppError::Forbidden("the CSRF token is missing or wrong; reload the page".to_owned()));
            }
        }
        if now - session.last_seen_at >= TOUCH_EVERY {
            sessions::touch(&db, session.id, now).await?;
        }
        let principal = Self { realm, db, user, session_id: session.id, csrf: session.csrf, grants, candidate_of };
        parts.extensions.insert(principal.clone());
        Ok(principal)
    }
}

/// The database of `realm`, if it exists and is in service. An
/// organization the server refuses to serve is a 503, as the refusal
/// middleware answers once it knows of the refusal: the first request after
/// start may be the one that opens the file and finds it.
async fn realm_db(state: &AppState, realm: Realm) -> Result<Database, AppError> {
    match realm {
        Realm::Platform => Ok(state.registry().platform().db().clone()),
        Realm::Org(id) => {
            let active = state.registry().is_active(id).await?;
            if !active {
                return Err(AppError::Unauthorized);
            }
            state.registry().org(id).await.map_err(|error| match error {
                refused @ StoreError::OrgRefused(_) => AppError::from(refused),
                _ => AppError::Unauthorized,
            })
        }
    }
}

/// A platform admin. Has no way into any organization's content.
pub struct PlatformAdmin(pub Principal);

impl FromRequestParts<AppState> for PlatformAdmin {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let principal = Principal::from_request_parts(parts, state).await?;
        match principal.realm {
            Realm::Platform => Ok(Self(principal)),
            Realm::Org(_) => Err(AppError::NotFound),
        }
    }
}

/// A member of an organization (any role), with its database.
pub struct OrgMember {
    /// The organization.
    pub org_id: OrgId,
    /// The caller.
    pub principal: Principal,
}

impl OrgMember {
    /// Whether the caller holds `role` anywhere in the organization.
    #[must_use]
    pub fn has_role(&self, role: Role) -> bool {
        self.principal.grants.iter().any(|g| g.role == role)
    }

    /// The organization's database.
    #[must_use]
    pub fn db(&self) -> &Database {
        &self.principal.db
    }

    /// The caller as services know them, acting from `client`.
    #[must_use]
    pub fn acting(&self, client: super::ClientAddr) -> crate::service::OrgActor {
        let user = &self.principal.user;
        crate::service::OrgActor {
            org: self.org_id,
            db: self.db().clone(),
            user: user.id,
            actor: self.principal.actor(client),
        }
    }
}

impl FromRequestParts<AppState> for OrgMember {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let principal = Principal::from_request_parts(parts, state).await?;
        match principal.realm {
            Realm::Org(org_id) => Ok(Self { org_id, principal }),
            Realm::Platform => Err(AppError::NotFound),
        }
    }
}

/// An organization admin of the caller's organization.
pub struct OrgAdmin(pub OrgMember);

impl FromRequestParts<AppState> for OrgAdmin {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let member = OrgMember::from_request_parts(parts, state).await?;
        if member.has_role(Role::OrgAdmin) { Ok(Self(member)) } else { Err(AppError::NotFound) }
    }
}
