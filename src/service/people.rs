//! People of an organization. Creating a person (the account, perhaps a
//! role, perhaps an invitation link, and the audit entry, in one
//! transaction) happens here for everyone who creates one: org admins, a
//! platform admin inviting an org admin, the command line, the demo and
//! the platform's set-up link. So do renaming, disabling, password-reset
//! links and clearing a person's sign-in limits.

use std::time::Duration;

use rusqlite::Connection;
use time::OffsetDateTime;

use super::OrgActor;
use super::org_file::OrgFile;
use crate::domain::{DisplayName, Email, Role, Scope, UserId};
use crate::state::AppState;
use crate::store::accounts::links::{self, Purpose};
use crate::store::accounts::sessions;
use crate::store::accounts::users::{self, NewUser, User, UserStatus};
use crate::store::audit::{self, AuditEvent};
use crate::store::courses::{self, Grant, GrantTarget};
use crate::store::{Database, StoreError};

/// A person to create.
pub struct NewPerson {
    /// Sign-in name.
    pub email: Email,
    /// Shown to staff.
    pub name: DisplayName,
    /// For students.
    pub student_number: Option<String>,
    /// An argon2id hash; `None` for someone who sets their own password.
    pub password_hash: Option<String>,
    /// The role they start with, and where.
    pub role: Option<(Role, Placement)>,
    /// Issue an invitation link valid this long.
    pub invitation: Option<Duration>,
}

/// Where a role is granted.
pub enum Placement {
    /// At a target known by its identifier.
    At(GrantTarget),
    /// By the names people type: a course's code and a section's name,
    /// given as the role's scope needs them (neither for an org admin, a
    /// course for instructors and reviewers, both for proctors and students).
    Named {
        /// The course's code.
        course: Option<String>,
        /// The section's name within the course.
        section: Option<String>,
    },
}

/// A person created.
pub struct Created {
    /// The account.
    pub user: User,
    /// The invitation link's token, when one was asked for.
    pub invitation: Option<String>,
}

/// Creates `person`, recording `event` (targeted at the new account, with
/// their e-mail and role) unless it is `None`.
///
/// # Errors
/// [`StoreError::Taken`] for an e-mail or student number in use;
/// [`StoreError::Invalid`] for a role that does not fit its target;
/// [`StoreError::NotFound`] for an unknown course or section.
pub async fn create(
    db: &Database,
    person: NewPerson,
    event: Option<AuditEvent>,
    now: OffsetDateTime,
) -> Result<Created, StoreError> {
    db.write(move |conn| create_in(conn, &person, event.as_ref(), now)).await
}

/// [`create`], inside a transaction that does more (redeeming the set-up link).
///
/// # Errors
/// As [`create`].
pub fn create_in(
    conn: &Connection,
    person: &NewPerson,
    event: Option<&AuditEvent>,
    now: OffsetDateTime,
) -> Result<Created, StoreError> {
    let new = NewUser {
        email: &person.email,
        display_name: &person.name,
        student_number: person.student_number.as_deref(),
        password_hash: person.password_hash.clone(),
    };
    let user = users::create(conn, &new, now)?;
    if let Some((role, placement)) = &person.role {
        let target = match placement {
            Placement::At(target) => *target,
            Placement::Named { course, section } => named_target(conn, *role, course.as_deref(), section.as_deref())?,
        };
        courses::grant(conn, user.id, *role, target, now)?;
    }
    let invitation = person
        .invitation
        .map(|valid| links::issue(conn, Purpose::Invitation, Some(user.id), valid, now))
        .transpose()?;
    if let Some(event) = event {
        let mut details = serde_json::json!({ "email": user.email });
        if let Some((role, _)) = &person.role {
            details["role"] = serde_json::json!(role);
        }
        audit::append(conn, &event.clone().target(user.id.to_string()).details(details), now)?;
    }
    Ok(Created { user, invitation })
}

fn named_target(
    conn: &Connection,
    role: Role,
    course: Option<&str>,
    section: Option<&str>,
) -> Result<GrantTarget, StoreError> {
    let course_by_code = |code: &str| {
        courses::list_courses(conn)?
            .into_iter()
            .find(|c| c.code == code)
            .ok_or_else(|| StoreError::NotFound(format!("course {code}")))
    };
    match (role.scope(), course, section) {
        (Scope::Organization, None, None) => Ok(GrantTarget::Organization),
        (Scope::Course, Some(code), None) => Ok(GrantTarget::Course(course_by_code(code)?.id)),
        (Scope::Section, Some(code), Some(name)) => {
            let section = course_by_code(code)?.sections.into_iter().find(|s| s.name == name);
            let section = section.ok_or_else(|| StoreError::NotFound(format!("section {name} of course {code}")))?;
            Ok(GrantTarget::Section(section.id))
        }
        _ => Err(StoreError::invalid("role", format!("the scope of role {} does not fit its target", role.as_str()))),
    }
}

