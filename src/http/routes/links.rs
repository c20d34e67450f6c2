//! One-time links: the platform's first set-up, invitations, password resets.
//! `GET` only describes a link (it changes nothing); `POST` redeems it once.
//!
//! A redemption looks the token up before hashing the new password, so
//! guessing tokens costs the server a read, never a hash; failures count
//! against the client's address and are audited in aggregate.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use crate::auth::password::NewPassword;
use crate::domain::{DisplayName, Email};
use crate::error::AppError;
use crate::http::auth::doors::{limited, locate, locate_counted, refused};
use crate::http::auth::{ClientAddr, Realm};
use crate::service::credentials;
use crate::state::AppState;
use crate::store::accounts::links::Purpose;

#[derive(Serialize)]
struct LinkView {
    purpose: Purpose,
    email: Option<String>,
    org: Option<OrgRef>,
    expires_at: crate::domain::Timestamp,
}

#[derive(Serialize)]
struct OrgRef {
    slug: String,
    name: String,
}

/// `GET /api/v1/links/{token}`: what the link is for, if it is still valid.
async fn describe(
    State(state): State<AppState>,
    client: ClientAddr,
    Path(text): Path<String>,
) -> Result<Json<LinkView>, AppError> {
    let keys = limited(&state, client)?;
    let now = state.clock().now();
    let (realm, db, token) = locate_counted(&state, &text, &keys, now).await?;
    let found = credentials::describe_link(&db, token, now).await?;
    let Some((link, email)) = found else {
        state.limiter().fail(&keys, now);
        return Err(AppError::NotFound);
    };
    let org = match realm {
        Realm::Platform => None,
        Realm::Org(id) => {
            state.registry().platform().org_by_id(id).await?.map(|o| OrgRef { slug: o.slug.to_string(), name: o.name })
        }
    };
    Ok(Json(LinkView { purpose: link.purpose, email, org, expires_at: link.expires_at }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Redeem {
    password: String,
    /// Set-up only: the first platform admin's e-mail.
    email: Option<String>,
    /// Set-up only: the first platform admin's name.
    display_name: Option<String>,
}

/// `POST /api/v1/links/{token}`: sets a password (and, for the set-up link,
/// creates the first platform admin). Works once.
async fn redeem(
    State(state): State<AppState>,
    client: ClientAddr,
    Path(text): Path<String>,
    Json(body): Json<Redeem>,
) -> Result<StatusCode, AppError> {
    let keys = limited(&state, client)?;
    let password = NewPassword::parse(&body.password)?;
    let now = state.clock().now();
    let (realm, db, token) = match locate(&state, &text).await {
        Ok(found) => found,
        Err(AppError::NotFound) => {
            refused(&state, "link.redeem", (state.registry().platform().db(), &keys), client, now);
            return Err(AppError::NotFound);
        }
        Err(other) => return Err(other),
    };
    let setup = match (realm, &body.email, &body.display_name) {
        (Realm::Platform, Some(email), Some(name)) => Some((Email::parse(email)?, DisplayName::parse(name)?)),
        (Realm::Platform, _, _) => {
            return Err(AppError::Unprocessable("the set-up link needs an e-mail address and a name".to_owned()));
        }
        (Realm::Org(_), None, None) => None,
        (Realm::Org(_), _, _) => return Err(AppError::Unprocessable("this link only sets a password".to_owned())),
    };
    if !credentials::link_works(&db, token.clone(), now).await? {
        refused(&state, "link.redeem", (&db, &keys), client, now);
        return Err(AppError::NotFound);
    }
    let hash = state.passwords().hash(client.0, password).await?;
    let redeemed = credentials::redeem_link(&state, &db, token, hash, setup, client.0).await?;
    if redeemed {
        Ok(StatusCode::NO_CONTENT)
    } else {
        refused(&state, "link.redeem", (&db, &keys), client, now);
        Err(AppError::NotFound)
    }
}

/// The link routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/links/{token}", get(describe).post(redeem))
}
