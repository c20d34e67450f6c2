//! Org admins: people of the organization, their invitations and resets,
//! and clearing a person's sign-in limits (when a classmate kept them out).

use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, patch, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::audit_event;
use super::platform::LinkIssued;
use crate::audit;
use crate::domain::{DisplayName, Email, UserId};
use crate::error::AppError;
use crate::http::auth::{ClientAddr, OrgAdmin, Realm};
use crate::service::people::{self, NewPerson};
use crate::state::AppState;
use crate::store::accounts::links::{self, Purpose};
use crate::store::accounts::sessions;
use crate::store::accounts::users::{self, User, UserStatus};
use crate::store::courses::{self, Grant};

#[derive(Serialize)]
struct UserView {
    #[serde(flatten)]
    user: User,
    roles: Vec<Grant>,
}

async fn list(OrgAdmin(admin): OrgAdmin) -> Result<Json<Vec<UserView>>, AppError> {
    let views = admin
        .db()
        .read(|conn| {
            let grants = courses::all_grants(conn)?;
            Ok(users::list(conn)?
                .into_iter()
                .map(|user| {
                    let roles = grants.iter().filter(|g| g.user_id == user.id).cloned().collect();
                    UserView { user, roles }
                })
                .collect::<Vec<_>>())
        })
        .await?;
    Ok(Json(views))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateUser {
    email: String,
    display_name: String,
    student_number: Option<String>,
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
    let event = audit_event::by(&admin.0.principal, "user.create", client);
    let person =
        NewPerson { email, name, student_number: number, password_hash: None, role: None, invitation: Some(valid) };
    let created = people::create(admin.0.db(), person, Some(event), now).await?;
    let (user, token) = (created.user, created.invitation.unwrap_or_default());
    let link = link_path(&admin, &token);
    Ok((StatusCode::CREATED, Json(Created { user, link, expires_at: crate::clock::rfc3339(now + valid) })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateUser {
    display_name: Option<String>,
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
    let status = match body.status.as_deref() {
        None => None,
        Some("active") => Some(UserStatus::Active),
        Some("disabled") => Some(UserStatus::Disabled),
        Some(_) => return Err(AppError::Unprocessable("status: active or disabled".to_owned())),
    };
    if status == Some(UserStatus::Disabled) && id == admin.principal.user.id {
        return Err(AppError::WrongState("you cannot disable your own account".to_owned()));
    }
    let now = state.clock().now();
    let action = match status {
        Some(UserStatus::Disabled) => "user.disable",
        Some(UserStatus::Active) => "user.enable",
        None => "user.rename",
    };
    let event = audit_event::by(&admin.principal, action, client).target(id.to_string());
    let user = admin
        .db()
        .write(move |conn| {
            users::by_id(conn, id)?.ok_or_else(|| crate::store::StoreError::NotFound("user".to_owned()))?;
            if let Some(name) = &name {
                users::set_display_name(conn, id, name)?;
            }
            if let Some(status) = status {
                users::set_status(conn, id, status)?;
                if status == UserStatus::Disabled {
                    sessions::end_all(conn, id, None)?;
                    links::void_for(conn, id, now)?;
                }
            }
            audit::append(conn, &event, now)?;
            users::by_id(conn, id)?.ok_or_else(|| crate::store::StoreError::NotFound("user".to_owned()))
        })
        .await?;
    Ok(Json(user))
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
    let event = audit_event::by(&admin.0.principal, "user.password_reset_link", client).target(id.to_string());
    let token = admin
        .0
        .db()
        .write(move |conn| {
            users::by_id(conn, id)?.ok_or_else(|| crate::store::StoreError::NotFound("user".to_owned()))?;
            let token = links::issue(conn, Purpose::PasswordReset, Some(id), valid, now)?;
            audit::append(conn, &event, now)?;
            Ok(token)
        })
        .await?;
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
    let user = admin.db().read(move |conn| users::by_id(conn, id)).await?.ok_or(AppError::NotFound)?;
    let org = state.registry().platform().org_by_id(admin.org_id).await?.ok_or(AppError::NotFound)?;
    let cleared = state.limiter().clear_account(state.limiter().account(org.slug.as_str(), &user.email));
    let now = state.clock().now();
    let event = audit_event::by(&admin.principal, "user.sign_in_limits_clear", client)
        .target(id.to_string())
        .details(serde_json::json!({ "cleared": cleared }));
    admin.db().write(move |conn| audit::append(conn, &event, now).map(|_| ())).await?;
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
