//! Candidate links: instructors issue, list and revoke them; a candidate
//! opens one to sign in for that one exam, once.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use axum::routing::{delete, get};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::audit_event;
use super::session::start_session;
use crate::app::AppState;
use crate::audit;
use crate::domain::{ExamId, SectionId};
use crate::error::AppError;
use crate::http::auth::{ClientAddr, CourseInstructor, Realm};
use crate::store::StoreError;
use crate::store::accounts::users;
use crate::store::candidates::{self, Candidate, CandidateLink};
use crate::store::exams;

#[derive(Deserialize)]
struct ExamPath {
    #[allow(dead_code, reason = "checked by the CourseInstructor extractor")]
    course_id: String,
    exam_id: String,
}

#[derive(Deserialize)]
struct LinkPath {
    #[allow(dead_code, reason = "checked by the CourseInstructor extractor")]
    course_id: String,
    exam_id: String,
    id: String,
}

async fn exam_of(state: &AppState, staff: &CourseInstructor, id: &str) -> Result<exams::Exam, AppError> {
    let id = ExamId::parse(id).map_err(|_| AppError::NotFound)?;
    let (course, now) = (staff.0.course, state.clock().now());
    staff.0.member.db().read(move |conn| exams::get(conn, course, id, now)).await?.ok_or(AppError::NotFound)
}

async fn list(
    State(state): State<AppState>,
    staff: CourseInstructor,
    Path(path): Path<ExamPath>,
) -> Result<Json<Vec<CandidateLink>>, AppError> {
    let exam = exam_of(&state, &staff, &path.exam_id).await?;
    let now = state.clock().now();
    Ok(Json(staff.0.member.db().read(move |conn| candidates::list(conn, exam.id, now)).await?))
}

/// Settings of a batch of links (JSON body, or the query of a CSV upload).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    section_id: SectionId,
    #[serde(with = "time::serde::rfc3339")]
    valid_from: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    valid_until: OffsetDateTime,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonBatch {
    #[serde(flatten)]
    settings: Settings,
    candidates: Vec<Candidate>,
}

#[derive(Serialize)]
struct Issued {
    id: String,
    label: String,
    student_number: Option<String>,
    link: String,
    valid_from: String,
    valid_until: String,
}

const MAX_CANDIDATES: usize = 2000;

/// The query of a CSV upload: the settings, as text.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct SettingsQuery {
    section_id: Option<String>,
    valid_from: Option<String>,
    valid_until: Option<String>,
}

impl SettingsQuery {
    fn settings(self) -> Result<Settings, AppError> {
        let missing = || AppError::Unprocessable("give section_id, valid_from and valid_until in the query".to_owned());
        let value = serde_json::json!({
            "section_id": self.section_id.ok_or_else(missing)?,
            "valid_from": self.valid_from.ok_or_else(missing)?,
            "valid_until": self.valid_until.ok_or_else(missing)?,
        });
        serde_json::from_value(value).map_err(|e| AppError::Unprocessable(format!("the query: {e}")))
    }
}

fn parse_batch(
    headers: &HeaderMap,
    query: SettingsQuery,
    body: &Bytes,
) -> Result<(Settings, Vec<Candidate>), AppError> {
    let media = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if media.starts_with("application/json") {
        let batch: JsonBatch =
            serde_json::from_slice(body).map_err(|e| AppError::Unprocessable(format!("the request body: {e}")))?;
        return Ok((batch.settings, batch.candidates));
    }
    if !media.starts_with("text/csv") {
        return Err(AppError::UnsupportedMediaType);
    }
    let settings = query.settings()?;
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(true).from_reader(body.as_ref());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| AppError::Unprocessable(format!("the CSV header: {e}")))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_lowercase())
        .collect();
    let name = headers
        .iter()
        .position(|h| h == "name")
        .ok_or_else(|| AppError::Unprocessable("the CSV header must name the column `name`".to_owned()))?;
    let number = headers.iter().position(|h| h == "student_number");
    let mut list = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let record = record.map_err(|e| AppError::Unprocessable(format!("CSV line {}: {e}", n + 2)))?;
        let label = record.get(name).unwrap_or_default();
        crate::domain::DisplayName::parse(label)
            .map_err(|e| AppError::Unprocessable(format!("CSV line {}: {}", n + 2, e.0)))?;
        list.push(Candidate {
            label: record.get(name).unwrap_or_default().to_owned(),
            student_number: number.and_then(|i| record.get(i)).map(str::to_owned),
        });
    }
    Ok((settings, list))
}

