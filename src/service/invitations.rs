//! Invitation links in bulk: one fresh one-time link for each chosen person
//! who has not chosen a password yet (students imported from a roster), for
//! printed sign-in slips and a CSV the hall's desks hand out. Each link is
//! audited as a single one is; people who have a password or are disabled
//! get none and are named with the reason. An id that is not a person of
//! this organization refuses the whole request (404), issuing nothing.

use std::time::Duration;

use crate::domain::UserId;
use crate::store::StoreError;
use crate::store::accounts::links::{self, Purpose};
use crate::store::accounts::users::{self, User, UserStatus};
use crate::store::audit;

use super::OrgActor;

/// The most people one request may ask links for.
pub const MAX_PEOPLE: usize = 2_000;

/// A link issued for one person.
#[derive(Debug, Clone)]
pub struct Issued {
    /// The person.
    pub user: User,
    /// The link's token (shown once).
    pub token: String,
}

/// Why a person got no link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skipped {
    /// They have a password already: they sign in with it (or an admin sends them a reset link).
    HasPassword,
    /// Their account is disabled.
    Disabled,
}

/// Issues an invitation link, valid for `valid`, for each of `ids` who has
/// no password and is active, in one transaction with an audit entry each.
///
/// # Errors
/// [`StoreError::Invalid`] for more than [`MAX_PEOPLE`];
/// [`StoreError::NotFound`] for an id that is not a person of this
/// organization (nothing is issued); storage errors.
pub async fn issue(
    state: &crate::state::AppState,
    admin: &OrgActor,
    ids: Vec<UserId>,
    valid: Duration,
) -> Result<(Vec<Issued>, Vec<(UserId, Skipped)>), StoreError> {
    if ids.len() > MAX_PEOPLE {
        return Err(StoreError::Invalid {
            field: "user_ids",
            message: format!("at most {MAX_PEOPLE} people at a time"),
        });
    }
    let now = state.clock().now();
    let actor = admin.actor.clone();
    admin
        .db
        .write(move |conn| {
            let mut issued = Vec::new();
            let mut skipped = Vec::new();
            let mut seen = std::collections::HashSet::new();
            let mut people = Vec::new();
            for id in ids.into_iter().filter(|id| seen.insert(*id)) {
                people.push(users::by_id(conn, id)?.ok_or_else(|| StoreError::NotFound("person".to_owned()))?);
            }
            for user in people {
                let id = user.id;
                if user.status != UserStatus::Active {
                    skipped.push((id, Skipped::Disabled));
                } else if user.has_password {
                    skipped.push((id, Skipped::HasPassword));
                } else {
                    let token = links::issue(conn, Purpose::Invitation, Some(id), valid, now)?;
                    let event = actor.event("user.invitation_link").target(id.to_string());
                    audit::append(conn, &event, now)?;
                    issued.push(Issued { user, token });
                }
            }
            Ok((issued, skipped))
        })
        .await
}
