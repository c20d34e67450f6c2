//! Org admins: courses, sections and role grants.

use super::OrgActor;
use super::text::one_line;
use crate::domain::{CourseId, GrantId, Role, UserId};
use crate::state::AppState;
use crate::store::accounts::{sessions, users};
use crate::store::audit;
use crate::store::courses::{self, Course, Grant, GrantTarget, Section};
use crate::store::{Database, StoreError};

/// Every course, with its sections.
///
/// # Errors
/// Storage errors.
pub async fn list(db: &Database) -> Result<Vec<Course>, StoreError> {
    db.read(courses::list_courses).await
}

/// Every course, with its sections, read from `file` (the command line's
/// reading, beside a running server or not).
///
/// # Errors
/// Storage errors.
pub async fn list_in(file: super::org_file::OrgFile<'_>) -> Result<Vec<Course>, StoreError> {
    file.read(courses::list_courses).await
}

/// Creates a course.
///
/// # Errors
/// [`StoreError::Invalid`] for a code or title out of bounds;
/// [`StoreError::Taken`] for a code in use.
pub async fn create(state: &AppState, admin: &OrgActor, code: &str, title: &str) -> Result<Course, StoreError> {
    let code = one_line("code", "course code", code, 40)?;
    let title = one_line("title", "course title", title, 200)?;
    let now = state.clock().now();
    let event = admin.actor.event("course.create");
    admin
        .db
        .write(move |conn| {
            let course = courses::create_course(conn, &code, &title, now)?;
            let details = serde_json::json!({ "code": code });
            audit::append(conn, &event.target(course.id.to_string()).details(details), now)?;
            Ok(course)
        })
        .await
}

/// Creates a section of `course`.
///
/// # Errors
/// [`StoreError::NotFound`] for an unknown course; [`StoreError::Invalid`]
/// for a name out of bounds; [`StoreError::Taken`] for a name in use.
pub async fn create_section(
    state: &AppState,
    admin: &OrgActor,
    course: CourseId,
    name: &str,
) -> Result<Section, StoreError> {
    let name = one_line("name", "section name", name, 80)?;
    let now = state.clock().now();
    let event = admin.actor.event("section.create");
    admin
        .db
        .write(move |conn| {
            courses::course(conn, course)?.ok_or_else(|| StoreError::NotFound("course".to_owned()))?;
            let section = courses::create_section(conn, course, &name, now)?;
            let details = serde_json::json!({ "course": course, "name": name });
            audit::append(conn, &event.target(section.id.to_string()).details(details), now)?;
            Ok(section)
        })
        .await
}

/// Every role granted in the organization.
///
/// # Errors
/// Storage errors.
pub async fn grants(db: &Database) -> Result<Vec<Grant>, StoreError> {
    db.read(courses::all_grants).await
}

/// Grants `role` to `user` at `target`.
///
/// # Errors
/// [`StoreError::NotFound`] for an unknown person, course or section;
/// [`StoreError::Invalid`] for a target that does not fit the role;
/// [`StoreError::Taken`] for a grant held already.
pub async fn grant(
    state: &AppState,
    admin: &OrgActor,
    user: UserId,
    role: Role,
    target: GrantTarget,
) -> Result<Grant, StoreError> {
    let now = state.clock().now();
    let event = admin.actor.event("grant.create");
    admin
        .db
        .write(move |conn| {
            users::by_id(conn, user)?.ok_or_else(|| StoreError::NotFound("user".to_owned()))?;
            let grant = courses::grant(conn, user, role, target, now)?;
            let details = serde_json::json!({ "user": user, "role": role, "course": grant.course_id, "section": grant.section_id });
            audit::append(conn, &event.target(grant.id.to_string()).details(details), now)?;
            Ok(grant)
        })
        .await
}

/// Revokes grant `id`. An admin cannot revoke their own org admin role
/// (`own` lists the caller's grants), so an organization never locks
/// itself out by a slip.
///
/// # Errors
/// [`StoreError::WrongState`] for the caller's own org admin role;
/// [`StoreError::NotFound`] for an unknown grant.
pub async fn revoke(state: &AppState, admin: &OrgActor, own: &[Grant], id: GrantId) -> Result<(), StoreError> {
    if own.iter().any(|g| g.id == id && g.role == Role::OrgAdmin) {
        return Err(StoreError::WrongState("you cannot remove your own org admin role".to_owned()));
    }
    let now = state.clock().now();
    let event = admin.actor.event("grant.revoke").target(id.to_string());
    admin
        .db
        .write(move |conn| {
            let grant = courses::revoke(conn, id)?;
            // Signed out everywhere: a session must not keep a role it lost.
            sessions::end_all(conn, grant.user_id, None)?;
            let details = serde_json::json!({ "user": grant.user_id, "role": grant.role });
            audit::append(conn, &event.details(details), now).map(|_| ())
        })
        .await
}
