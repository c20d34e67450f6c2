//! What a signed-in member of an organization may see of their own courses.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use time::OffsetDateTime;

use crate::domain::{CourseId, ExamId, Role, SectionId};
use crate::error::AppError;
use crate::http::auth::OrgMember;
use crate::state::AppState;
use crate::store::exams::Phase;

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

/// An exam one of the caller's sections sits, as a proctor's page lists it.
#[derive(Serialize)]
struct Watched {
    course_id: CourseId,
    course_code: String,
    course_title: String,
    exam_id: ExamId,
    title: String,
    #[serde(with = "crate::domain::timestamp::text")]
    opens_at: OffsetDateTime,
    #[serde(with = "crate::domain::timestamp::text")]
    closes_at: OffsetDateTime,
    phase: Phase,
}

/// `GET /api/v1/me/watching`: the published exams the sections the caller
/// proctors sit (closed less than a day ago at most), soonest first; each
/// opens the live monitor of those sections.
async fn watching(State(state): State<AppState>, member: OrgMember) -> Result<Json<Vec<Watched>>, AppError> {
    let sections: Vec<SectionId> =
        member.principal.grants.iter().filter(|g| g.role == Role::Proctor).filter_map(|g| g.section_id).collect();
    let exams = crate::service::monitor::watched(&state, member.db(), sections).await?;
    let listed = exams
        .into_iter()
        .map(|(exam, course)| Watched {
            course_id: course.id,
            course_code: course.code,
            course_title: course.title,
            exam_id: exam.id,
            title: exam.spec.title,
            opens_at: exam.spec.opens_at,
            closes_at: exam.spec.closes_at,
            phase: exam.phase,
        })
        .collect();
    Ok(Json(listed))
}

/// The caller's own routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/me/courses", get(my_courses)).route("/api/v1/me/watching", get(watching))
}