async fn create(
    State(state): State<AppState>,
    client: ClientAddr,
    staff: CourseInstructor,
    Path(path): Path<ExamPath>,
    Query(query): Query<SettingsQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Vec<Issued>>), AppError> {
    let exam = exam_of(&state, &staff, &path.exam_id).await?;
    let (settings, list) = parse_batch(&headers, query, &body)?;
    if list.is_empty() || list.len() > MAX_CANDIDATES {
        return Err(AppError::Unprocessable(format!("give 1 to {MAX_CANDIDATES} candidates")));
    }
    if !exam.spec.section_ids.contains(&settings.section_id) {
        return Err(AppError::Unprocessable("section_id: one of the exam's sections".to_owned()));
    }
    if settings.valid_until <= settings.valid_from {
        return Err(AppError::Unprocessable("valid_until: after valid_from".to_owned()));
    }
    let now = state.clock().now();
    let window = (settings.valid_from, settings.valid_until);
    let event = audit_event::by(&staff.0.member.principal, "candidate_link.create", client)
        .target(exam.id.to_string())
        .details(serde_json::json!({ "count": list.len(), "section": settings.section_id }));
    let (exam_id, section) = (exam.id, settings.section_id);
    let issued = staff
        .0
        .member
        .db()
        .write(move |conn| {
            let issued = candidates::issue(conn, exam_id, section, window, &list, now)?;
            audit::append(conn, &event, now)?;
            Ok(issued)
        })
        .await
        .map_err(|e| match e {
            StoreError::Conflict(what) => AppError::Unprocessable(what),
            other => other.into(),
        })?;
    let realm = Realm::Org(staff.0.member.org_id).prefix();
    let (from, until) = (crate::clock::rfc3339(window.0), crate::clock::rfc3339(window.1));
    let body = issued
        .into_iter()
        .map(|link| Issued {
            link: format!("/candidate/{realm}.{}", link.token),
            id: link.id,
            label: link.label,
            student_number: link.student_number,
            valid_from: from.clone(),
            valid_until: until.clone(),
        })
        .collect();
    Ok((StatusCode::CREATED, Json(body)))
}

async fn revoke(
    State(state): State<AppState>,
    client: ClientAddr,
    staff: CourseInstructor,
    Path(path): Path<LinkPath>,
) -> Result<StatusCode, AppError> {
    let exam = exam_of(&state, &staff, &path.exam_id).await?;
    let now = state.clock().now();
    let event = audit_event::by(&staff.0.member.principal, "candidate_link.revoke", client).target(path.id.clone());
    let (exam_id, id) = (exam.id, path.id);
    staff
        .0
        .member
        .db()
        .write(move |conn| {
            candidates::revoke(conn, exam_id, &id, now)?;
            audit::append(conn, &event, now).map(|_| ())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The database a candidate token points into.
async fn locate(
    state: &AppState,
    text: &str,
    client: ClientAddr,
) -> Result<(Realm, crate::store::Database, String, Vec<String>), AppError> {
    let keys = vec![format!("link-addr:{}", client.text().unwrap_or_default())];
    if let Some(retry_after_secs) = state.limiter().check(&keys, state.clock().now()) {
        return Err(AppError::TooManyRequests { retry_after_secs });
    }
    let Some((Realm::Org(org), token)) = Realm::split(text) else {
        state.limiter().failed(&keys, state.clock().now());
        return Err(AppError::NotFound);
    };
    if !state.registry().platform().is_active(org).await? {
        return Err(AppError::NotFound);
    }
    let db = state.registry().org(org).await.map_err(|_| AppError::NotFound)?;
    Ok((Realm::Org(org), db, token.to_owned(), keys))
}

/// `GET /api/v1/candidate-links/{token}`: what the link opens, if valid.
async fn describe(
    State(state): State<AppState>,
    client: ClientAddr,
    Path(text): Path<String>,
) -> Result<Json<serde_json::Value>, AppError> {
    let (_, db, token, keys) = locate(&state, &text, client).await?;
    let now = state.clock().now();
    let found = db
        .read(move |conn| {
            let Some(link) = candidates::peek(conn, &token, now)? else { return Ok(None) };
            let title: String =
                conn.query_row("SELECT title FROM exams WHERE id = ?1", [link.exam_id], |r| r.get(0))?;
            Ok(Some((link, title)))
        })
        .await?;
    let Some((link, title)) = found else {
        state.limiter().failed(&keys, now);
        return Err(AppError::NotFound);
    };
    Ok(Json(serde_json::json!({
        "exam_id": link.exam_id, "exam_title": title, "label": link.label,
        "valid_from": link.valid_from, "valid_until": link.valid_until,
    })))
}

/// `POST /api/v1/candidate-links/{token}`: signs the candidate in, once.
async fn redeem(
    State(state): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
    Path(text): Path<String>,
) -> Result<Response, AppError> {
    let (realm, db, token, keys) = locate(&state, &text, client).await?;
    let now = state.clock().now();
    let opened = db.write(move |conn| candidates::redeem(conn, &token, now)).await?;
    let Some(link) = opened else {
        state.limiter().failed(&keys, now);
        return Err(AppError::NotFound);
    };
    let user_id = link.user_id;
    let user = db.read(move |conn| users::by_id(conn, user_id)).await?.ok_or(AppError::NotFound)?;
    let event = audit_event::from(user.id.to_string(), link.label.clone(), "candidate_link.redeem", client)
        .details(serde_json::json!({ "link": link.id, "exam": link.exam_id }));
    start_session(&state, realm, &db, user, &headers, event, client).await
}

/// The candidate link routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/courses/{course_id}/exams/{exam_id}/candidates", get(list).post(create))
        .route("/api/v1/courses/{course_id}/exams/{exam_id}/candidates/{id}", delete(revoke))
        .route("/api/v1/candidate-links/{token}", get(describe).post(redeem))
}
