//! Platform admins: organizations and their first org admin. Nothing here
//! reads an organization's content (vendor zero-access).

use std::time::Duration;

use super::Actor;
use super::people::{self, NewPerson, Placement};
use crate::domain::{DisplayName, Email, OrgId, OrgName, OrgSlug, Role, UserId};
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::accounts::links::{self, Purpose};
use crate::store::accounts::org_admins::{self, OrgAdmin};
use crate::store::audit;
use crate::store::courses::GrantTarget;
use crate::store::organizations;
use crate::store::platform::{OrgStatus, Organization};

/// Creates an organization with its own encrypted database, audited as
/// `org.create` by `admin`.
///
/// # Errors
/// [`StoreError::Taken`] when the slug is taken; storage errors.
pub async fn create(state: &AppState, admin: &Actor, slug: OrgSlug, name: OrgName) -> Result<Organization, StoreError> {
    state.registry().platform().create_org(slug, name, admin.event("org.create"), state.clock().now()).await
}

/// The organization `id`.
///
/// # Errors
/// [`StoreError::NotFound`] for an unknown one.
pub async fn find(state: &AppState, id: OrgId) -> Result<Organization, StoreError> {
    state.registry().platform().org_by_id(id).await?.ok_or_else(|| StoreError::NotFound("organization".to_owned()))
}

/// Renames organization `id` and/or switches it on or off; returns the
/// organization as it is now, and how many sessions ended.
///
/// Deactivating ends every session of its people at once. When its file is
/// refused (not served until IT accepts it), the sessions in it cannot be
/// ended now, but none of them can be used either: they end the next time
/// the file opens, before anything is served from it. Either way the
/// deactivation applies whole and is for good.
///
/// # Errors
/// [`StoreError::NotFound`] for an unknown organization.
pub async fn update(
    state: &AppState,
    admin: &Actor,
    id: OrgId,
    name: Option<OrgName>,
    status: Option<OrgStatus>,
) -> Result<(Organization, Option<usize>), StoreError> {
    let org = find(state, id).await?;
    let now = state.clock().now();
    let event = admin.event("org.update").target(org.id.to_string()).details(
        serde_json::json!({ "name": name.as_ref().map(OrgName::as_str), "status": status.map(OrgStatus::as_str) }),
    );
    state
        .registry()
        .platform()
        .db()
        .write(move |conn| {
            if let Some(name) = &name {
                organizations::rename(conn, id, name)?;
            }
            if let Some(status) = status {
                organizations::set_status(conn, id, status)?;
            }
            audit::append(conn, &event, now).map(|_| ())
        })
        .await?;
    if let Some(status) = status {
        state.registry().set_active(id, status == OrgStatus::Active);
    }
    let mut ended = None;
    if status == Some(OrgStatus::Deactivated) {
        // After the platform write, so no sign-in can start a session between the two.
        ended = match state.registry().org(id).await {
            Ok(db) => Some(db.write(organizations::end_all_sessions).await?),
            Err(StoreError::OrgRefused(_)) => {
                state
                    .registry()
                    .platform()
                    .db()
                    .write(move |conn| organizations::end_sessions_at_open(conn, id))
                    .await?;
                None
            }
            Err(other) => return Err(other),
        };
    }
    Ok((find(state, id).await?, ended))
}

/// Invites an org admin into organization `id`: their account, the role,
/// an invitation link valid for `valid`, recorded in the organization's
/// log and the platform's. Inviting again someone invited before who has
/// not set a password yet issues them a new link instead (the old one
/// stops working). Returns the person and the link's token.
///
/// # Errors
/// [`StoreError::NotFound`] for an unknown organization;
/// [`StoreError::WrongState`] for an address that is an account there
/// already, unless it is such a pending administrator.
pub async fn invite_admin(
    state: &AppState,
    admin: &Actor,
    id: OrgId,
    email: Email,
    name: DisplayName,
    valid: Duration,
) -> Result<(UserId, String), StoreError> {
    let org = find(state, id).await?;
    let db = state.registry().org(org.id).await?;
    let now = state.clock().now();
    let address = email.as_str().to_owned();
    let pending = db.read(move |conn| org_admins::by_email(conn, &address, now)).await?;
    if let Some(pending) = pending.filter(|a| !a.has_password) {
        let token = reissue_admin_link(state, admin, id, pending.id, valid).await?;
        return Ok((pending.id, token));
    }
    let event = admin.event("user.invite_org_admin");
    let platform_event =
        event.clone().target(org.id.to_string()).details(serde_json::json!({ "email": email.as_str() }));
    let person = NewPerson {
        email,
        name,
        student_number: None,
        password_hash: None,
        role: Some((Role::OrgAdmin, Placement::At(GrantTarget::Organization))),
        invitation: Some(valid),
    };
    let created = people::create(&db, person, Some(event), now).await.map_err(|error| match error {
        StoreError::Taken(_) => StoreError::WrongState(format!(
            "this address has an account in {} already; if it is one of its administrators, issue them a new \
             link from the organization's administrators instead",
            org.name
        )),
        other => other,
    })?;
    state.registry().platform().db().write(move |conn| audit::append(conn, &platform_event, now).map(|_| ())).await?;
    Ok((created.user.id, created.invitation.unwrap_or_default()))
}

/// The administrators of organization `id`, with whether each has signed
/// in and whether a link of theirs is open.
///
/// # Errors
/// [`StoreError::NotFound`] for an unknown organization; storage errors.
pub async fn admins(state: &AppState, id: OrgId) -> Result<Vec<OrgAdmin>, StoreError> {
    let org = find(state, id).await?;
    let now = state.clock().now();
    state.registry().org(org.id).await?.read(move |conn| org_admins::list(conn, now)).await
}

/// A new link for administrator `user` of organization `id`, who lost
/// theirs: an invitation while they have no password, else a password
/// reset; earlier links of theirs stop working. Recorded in the
/// organization's log and the platform's. Returns the token.
///
/// # Errors
/// [`StoreError::NotFound`] for an unknown organization, or a person who
/// is not one of its administrators; storage errors.
pub async fn reissue_admin_link(
    state: &AppState,
    admin: &Actor,
    id: OrgId,
    user: UserId,
    valid: Duration,
) -> Result<String, StoreError> {
    let org = find(state, id).await?;
    let db = state.registry().org(org.id).await?;
    let now = state.clock().now();
    let event = admin.event("user.reissue_org_admin_link").target(user.to_string());
    let platform_event = admin
        .event("user.reissue_org_admin_link")
        .target(org.id.to_string())
        .details(serde_json::json!({ "user": user }));
    let token = db
        .write(move |conn| {
            let found =
                org_admins::find(conn, user, now)?.ok_or_else(|| StoreError::NotFound("administrator".to_owned()))?;
            let purpose = if found.has_password { Purpose::PasswordReset } else { Purpose::Invitation };
            links::void_for(conn, user, now)?;
            let token = links::issue(conn, purpose, Some(user), valid, now)?;
            let details =
                serde_json::json!({ "purpose": if found.has_password { "password_reset" } else { "invitation" } });
            audit::append(conn, &event.details(details), now)?;
            Ok(token)
        })
        .await?;
    state.registry().platform().db().write(move |conn| audit::append(conn, &platform_event, now).map(|_| ())).await?;
    Ok(token)
}
