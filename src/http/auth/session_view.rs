//! What the front end knows about the signed-in caller: the answer of
//! `GET /api/v1/session` and of every door that starts a session.

use serde::Serialize;

use super::{Principal, Realm};
use crate::error::AppError;
use crate::http::wire::courses::{self, Grant};
use crate::state::AppState;

/// What the front end knows about the signed-in caller.
#[derive(Serialize)]
pub struct SessionView {
    user: UserView,
    realm: &'static str,
    org: Option<OrgView>,
    roles: Vec<Grant>,
    csrf_token: String,
    /// For a candidate (signed in with a candidate link), the one exam the
    /// account exists for; `null` for everyone else.
    candidate_of: Option<String>,
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

impl SessionView {
    /// The view of `principal`'s session, whose CSRF token is `csrf`.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn of(state: &AppState, principal: &Principal, csrf: String) -> Result<Self, AppError> {
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
            roles: courses::grants(&principal.grants),
            csrf_token: csrf,
            candidate_of: principal.candidate_of.map(|exam| exam.to_string()),
        })
    }
}
