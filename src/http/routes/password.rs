//! `POST /api/v1/password`: changing one's own password.
//!
//! Limited like sign-in (per user and per address, charged before any
//! hash), with at most one change per user hashing at a time; a wrong
//! current password is audited in aggregate. A change ends the user's other
//! sessions and voids their outstanding invitation and reset links.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

use crate::auth::password::{MAX_CHARS, NewPassword};
use crate::auth::rate_limit::Policy;
use crate::error::AppError;
use crate::http::auth::doors::realm_label;
use crate::http::auth::{ClientAddr, Principal};
use crate::service::credentials;
use crate::state::AppState;
use crate::store::audit::Outcome;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ChangePassword {
    current_password: String,
    new_password: String,
}

/// `POST /api/v1/password`: change one's own password; other sessions end.
pub(super) async fn change_password(
    State(state): State<AppState>,
    client: ClientAddr,
    principal: Principal,
    Json(body): Json<ChangePassword>,
) -> Result<StatusCode, AppError> {
    let new = NewPassword::parse(&body.new_password)?;
    let user_id = principal.user.id;
    let Some(_turn) = state.password_changes().enter(&user_id.to_string()) else {
        return Err(AppError::TooManyRequests { retry_after_secs: 1 });
    };
    let now = state.clock().now();
    let limiter = state.limiter();
    let account = limiter.account(&realm_label(&state, principal.realm).await?, &principal.user.email);
    let keys = [
        limiter.key("password", &[user_id.to_string().as_bytes()], Policy::Account, Some(account)),
        limiter.address_key("password", client.0),
    ];
    limiter.charge(&keys, now).map_err(|retry_after_secs| AppError::TooManyRequests { retry_after_secs })?;
    let current = body.current_password;
    let matches = if current.chars().count() > MAX_CHARS {
        false
    } else {
        let stored = credentials::password_hash(&principal.db, user_id).await?;
        match state.passwords().verify(client.0, current, stored).await {
            Ok(matches) => matches,
            Err(error) => {
                limiter.refund(&keys);
                return Err(error.into());
            }
        }
    };
    if !matches {
        let event =
            principal.actor(client).event("user.password_change").target(user_id.to_string()).outcome(Outcome::Failure);
        state.refusals().record(&principal.db, event, now);
        return Err(AppError::Unprocessable("the current password is wrong".to_owned()));
    }
    limiter.succeeded(&keys);
    let hash = state.passwords().hash(client.0, new).await?;
    let event = principal.actor(client).event("user.password_change").target(user_id.to_string());
    credentials::change_own_password(&state, &principal.db, user_id, hash, principal.session_id, event).await?;
    Ok(StatusCode::NO_CONTENT)
}
