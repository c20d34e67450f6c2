//! Creating a person: the account, perhaps a role, perhaps an invitation
//! link, and the audit entry, in one transaction. Staff creating a user,
//! a platform admin inviting an org admin, the command line, the demo and
//! the platform's set-up link all create people here.

use std::time::Duration;

use rusqlite::Connection;
use time::OffsetDateTime;

use crate::audit::{self, AuditEvent};
use crate::domain::{DisplayName, Email, Role, Scope};
use crate::store::accounts::links::{self, Purpose};
use crate::store::accounts::users::{self, NewUser, User};
use crate::store::courses::{self, GrantTarget};
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
