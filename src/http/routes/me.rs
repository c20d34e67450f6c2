//! What a signed-in member of an organization may see of their own courses.

use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use crate::domain::{CourseId, Role, SectionId};
use crate::error::AppError;
use crate::http::auth::OrgMember;
use crate::state::AppState;

#[derive(Serialize)]
struct MyCourse {
    id: CourseId,
    code: String,
    title: String,
    roles: Vec<Role>,
    sections: Vec<MySection>,
}

#[derive(Serialize)]
struct MySection {
    id: SectionId,
    name: String,
}

/// `GET /api/v1/me/courses`: the courses where the caller holds a role. Course
/// roles see every section; section roles see only their own sections.
async fn my_courses(member: OrgMember) -> Result<Json<Vec<MyCourse>>, AppError> {
    let grants = member.principal.grants.clone();
    let all = crate::service::courses::list(member.db()).await?;
    let mine = all
        .into_iter()
        .filter_map(|course| {
            let held: Vec<_> = grants.iter().filter(|g| g.covers_course(course.id)).collect();
            if held.is_empty() {
                return None;
            }
            let course_wide = held.iter().any(|g| g.section_id.is_none());
            let sections = course
                .sections
                .into_iter()
                .filter(|s| course_wide || held.iter().any(|g| g.section_id == Some(s.id)))
                .map(|s| MySection { id: s.id, name: s.name })
                .collect();
            let mut roles: Vec<Role> = held.iter().map(|g| g.role).collect();
            roles.dedup();
            Some(MyCourse { id: course.id, code: course.code, title: course.title, roles, sections })
        })
        .collect();
    Ok(Json(mine))
}

/// The caller's own routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/me/courses", get(my_courses))
}
