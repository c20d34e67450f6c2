//! Credentials: the account behind a sign-in, one's own password change,
//! and opening one-time and candidate links. The callers (the sign-in and
//! link routes) have no session: they find the realm's database through
//! the doors named in `http::auth::doors`.

use std::net::IpAddr;

use time::OffsetDateTime;

use crate::domain::{DisplayName, Email, SessionId, UserId};
use crate::state::AppState;
use crate::store::accounts::links::{self, Link, Purpose};
use crate::store::accounts::sessions;
use crate::store::accounts::users::{self, User};
use crate::store::audit::{self, AuditEvent};
use crate::store::candidates::{self, Opened};
use crate::store::{Database, StoreError};

/// How long a set-up link works.
pub const SETUP_LINK_VALID: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// A fresh one-time link that creates the first platform admin (voiding
/// any earlier unused one); `None` once a platform admin exists.
///
/// # Errors
/// Storage errors.
pub async fn issue_setup_link(state: &AppState, actor: &super::Actor) -> Result<Option<String>, StoreError> {
    let now = state.clock().now();
    let event = actor.event("platform.setup_link");
    state
        .registry()
        .platform()
        .db()
        .write(move |conn| {
            if users::count(conn)? > 0 {
                return Ok(None);
            }
            let token = links::issue(conn, Purpose::Setup, None, SETUP_LINK_VALID, now)?;
            audit::append(conn, &event, now)?;
            Ok(Some(token))
        })
        .await
}

/// The account signed in as `email`, and its password hash (if it has one).
///
/// # Errors
/// Storage errors.
pub async fn for_sign_in(db: &Database, email: Email) -> Result<Option<(User, Option<String>)>, StoreError> {
    db.read(move |conn| users::for_sign_in(conn, &email)).await
}

/// The password hash of `user`.
///
/// # Errors
/// Storage errors.
pub async fn password_hash(db: &Database, user: UserId) -> Result<Option<String>, StoreError> {
    db.read(move |conn| users::password_hash(conn, user)).await
}

/// Stores `new`, the same password as the hash `old` at the current
/// setting, for `user` (after a sign-in matched `old`). Not audited: the
/// password does not change.
///
/// # Errors
/// Storage errors.
pub async fn upgrade_password_hash(db: &Database, user: UserId, old: String, new: String) -> Result<(), StoreError> {
    db.write(move |conn| users::upgrade_password_hash(conn, user, &old, &new)).await
}

/// Sets `user`'s own password to `hash`, ends their sessions but `keep`,
/// and voids their outstanding invitation and reset links.
///
/// # Errors
/// Storage errors.
pub async fn change_own_password(
    state: &AppState,
    db: &Database,
    user: UserId,
    hash: String,
    keep: SessionId,
    event: AuditEvent,
) -> Result<(), StoreError> {
    let now = state.clock().now();
    db.write(move |conn| {
        users::set_password(conn, user, &hash)?;
        sessions::end_all(conn, user, Some(keep))?;
        links::void_for(conn, user, now)?;
        audit::append(conn, &event, now).map(|_| ())
    })
    .await
}

/// The one-time link holding `token` if it still works, and the e-mail of
/// the person it is for.
///
/// # Errors
/// Storage errors.
pub async fn describe_link(
    db: &Database,
    token: String,
    now: OffsetDateTime,
) -> Result<Option<(Link, Option<String>)>, StoreError> {
    db.read(move |conn| {
        let Some(link) = links::peek(conn, &token, now)? else { return Ok(None) };
        let email = match link.user_id {
            Some(id) => users::by_id(conn, id)?.map(|u| u.email),
            None => None,
        };
        Ok(Some((link, email)))
    })
    .await
}

/// Whether the one-time link holding `token` still works.
///
/// # Errors
/// Storage errors.
pub async fn link_works(db: &Database, token: String, now: OffsetDateTime) -> Result<bool, StoreError> {
    Ok(db.read(move |conn| links::peek(conn, &token, now)).await?.is_some())
}

/// Redeems the one-time link holding `token`, once: sets the password of
/// the person it is for (ending their sessions and voiding their other
/// links), or for the platform's set-up link creates the first platform
/// admin from `setup`. Audited as the person's own act, from `client`.
/// Returns whether the link opened anything.
///
/// # Errors
/// Storage errors.
pub async fn redeem_link(
    state: &AppState,
    db: &Database,
    token: String,
    hash: String,
    setup: Option<(Email, DisplayName)>,
    client: Option<IpAddr>,
) -> Result<bool, StoreError> {
    let now = state.clock().now();
    db.write(move |conn| {
        let Some(link) = links::redeem(conn, &token, now)? else { return Ok(false) };
        let (user_id, label, action) = match (link.purpose, link.user_id, setup) {
            (Purpose::Setup, None, Some((email, name))) if users::count(conn)? == 0 => {
                let person = super::people::NewPerson {
                    email,
                    name,
                    student_number: None,
                    password_hash: Some(hash),
                    role: None,
                    invitation: None,
                };
                // Audited below, as the new admin's own act.
                let user = super::people::create_in(conn, &person, None, now)?.user;
                (user.id, user.email, "platform.setup")
            }
            (Purpose::Invitation | Purpose::PasswordReset, Some(user_id), None) => {
                let Some(user) = users::by_id(conn, user_id)? else { return Ok(false) };
                users::set_password(conn, user_id, &hash)?;
                sessions::end_all(conn, user_id, None)?;
                links::void_for(conn, user_id, now)?;
                let action = if link.purpose == Purpose::Invitation {
                    "user.invitation_accepted"
                } else {
                    "user.password_reset"
                };
                (user_id, user.email, action)
            }
            _ => return Ok(false),
        };
        let event = super::Actor::user(user_id, &label, client).event(action).target(user_id.to_string());
        audit::append(conn, &event, now)?;
        Ok(true)
    })
    .await
}

/// The candidate link holding `token` if it works now, and its exam's title.
///
/// # Errors
/// Storage errors.
pub async fn describe_candidate_link(
    db: &Database,
    token: String,
    now: OffsetDateTime,
) -> Result<Option<(Opened, String)>, StoreError> {
    db.read(move |conn| {
        let Some(link) = candidates::peek(conn, &token, now)? else { return Ok(None) };
        let title = crate::store::exams::title(conn, link.exam_id)?;
        Ok(Some((link, title)))
    })
    .await
}

/// Redeems the candidate link holding `token`, once; returns it and its
/// candidate account.
///
/// # Errors
/// Storage errors.
pub async fn redeem_candidate_link(
    db: &Database,
    token: String,
    now: OffsetDateTime,
) -> Result<Option<(Opened, User)>, StoreError> {
    db.write(move |conn| {
        let Some(link) = candidates::redeem(conn, &token, now)? else { return Ok(None) };
        let user = users::by_id(conn, link.user_id)?.ok_or_else(|| StoreError::NotFound("candidate".to_owned()))?;
        Ok(Some((link, user)))
    })
    .await
}
