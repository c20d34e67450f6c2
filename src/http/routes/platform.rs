//! Platform admins: organizations and their first org admin. Nothing here
//! reads an organization's content (vendor zero-access): the routes create,
//! rename and switch organizations, and invite one person into each.

use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::audit_event;
use crate::audit::{self, Actor};
use crate::domain::{DisplayName, Email, OrgId, OrgName, OrgSlug, Role};
use crate::error::AppError;
use crate::http::auth::{ClientAddr, PlatformAdmin, Realm};
use crate::service::people::{self, NewPerson, Placement};
use crate::state::AppState;
use crate::store::courses::GrantTarget;
use crate::store::organizations;
use crate::store::platform::{OrgStatus, Organization};

#[derive(Serialize)]
struct OrgView {
    id: String,
    slug: String,
    name: String,
    status: &'static str,
    created_at: String,
}

impl From<Organization> for OrgView {
    fn from(org: Organization) -> Self {
        Self {
            id: org.id.to_string(),
            slug: org.slug.to_string(),
            name: org.name,
            status: org.status.as_str(),
            created_at: org.created_at,
        }
    }
}

async fn list(State(state): State<AppState>, _admin: PlatformAdmin) -> Result<Json<Vec<OrgView>>, AppError> {
    Ok(Json(state.registry().platform().list_orgs().await?.into_iter().map(OrgView::from).collect()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateOrg {
    slug: String,
    name: String,
}

async fn create(
    State(state): State<AppState>,
    PlatformAdmin(admin): PlatformAdmin,
    Json(body): Json<CreateOrg>,
) -> Result<(StatusCode, Json<OrgView>), AppError> {
    let (slug, name) = (OrgSlug::parse(&body.slug)?, OrgName::parse(&body.name)?);
    let actor = Actor { id: admin.user.id.to_string(), label: admin.user.email.clone() };
    let org = state.registry().platform().create_org(slug, name, &actor, state.clock().now()).await?;
    Ok((StatusCode::CREATED, Json(org.into())))
}

async fn find(state: &AppState, id: &str) -> Result<Organization, AppError> {
    let id = OrgId::parse(id).map_err(|_| AppError::NotFound)?;
    state.registry().platform().org_by_id(id).await?.ok_or(AppError::NotFound)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateOrg {
    name: Option<String>,
    status: Option<String>,
}

async fn update(
    State(state): State<AppState>,
    client: ClientAddr,
    PlatformAdmin(admin): PlatformAdmin,
    Path(id): Path<String>,
    Json(body): Json<UpdateOrg>,
) -> Result<Json<OrgView>, AppError> {
    let org = find(&state, &id).await?;
    let name = body.name.as_deref().map(OrgName::parse).transpose()?;
    let status = match body.status.as_deref() {
        None => None,
        Some("active") => Some(OrgStatus::Active),
        Some("deactivated") => Some(OrgStatus::Deactivated),
        Some(_) => return Err(AppError::Unprocessable("status: active or deactivated".to_owned())),
    };
    let now = state.clock().now();
    let event = audit_event::by(&admin, "org.update", client).target(org.id.to_string()).details(
        serde_json::json!({ "name": name.as_ref().map(OrgName::as_str), "status": status.map(OrgStatus::as_str) }),
    );
    let id = org.id;
    state
        .registry()
        .platform()
        .db()
        .write(move |conn| {
            if let Some(name) = &name {
                organizations::rename(conn, id, name)?;
            }
            if let Some(status) = status {
                organizations::set_status(conn, id, status)?;
            }
            audit::append(conn, &event, now).map(|_| ())
        })
        .await?;
    if status == Some(OrgStatus::Deactivated) {
        // After the platform write, so no sign-in can start a session between the two.
        state.registry().org(id).await?.write(|conn| organizations::end_all_sessions(conn).map(|_| ())).await?;
    }
    Ok(Json(find(&state, &id.to_string()).await?.into()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InviteAdmin {
    email: String,
    display_name: String,
}

/// A one-time link as the front end shows it.
#[derive(Serialize)]
pub struct LinkIssued {
    /// The person it is for.
    pub user_id: String,
    /// The path to open: `/link/<realm>.<token>`.
    pub link: String,
    /// When it stops working.
    pub expires_at: String,
}

async fn invite_admin(
    State(state): State<AppState>,
    client: ClientAddr,
    PlatformAdmin(admin): PlatformAdmin,
    Path(id): Path<String>,
    Json(body): Json<InviteAdmin>,
) -> Result<(StatusCode, Json<LinkIssued>), AppError> {
    let org = find(&state, &id).await?;
    let (email, name) = (Email::parse(&body.email)?, DisplayName::parse(&body.display_name)?);
    let db = state.registry().org(org.id).await?;
    let now = state.clock().now();
    let valid = Duration::from_secs(state.config().auth.link_valid_hours * 3600);
    let event = audit_event::by(&admin, "user.invite_org_admin", client);
    let platform_event =
        event.clone().target(org.id.to_string()).details(serde_json::json!({ "email": email.as_str() }));
    let person = NewPerson {
        email,
        name,
        student_number: None,
        password_hash: None,
        role: Some((Role::OrgAdmin, Placement::At(GrantTarget::Organization))),
        invitation: Some(valid),
    };
    let created = people::create(&db, person, Some(event), now).await?;
    let (user_id, token) = (created.user.id, created.invitation.unwrap_or_default());
    state.registry().platform().db().write(move |conn| audit::append(conn, &platform_event, now).map(|_| ())).await?;
    let link = format!("/link/{}.{token}", Realm::Org(org.id).prefix());
    Ok((
        StatusCode::CREATED,
        Json(LinkIssued { user_id: user_id.to_string(), link, expires_at: crate::clock::rfc3339(now + valid) }),
    ))
}

/// The platform admin routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/platform/orgs", get(list).post(create))
        .route("/api/v1/platform/orgs/{id}", patch(update))
        .route("/api/v1/platform/orgs/{id}/admins", post(invite_admin))
}
