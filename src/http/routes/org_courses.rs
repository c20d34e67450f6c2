//! Org admins: courses, sections, role grants.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;

use crate::domain::{CourseId, GrantId, Role, SectionId, UserId};
use crate::error::AppError;
use crate::http::auth::{ClientAddr, OrgAdmin};
use crate::http::wire::courses::{self as wire, Course, Grant, Section};
use crate::service::courses as service;
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::courses::GrantTarget;

async fn list(OrgAdmin(admin): OrgAdmin) -> Result<Json<Vec<Course>>, AppError> {
    Ok(Json(service::list(admin.db()).await?.into_iter().map(Course::from).collect()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateCourse {
    code: String,
    title: String,
}

async fn create(
    State(state): State<AppState>,
    client: ClientAddr,
    OrgAdmin(admin): OrgAdmin,
    Json(body): Json<CreateCourse>,
) -> Result<(StatusCode, Json<Course>), AppError> {
    let course = service::create(&state, &admin.acting(client), &body.code, &body.title).await?;
    Ok((StatusCode::CREATED, Json(course.into())))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateSection {
    name: String,
}

async fn create_section(
    State(state): State<AppState>,
    client: ClientAddr,
    OrgAdmin(admin): OrgAdmin,
    Path(course): Path<String>,
    Json(body): Json<CreateSection>,
) -> Result<(StatusCode, Json<Section>), AppError> {
    let course = CourseId::parse(&course).map_err(|_| AppError::NotFound)?;
    let section = service::create_section(&state, &admin.acting(client), course, &body.name).await?;
    Ok((StatusCode::CREATED, Json(section.into())))
}

async fn grants(OrgAdmin(admin): OrgAdmin) -> Result<Json<Vec<Grant>>, AppError> {
    Ok(Json(wire::grants(&service::grants(admin.db()).await?)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateGrant {
    user_id: String,
    role: String,
    course_id: Option<String>,
    section_id: Option<String>,
}

async fn grant(
    State(state): State<AppState>,
    client: ClientAddr,
    OrgAdmin(admin): OrgAdmin,
    Json(body): Json<CreateGrant>,
) -> Result<(StatusCode, Json<Grant>), AppError> {
    // Unknown and foreign IDs are 404 wherever they appear, so they cannot be probed.
    let unknown = |_| AppError::NotFound;
    let user = UserId::parse(&body.user_id).map_err(unknown)?;
    let role = Role::parse(&body.role)?;
    let target = match (body.course_id.as_deref(), body.section_id.as_deref()) {
        (None, None) => GrantTarget::Organization,
        (Some(course), None) => GrantTarget::Course(CourseId::parse(course).map_err(unknown)?),
        (None, Some(section)) => GrantTarget::Section(SectionId::parse(section).map_err(unknown)?),
        (Some(_), Some(_)) => return Err(AppError::Unprocessable("give a course or a section, not both".to_owned())),
    };
    let grant = service::grant(&state, &admin.acting(client), user, role, target).await.map_err(|e| match e {
        StoreError::NotFound(_) => AppError::NotFound,
        StoreError::Invalid { field: "role", .. } => {
            AppError::Unprocessable(format!("role {}: give {}", role.as_str(), scope_hint(role)))
        }
        other => other.into(),
    })?;
    Ok((StatusCode::CREATED, Json(Grant::from(&grant))))
}

fn scope_hint(role: Role) -> &'static str {
    match role.scope() {
        crate::domain::Scope::Organization => "neither a course nor a section",
        crate::domain::Scope::Course => "a course",
        crate::domain::Scope::Section => "a section",
    }
}

async fn revoke(
    State(state): State<AppState>,
    client: ClientAddr,
    OrgAdmin(admin): OrgAdmin,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    let id = GrantId::parse(&id).map_err(|_| AppError::NotFound)?;
    service::revoke(&state, &admin.acting(client), &admin.principal.grants, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The course and grant routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/org/courses", get(list).post(create))
        .route("/api/v1/org/courses/{id}/sections", post(create_section))
        .route("/api/v1/org/grants", get(grants).post(grant))
        .route("/api/v1/org/grants/{id}", delete(revoke))
}
