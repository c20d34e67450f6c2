//! Org admins: roster import (preview, then import) and the audit log.

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::error::AppError;
use crate::http::auth::{ClientAddr, OrgAdmin};
use crate::http::wire::roster::Plan;
use crate::service::{records, roster};
use crate::state::AppState;
use crate::store::audit::{self, AuditQuery, AuditRecord};

fn csv_body(headers: &HeaderMap, body: &Bytes) -> Result<String, AppError> {
    let media = super::media_type(headers);
    if media != "text/csv" && media != "text/plain" {
        return Err(AppError::UnsupportedMediaType);
    }
    String::from_utf8(body.to_vec()).map_err(|_| AppError::Unprocessable("the roster must be UTF-8 text".to_owned()))
}

async fn preview(OrgAdmin(admin): OrgAdmin, headers: HeaderMap, body: Bytes) -> Result<Json<Plan>, AppError> {
    let text = csv_body(&headers, &body)?;
    Ok(Json(Plan::from(&roster::preview(admin.db(), text).await?)))
}

async fn import(
    State(state): State<AppState>,
    client: ClientAddr,
    OrgAdmin(admin): OrgAdmin,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Plan>, AppError> {
    let text = csv_body(&headers, &body)?;
    let plan = roster::import(&state, &admin.acting(client), text).await?;
    Ok(Json(Plan::from(&plan)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AuditFilter {
    actor: Option<String>,
    action: Option<String>,
    from: Option<String>,
    to: Option<String>,
    limit: Option<u32>,
    before: Option<i64>,
}

impl AuditFilter {
    fn query(self) -> Result<AuditQuery, AppError> {
        let time = |text: Option<String>| {
            text.filter(|t| !t.is_empty())
                .map(|t| OffsetDateTime::parse(&t, &time::format_description::well_known::Rfc3339))
                .transpose()
                .map_err(|_| AppError::Unprocessable("from/to: RFC 3339 times like 2026-01-05T09:00:00Z".to_owned()))
        };
        Ok(AuditQuery {
            actor: self.actor.filter(|a| !a.is_empty()),
            action_prefix: self.action.filter(|a| !a.is_empty()),
            from: time(self.from)?,
            to: time(self.to)?,
            limit: self.limit.unwrap_or(0),
            before_seq: self.before,
        })
    }
}

#[derive(Serialize)]
struct AuditRow {
    seq: i64,
    at: String,
    actor: String,
    actor_label: String,
    action: String,
    target: Option<String>,
    outcome: &'static str,
    client_addr: Option<String>,
    details: serde_json::Value,
}

impl From<AuditRecord> for AuditRow {
    fn from(record: AuditRecord) -> Self {
        let event = record.event;
        Self {
            seq: record.seq,
            at: record.at,
            actor: event.actor,
            actor_label: event.actor_label,
            action: event.action,
            target: event.target,
            outcome: event.outcome.as_str(),
            client_addr: event.client_addr.map(|a| a.to_string()),
            details: event.details,
        }
    }
}

async fn audit_log(
    OrgAdmin(admin): OrgAdmin,
    Query(filter): Query<AuditFilter>,
) -> Result<Json<Vec<AuditRow>>, AppError> {
    let query = filter.query()?;
    let records = records::list(admin.db(), query).await?;
    Ok(Json(records.into_iter().map(AuditRow::from).collect()))
}

async fn audit_csv(
    State(state): State<AppState>,
    client: ClientAddr,
    OrgAdmin(admin): OrgAdmin,
    Query(filter): Query<AuditFilter>,
) -> Result<Response, AppError> {
    let records = records::export(&state, &admin.acting(client), filter.query()?).await?;
    let mut csv = Vec::new();
    audit::write_csv(&records, &mut csv).map_err(|e| AppError::Internal(Box::new(e)))?;
    let headers = [
        (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
        (header::CONTENT_DISPOSITION, "attachment; filename=\"audit-log.csv\""),
    ];
    Ok((headers, csv).into_response())
}

/// The roster and audit routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/org/roster/preview", post(preview))
        .route("/api/v1/org/roster/import", post(import))
        .route("/api/v1/org/audit", get(audit_log))
        .route("/api/v1/org/audit.csv", get(audit_csv))
}
