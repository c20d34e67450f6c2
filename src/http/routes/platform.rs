//! Platform admins: organizations and their first org admin. Nothing here
//! reads an organization's content (vendor zero-access): the routes create,
//! rename and switch organizations, and invite one person into each.

use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use crate::domain::{DisplayName, Email, OrgId, OrgName, OrgSlug};
use crate::error::AppError;
use crate::http::auth::{ClientAddr, PlatformAdmin, Realm};
use crate::http::wire::LinkIssued;
use crate::service::organizations as service;
use crate::state::AppState;
use crate::store::platform::{OrgStatus, Organization};

#[derive(Serialize)]
struct OrgView {
    id: String,
    slug: String,
    name: String,
    status: &'static str,
    created_at: crate::domain::Timestamp,
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
    client: ClientAddr,
    PlatformAdmin(admin): PlatformAdmin,
    Json(body): Json<CreateOrg>,
) -> Result<(StatusCode, Json<OrgView>), AppError> {
    let (slug, name) = (OrgSlug::parse(&body.slug)?, OrgName::parse(&body.name)?);
    let org = service::create(&state, &admin.actor(client), slug, name).await?;
    Ok((StatusCode::CREATED, Json(org.into())))
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
    let id = OrgId::parse(&id).map_err(|_| AppError::NotFound)?;
    let name = body.name.as_deref().map(OrgName::parse).transpose()?;
    let status = match body.status.as_deref() {
        None => None,
        Some("active") => Some(OrgStatus::Active),
        Some("deactivated") => Some(OrgStatus::Deactivated),
        Some(_) => return Err(AppError::Unprocessable("status: active or deactivated".to_owned())),
    };
    let (org, _) = service::update(&state, &admin.actor(client), id, name, status).await?;
    Ok(Json(org.into()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InviteAdmin {
    email: String,
    display_name: String,
}

async fn invite_admin(
    State(state): State<AppState>,
    client: ClientAddr,
    PlatformAdmin(admin): PlatformAdmin,
    Path(id): Path<String>,
    Json(body): Json<InviteAdmin>,
) -> Result<(StatusCode, Json<LinkIssued>), AppError> {
    let id = OrgId::parse(&id).map_err(|_| AppError::NotFound)?;
    let (email, name) = (Email::parse(&body.email)?, DisplayName::parse(&body.display_name)?);
    let now = state.clock().now();
    let valid = Duration::from_secs(state.config().auth.link_valid_hours * 3600);
    let (user_id, token) = service::invite_admin(&state, &admin.actor(client), id, email, name, valid).await?;
    let link = format!("/link/{}.{token}", Realm::Org(id).prefix());
    Ok((
        StatusCode::CREATED,
        Json(LinkIssued { user_id: user_id.to_string(), link, expires_at: crate::clock::rfc3339(now + valid) }),
    ))
}

/// One administrator of an organization.
#[derive(Serialize)]
struct OrgAdminView {
    user_id: String,
    email: String,
    display_name: String,
    status: &'static str,
    /// Whether they have set a password (accepted their invitation).
    has_password: bool,
    last_sign_in_at: Option<crate::domain::Timestamp>,
    /// Until when an open link of theirs works, or `null`.
    link_expires_at: Option<crate::domain::Timestamp>,
}

/// `GET /api/v1/platform/orgs/{id}/admins`.
async fn admins(
    State(state): State<AppState>,
    PlatformAdmin(_admin): PlatformAdmin,
    Path(id): Path<String>,
) -> Result<Json<Vec<OrgAdminView>>, AppError> {
    let id = OrgId::parse(&id).map_err(|_| AppError::NotFound)?;
    let admins = service::admins(&state, id).await?;
    Ok(Json(
        admins
            .into_iter()
            .map(|a| OrgAdminView {
                user_id: a.id.to_string(),
                email: a.email,
                display_name: a.name,
                status: if a.active { "active" } else { "disabled" },
                has_password: a.has_password,
                last_sign_in_at: a.last_sign_in_at,
                link_expires_at: a.link_expires_at,
            })
            .collect(),
    ))
}

/// `POST /api/v1/platform/orgs/{id}/admins/{user_id}/link`: a new link for
/// an administrator who lost theirs; 404 for someone who is not one.
async fn reissue_link(
    State(state): State<AppState>,
    client: ClientAddr,
    PlatformAdmin(admin): PlatformAdmin,
    Path((id, user)): Path<(String, String)>,
) -> Result<(StatusCode, Json<LinkIssued>), AppError> {
    let id = OrgId::parse(&id).map_err(|_| AppError::NotFound)?;
    let user = crate::domain::UserId::parse(&user).map_err(|_| AppError::NotFound)?;
    let now = state.clock().now();
    let valid = Duration::from_secs(state.config().auth.link_valid_hours * 3600);
    let token = service::reissue_admin_link(&state, &admin.actor(client), id, user, valid).await?;
    let link = format!("/link/{}.{token}", Realm::Org(id).prefix());
    Ok((
        StatusCode::CREATED,
        Json(LinkIssued { user_id: user.to_string(), link, expires_at: crate::clock::rfc3339(now + valid) }),
    ))
}

/// The last check of one audit log.
#[derive(Serialize)]
struct AuditCheckView {
    checked_at: crate::domain::Timestamp,
    intact: bool,
    entries: i64,
    head: Option<String>,
    problem: Option<String>,
}

impl From<crate::store::audit_checks::AuditCheck> for AuditCheckView {
    fn from(c: crate::store::audit_checks::AuditCheck) -> Self {
        Self { checked_at: c.checked_at, intact: c.intact, entries: c.entries, head: c.head, problem: c.problem }
    }
}

#[derive(Serialize)]
struct CertificateView {
    fingerprint: String,
    not_after: crate::domain::Timestamp,
    days_left: i64,
}

#[derive(Serialize)]
struct OrgStateView {
    id: String,
    slug: String,
    active: bool,
    bytes: u64,
    audit: Option<AuditCheckView>,
}

/// The report of the doctor's checks the server last ran itself.
#[derive(Serialize)]
struct DoctorView {
    ran_at: crate::domain::Timestamp,
    /// The worst of the checks: `pass`, `warn` or `fail`.
    status: crate::service::doctor::Status,
    checks: Vec<crate::service::doctor::Check>,
}

impl From<crate::service::doctor::Report> for DoctorView {
    fn from(report: crate::service::doctor::Report) -> Self {
        let status = report.checks.iter().map(|c| c.status).max().unwrap_or(crate::service::doctor::Status::Pass);
        Self { ran_at: report.ran_at, status, checks: report.checks }
    }
}

/// `GET /api/v1/platform/status`.
#[derive(Serialize)]
struct StatusView {
    version: String,
    /// `null` with `certificate_error` saying why when it cannot be read.
    certificate: Option<CertificateView>,
    certificate_error: Option<String>,
    platform_bytes: u64,
    platform_audit: Option<AuditCheckView>,
    orgs: Vec<OrgStateView>,
    /// `null` until the server has run the doctor's checks (daily, or on request).
    doctor: Option<DoctorView>,
}

/// `GET /api/v1/platform/status`: version, certificate, database sizes and
/// the last daily check of each audit log.
async fn status(
    State(state): State<AppState>,
    PlatformAdmin(_admin): PlatformAdmin,
) -> Result<Json<StatusView>, AppError> {
    let status = crate::service::status::status(&state).await?;
    let doctor = crate::service::doctor::latest(&state).await?.map(DoctorView::from);
    let (certificate, certificate_error) = match status.certificate {
        Ok(c) => {
            (Some(CertificateView { fingerprint: c.fingerprint, not_after: c.not_after, days_left: c.days_left }), None)
        }
        Err(why) => (None, Some(why)),
    };
    Ok(Json(StatusView {
        version: status.version,
        certificate,
        certificate_error,
        platform_bytes: status.platform_bytes,
        platform_audit: status.platform_audit.map(AuditCheckView::from),
        orgs: status
            .orgs
            .into_iter()
            .map(|o| OrgStateView {
                id: o.id.to_string(),
                slug: o.slug,
                active: o.active,
                bytes: o.bytes,
                audit: o.audit.map(AuditCheckView::from),
            })
            .collect(),
        doctor,
    }))
}

/// `POST /api/v1/platform/doctor`: runs the doctor's checks now, as the
/// service's user, and returns the report the status page then shows; 409
/// while a run (the daily one, or another admin's) is under way.
async fn run_doctor(
    State(state): State<AppState>,
    PlatformAdmin(_admin): PlatformAdmin,
) -> Result<Json<DoctorView>, AppError> {
    match crate::service::doctor::run_now(&state).await? {
        Some(report) => Ok(Json(DoctorView::from(report))),
        None => Err(AppError::WrongState("the checks are running already; their report shows here when done".into())),
    }
}

/// The platform admin routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/platform/orgs", get(list).post(create))
        .route("/api/v1/platform/status", get(status))
        .route("/api/v1/platform/doctor", post(run_doctor))
        .route("/api/v1/platform/orgs/{id}", patch(update))
        .route("/api/v1/platform/orgs/{id}/admins", get(admins).post(invite_admin))
        .route("/api/v1/platform/orgs/{id}/admins/{user_id}/link", post(reissue_link))
}