/// Every person of the organization, with the roles they hold.
///
/// # Errors
/// Storage errors.
pub async fn list(file: OrgFile<'_>) -> Result<Vec<(User, Vec<Grant>)>, StoreError> {
    file.read(with_roles).await
}

/// Every person of `conn`'s organization, with the roles they hold.
fn with_roles(conn: &Connection) -> Result<Vec<(User, Vec<Grant>)>, StoreError> {
    let grants = courses::all_grants(conn)?;
    let people = users::list(conn)?.into_iter().map(|user| {
        let roles = grants.iter().filter(|g| g.user_id == user.id).cloned().collect();
        (user, roles)
    });
    Ok(people.collect())
}

/// The person `id`.
///
/// # Errors
/// Storage errors.
pub async fn find(db: &Database, id: UserId) -> Result<Option<User>, StoreError> {
    db.read(move |conn| users::by_id(conn, id)).await
}

/// What an org admin changes about a person.
#[derive(Debug, Clone, Default)]
pub struct Change {
    /// A new name.
    pub name: Option<DisplayName>,
    /// A new sign-in address (their one-time links stop working: they
    /// were handed over for the old one).
    pub email: Option<Email>,
    /// Active or disabled.
    pub status: Option<UserStatus>,
}

/// Changes person `id`'s name, address and/or status, audited with what
/// changed. Disabling signs them out everywhere and voids their one-time
/// links. No one disables themselves.
///
/// # Errors
/// [`StoreError::WrongState`] for disabling oneself; [`StoreError::NotFound`]
/// for an unknown person.
pub async fn update(state: &AppState, admin: &OrgActor, id: UserId, change: Change) -> Result<User, StoreError> {
    let Change { name, email, status } = change;
    if status == Some(UserStatus::Disabled) && id == admin.user {
        return Err(StoreError::WrongState("you cannot disable your own account".to_owned()));
    }
    let now = state.clock().now();
    let action = match status {
        Some(UserStatus::Disabled) => "user.disable",
        Some(UserStatus::Active) => "user.enable",
        None => "user.rename",
    };
    let event = admin.actor.event(action).target(id.to_string());
    admin
        .db
        .write(move |conn| {
            let before = users::by_id(conn, id)?.ok_or_else(|| StoreError::NotFound("user".to_owned()))?;
            let mut details = serde_json::Map::new();
            if let Some(name) = &name {
                users::set_display_name(conn, id, name)?;
                details.insert(
                    "name".to_owned(),
                    serde_json::json!({ "before": before.display_name, "after": name.as_str() }),
                );
            }
            if let Some(email) = email.as_ref().filter(|e| e.as_str() != before.email) {
                users::set_email(conn, id, email)?;
                links::void_for(conn, id, now)?;
                details
                    .insert("email".to_owned(), serde_json::json!({ "before": before.email, "after": email.as_str() }));
            }
            if let Some(status) = status {
                users::set_status(conn, id, status)?;
                if status == UserStatus::Disabled {
                    sessions::end_all(conn, id, None)?;
                    links::void_for(conn, id, now)?;
                }
            }
            let event = if details.is_empty() { event } else { event.details(serde_json::Value::Object(details)) };
            audit::append(conn, &event, now)?;
            users::by_id(conn, id)?.ok_or_else(|| StoreError::NotFound("user".to_owned()))
        })
        .await
}

/// A one-time password-reset link for person `id`, valid for `valid`.
///
/// # Errors
/// [`StoreError::NotFound`] for an unknown person.
pub async fn reset_link(state: &AppState, admin: &OrgActor, id: UserId, valid: Duration) -> Result<String, StoreError> {
    let now = state.clock().now();
    let event = admin.actor.event("user.password_reset_link").target(id.to_string());
    admin
        .db
        .write(move |conn| {
            users::by_id(conn, id)?.ok_or_else(|| StoreError::NotFound("user".to_owned()))?;
            let token = links::issue(conn, Purpose::PasswordReset, Some(id), valid, now)?;
            audit::append(conn, &event, now)?;
            Ok(token)
        })
        .await
}

/// Forgets every failed sign-in counted against person `id`'s account
/// (from any address or device), so they can sign in at once; audited with
/// how many were cleared.
///
/// # Errors
/// [`StoreError::NotFound`] for an unknown person or organization.
pub async fn clear_sign_in_limits(state: &AppState, admin: &OrgActor, id: UserId) -> Result<(), StoreError> {
    let user = find(&admin.db, id).await?.ok_or_else(|| StoreError::NotFound("user".to_owned()))?;
    let org = state
        .registry()
        .platform()
        .org_by_id(admin.org)
        .await?
        .ok_or_else(|| StoreError::NotFound("organization".to_owned()))?;
    let cleared = state.limiter().clear_account(state.limiter().account(org.slug.as_str(), &user.email));
    let now = state.clock().now();
    let event = admin
        .actor
        .event("user.sign_in_limits_clear")
        .target(id.to_string())
        .details(serde_json::json!({ "cleared": cleared }));
    admin.db.write(move |conn| audit::append(conn, &event, now).map(|_| ())).await
}
