//! Org admins: people of the organization, their invitations and resets,
//! and clearing a person's sign-in limits (when a classmate kept them out).

use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, patch, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use crate::domain::{CourseId, DisplayName, Email, Role, SectionId, UserId};
use crate::error::AppError;
use crate::http::auth::{ClientAddr, OrgAdmin, Realm};
use crate::http::wire::LinkIssued;
use crate::http::wire::people::{User, UserWithRoles};
use crate::service::org_file::OrgFile;
use crate::service::people::{self, NewPerson, Placement};
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::accounts::users::UserStatus;
use crate::store::courses::GrantTarget;

async fn list(OrgAdmin(admin): OrgAdmin) -> Result<Json<Vec<UserWithRoles>>, AppError> {
    let people = people::list(OrgFile::Open(admin.db())).await?;
    let waiting: std::collections::HashMap<_, _> =
        crate::service::erasure::requested(admin.db()).await?.into_iter().collect();
    let view = people.into_iter().map(UserWithRoles::from).map(|u| {
        let at = waiting.get(&u.id()).copied();
        u.erasure_requested(at)
    });
    Ok(Json(view.collect()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateUser {
    email: String,
    display_name: String,
    student_number: Option<String>,
    /// A role to grant at once: `org_admin` (no course or section),
    /// `instructor` or `reviewer` (`course_id`), `proctor` or `student` (`section_id`).
    role: Option<String>,
    course_id: Option<String>,
    section_id: Option<String>,
}

#[derive(Serialize)]
struct Created {
    user: User,
    link: String,
    expires_at: String,
}

fn link_path(admin: &OrgAdmin, token: &str) -> String {
    format!("/link/{}.{token}", Realm::Org(admin.0.org_id).prefix())
}

async fn create(
    State(state): State<AppState>,
    client: ClientAddr,
    admin: OrgAdmin,
    Json(body): Json<CreateUser>,
) -> Result<(StatusCode, Json<Created>), AppError> {
    let email = Email::parse(&body.email)?;
    let name = DisplayName::parse(&body.display_name)?;
    let number = body.student_number.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    let now = state.clock().now();
    let valid = Duration::from_secs(state.config().auth.link_valid_hours * 3600);
    let event = admin.0.acting(client).actor.event("user.create");
    let role = match body.role.as_deref() {
        None => None,
        Some(role) => {
            let role = Role::parse(role)?;
            // Unknown and foreign ids are 404 wherever they appear.
            let unknown = |_| AppError::NotFound;
            let target = match (body.course_id.as_deref(), body.section_id.as_deref()) {
                (None, None) => GrantTarget::Organization,
                (Some(course), None) => GrantTarget::Course(CourseId::parse(course).map_err(unknown)?),
                (None, Some(section)) => GrantTarget::Section(SectionId::parse(section).map_err(unknown)?),
                (Some(_), Some(_)) => {
                    return Err(AppError::Unprocessable("give a course or a section, not both".to_owned()));
                }
            };
            Some((role, Placement::At(target)))
        }
    };
    let person = NewPerson { email, name, student_number: number, password_hash: None, role, invitation: Some(valid) };
    let created = people::create(admin.0.db(), person, Some(event), now).await.map_err(|error| match error {
        StoreError::Invalid { field: "role", .. } => AppError::Unprocessable(
            "role: org_admin takes no course or section; instructor and reviewer a course; proctor and student a section"
                .to_owned(),
        ),
        StoreError::NotFound(_) => AppError::NotFound,
        other => other.into(),
    })?;
    let (user, token) = (created.user, created.invitation.unwrap_or_default());
    let link = link_path(&admin, &token);
    Ok((StatusCode::CREATED, Json(Created { user: user.into(), link, expires_at: crate::clock::rfc3339(now + valid) })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateUser {
    display_name: Option<String>,
    email: Option<String>,
    status: Option<String>,
}

async fn update(
    State(state): State<AppState>,
    client: ClientAddr,
    OrgAdmin(admin): OrgAdmin,
    Path(id): Path<String>,
    Json(body): Json<UpdateUser>,
) -> Result<Json<User>, AppError> {
    let id = UserId::parse(&id).map_err(|_| AppError::NotFound)?;
    let name = body.display_name.as_deref().map(DisplayName::parse).transpose()?;
    let email = body.email.as_deref().map(Email::parse).transpose()?;
    let status = match body.status.as_deref() {
        None => None,
        Some("active") => Some(UserStatus::Active),
        Some("disabled") => Some(UserStatus::Disabled),
        Some(_) => return Err(AppError::Unprocessable("status: active or disabled".to_owned())),
    };
    let user = people::update(&state, &admin.acting(client), id, people::Change { name, email, status }).await?;
    Ok(Json(user.into()))
}

async fn reset_link(
    State(state): State<AppState>,
    client: ClientAddr,
    admin: OrgAdmin,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<LinkIssued>), AppError> {
    let id = UserId::parse(&id).map_err(|_| AppError::NotFound)?;
    let now = state.clock().now();
    let valid = Duration::from_secs(state.config().auth.link_valid_hours * 3600);
    let token = people::reset_link(&state, &admin.0.acting(client), id, valid).await?;
    let link = link_path(&admin, &token);
    Ok((
        StatusCode::CREATED,
        Json(LinkIssued { user_id: id.to_string(), link, expires_at: crate::clock::rfc3339(now + valid) }),
    ))
}

/// `DELETE /api/v1/org/users/{id}/sign-in-limits`: forgets every failed
/// sign-in counted against the person's account (from any address or
/// device), so they can sign in at once. Audited with how many were cleared.
async fn clear_sign_in_limits(
    State(state): State<AppState>,
    client: ClientAddr,
    OrgAdmin(admin): OrgAdmin,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    let id = UserId::parse(&id).map_err(|_| AppError::NotFound)?;
    people::clear_sign_in_limits(&state, &admin.acting(client), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The user administration routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/org/users", get(list).post(create))
        .route("/api/v1/org/users/{id}", patch(update))
        .route("/api/v1/org/users/{id}/password-reset", post(reset_link))
        .route("/api/v1/org/users/{id}/sign-in-limits", delete(clear_sign_in_limits))
}
