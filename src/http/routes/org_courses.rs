//! Org admins: courses, sections, role grants.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;

use super::audit_event;
use crate::audit;
use crate::domain::{CourseId, GrantId, Role, SectionId, UserId};
use crate::error::AppError;
use crate::http::auth::{ClientAddr, OrgAdmin};
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::accounts::users;
use crate::store::courses::{self, Course, Grant, GrantTarget, Section};

async fn list(OrgAdmin(admin): OrgAdmin) -> Result<Json<Vec<Course>>, AppError> {
    Ok(Json(admin.db().read(courses::list_courses).await?))
}

fn bounded(what: &str, text: &str, max: usize) -> Result<String, AppError> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > max || text.chars().any(char::is_control) {
        return Err(AppError::Unprocessable(format!("{what}: use 1 to {max} characters")));
    }
    Ok(text.to_owned())
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
    let code = bounded("course code", &body.code, 40)?;
    let title = bounded("course title", &body.title, 200)?;
    let now = state.clock().now();
    let event = audit_event::by(&admin.principal, "course.create", client);
    let course = admin
        .db()
        .write(move |conn| {
            let course = courses::create_course(conn, &code, &title, now)?;
            audit::append(
                conn,
                &event.target(course.id.to_string()).details(serde_json::json!({ "code": code })),
                now,
            )?;
            Ok(course)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(course)))
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
    let name = bounded("section name", &body.name, 80)?;
    let now = state.clock().now();
    let event = audit_event::by(&admin.principal, "section.create", client);
    let section = admin
        .db()
        .write(move |conn| {
            courses::course(conn, course)?.ok_or_else(|| StoreError::NotFound("course".to_owned()))?;
            let section = courses::create_section(conn, course, &name, now)?;
            audit::append(
                conn,
                &event.target(section.id.to_string()).details(serde_json::json!({ "course": course, "name": name })),
                now,
            )?;
            Ok(section)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(section)))
}

async fn grants(OrgAdmin(admin): OrgAdmin) -> Result<Json<Vec<Grant>>, AppError> {
    Ok(Json(admin.db().read(courses::all_grants).await?))
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
    let now = state.clock().now();
    let event = audit_event::by(&admin.principal, "grant.create", client);
    let grant = admin
        .db()
        .write(move |conn| {
            users::by_id(conn, user)?.ok_or_else(|| StoreError::NotFound("user".to_owned()))?;
            let grant = courses::grant(conn, user, role, target, now)?;
            let details = serde_json::json!({ "user": user, "role": role, "course": grant.course_id, "section": grant.section_id });
            audit::append(conn, &event.target(grant.id.to_string()).details(details), now)?;
            Ok(grant)
        })
        .await
        .map_err(|e| match e {
            StoreError::NotFound(_) => AppError::NotFound,
            StoreError::Invalid { field: "role", .. } => {
                AppError::Unprocessable(format!("role {}: give {}", role.as_str(), scope_hint(role)))
            }
            other => other.into(),
        })?;
    Ok((StatusCode::CREATED, Json(grant)))
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
    if admin.principal.grants.iter().any(|g| g.id == id && g.role == Role::OrgAdmin) {
        return Err(AppError::WrongState("you cannot remove your own org admin role".to_owned()));
    }
    let now = state.clock().now();
    let event = audit_event::by(&admin.principal, "grant.revoke", client).target(id.to_string());
    admin
        .db()
        .write(move |conn| {
            let grant = courses::revoke(conn, id)?;
            let details = serde_json::json!({ "user": grant.user_id, "role": grant.role });
            audit::append(conn, &event.details(details), now).map(|_| ())
        })
        .await?;
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
