//! Course scope: staff of the course named in the path.

use std::collections::HashMap;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;

use super::client::ClientAddr;
use super::principal::OrgMember;
use crate::domain::{CourseId, Role};
use crate::error::AppError;
use crate::service::CourseActor;
use crate::state::AppState;

/// An instructor or reviewer of the course in the path (`{course_id}`).
pub struct CourseStaff {
    /// The caller.
    pub member: OrgMember,
    /// The course.
    pub course: CourseId,
    /// Instructor or reviewer (instructor when both).
    pub role: Role,
    /// Where the request came from.
    pub client: ClientAddr,
}

impl CourseStaff {
    /// The caller as services know them.
    #[must_use]
    pub fn actor(&self) -> CourseActor {
        let user = &self.member.principal.user;
        CourseActor {
            org: self.member.org_id,
            db: self.member.db().clone(),
            user: user.id,
            actor: self.member.principal.actor(self.client),
            course: self.course,
            role: self.role,
        }
    }
}

/// The role `member` holds on the whole of `course`: instructor (when
/// both), reviewer, or none.
pub(super) fn course_role(member: &OrgMember, course: CourseId) -> Option<Role> {
    let roles: Vec<Role> = member
        .principal
        .grants
        .iter()
        .filter(|g| g.course_id == Some(course) && g.section_id.is_none())
        .map(|g| g.role)
        .collect();
    [Role::Instructor, Role::Reviewer].into_iter().find(|role| roles.contains(role))
}

/// The course in the path (`{course_id}`); 404 when it is not an identifier.
pub(super) async fn course_in_path(parts: &mut Parts, state: &AppState) -> Result<CourseId, AppError> {
    let Path(params) =
        Path::<HashMap<String, String>>::from_request_parts(parts, state).await.map_err(|_| AppError::NotFound)?;
    params.get("course_id").and_then(|id| CourseId::parse(id).ok()).ok_or(AppError::NotFound)
}

impl FromRequestParts<AppState> for CourseStaff {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let member = OrgMember::from_request_parts(parts, state).await?;
        let course = course_in_path(parts, state).await?;
        let role = course_role(&member, course).ok_or(AppError::NotFound)?;
        let Ok(client) = ClientAddr::from_request_parts(parts, state).await;
        Ok(Self { member, course, role, client })
    }
}

/// An instructor of the course in the path.
pub struct CourseInstructor(pub CourseStaff);

impl FromRequestParts<AppState> for CourseInstructor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let staff = CourseStaff::from_request_parts(parts, state).await?;
        if staff.role == Role::Instructor { Ok(Self(staff)) } else { Err(AppError::NotFound) }
    }
}
