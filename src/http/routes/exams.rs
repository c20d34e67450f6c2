//! Course staff: writing, publishing and scheduling exams.
//!
//! Audit entries of exam actions name what changed and carry hashes, never
//! exam content (see `audit::digest`): the log is read by org admins and kept
//! for years.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use time::OffsetDateTime;

use super::audit_event;
use crate::audit;
use crate::audit::digest;
use crate::domain::{ExamId, ExamSpec};
use crate::error::AppError;
use crate::http::auth::{ClientAddr, CourseInstructor, CourseStaff};
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::exam_roster::{self, StudentAttempt};
use crate::store::exams::{self, Exam, Phase};

fn exam_id(params: &ExamPath) -> Result<ExamId, AppError> {
    ExamId::parse(&params.exam_id).map_err(|_| AppError::NotFound)
}

#[derive(Deserialize)]
struct ExamPath {
    #[allow(dead_code, reason = "checked by the CourseStaff extractor")]
    course_id: String,
    exam_id: String,
}

async fn load(staff: &CourseStaff, id: ExamId, now: OffsetDateTime) -> Result<Exam, AppError> {
    let course = staff.course;
    staff.member.db().read(move |conn| exams::get(conn, course, id, now)).await?.ok_or(AppError::NotFound)
}

async fn list(State(state): State<AppState>, staff: CourseStaff) -> Result<Json<Vec<Exam>>, AppError> {
    let (course, now) = (staff.course, state.clock().now());
    Ok(Json(staff.member.db().read(move |conn| exams::list(conn, course, now)).await?))
}

async fn show(
    State(state): State<AppState>,
    staff: CourseStaff,
    Path(path): Path<ExamPath>,
) -> Result<Json<Exam>, AppError> {
    Ok(Json(load(&staff, exam_id(&path)?, state.clock().now()).await?))
}

fn section_error(error: StoreError) -> AppError {
    match error {
        StoreError::NotFound(_) => {
            AppError::Unprocessable("section_ids: every section must belong to this course".to_owned())
        }
        other => other.into(),
    }
}

async fn create(
    State(state): State<AppState>,
    client: ClientAddr,
    CourseInstructor(staff): CourseInstructor,
    Json(spec): Json<ExamSpec>,
) -> Result<(StatusCode, Json<Exam>), AppError> {
    spec.validate()?;
    let (course, now) = (staff.course, state.clock().now());
    let details =
        serde_json::json!({ "exam_sha256": digest::sha256_of_serialized(&spec), "questions": spec.questions.len() });
    let event = audit_event::by(&staff.member.principal, "exam.create", client).details(details);
    let id = staff
        .member
        .db()
        .write(move |conn| {
            let id = exams::create(conn, course, &spec, now)?;
            audit::append(conn, &event.target(id.to_string()), now)?;
            Ok(id)
        })
        .await
        .map_err(section_error)?;
    Ok((StatusCode::CREATED, Json(load(&staff, id, now).await?)))
}

async fn update(
    State(state): State<AppState>,
    client: ClientAddr,
    CourseInstructor(staff): CourseInstructor,
    Path(path): Path<ExamPath>,
    Json(spec): Json<ExamSpec>,
) -> Result<Json<Exam>, AppError> {
    spec.validate()?;
    let id = exam_id(&path)?;
    let now = state.clock().now();
    let current = load(&staff, id, now).await?;
    if current.phase == Phase::Closed {
        return Err(AppError::WrongState("the exam is closed; duplicate it to reuse its questions".to_owned()));
    }
    let action = if current.phase == Phase::Draft { "exam.update" } else { "exam.update_after_publish" };
    let details = digest::exam_change(&current.spec, &spec);
    let event = audit_event::by(&staff.member.principal, action, client).target(id.to_string()).details(details);
    let course = staff.course;
    staff
        .member
        .db()
        .write(move |conn| {
            exams::write_spec(conn, id, course, &spec, exams::Ids::Keep, now)?;
            audit::append(conn, &event, now).map(|_| ())
        })
        .await
        .map_err(section_error)?;
    Ok(Json(load(&staff, id, now).await?))
}

async fn remove(
    State(state): State<AppState>,
    client: ClientAddr,
    CourseInstructor(staff): CourseInstructor,
    Path(path): Path<ExamPath>,
) -> Result<StatusCode, AppError> {
    let id = exam_id(&path)?;
    let now = state.clock().now();
    let exam = load(&staff, id, now).await?;
    let details = serde_json::json!({ "exam_sha256": digest::sha256_of_serialized(&exam.spec) });
    let event = audit_event::by(&staff.member.principal, "exam.delete", client).target(id.to_string()).details(details);
    let course = staff.course;
    staff
        .member
        .db()
        .write(move |conn| {
            exams::delete_draft(conn, course, id)?;
            audit::append(conn, &event, now).map(|_| ())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn duplicate(
    State(state): State<AppState>,
    client: ClientAddr,
    CourseInstructor(staff): CourseInstructor,
    Path(path): Path<ExamPath>,
) -> Result<(StatusCode, Json<Exam>), AppError> {
    let source = exam_id(&path)?;
    let now = state.clock().now();
    let mut spec = load(&staff, source, now).await?.spec;
    spec.title = format!("Copy of {}", spec.title).chars().take(200).collect();
    let details = serde_json::json!({ "from": source, "exam_sha256": digest::sha256_of_serialized(&spec) });
    let event = audit_event::by(&staff.member.principal, "exam.duplicate", client).details(details);
    let course = staff.course;
    let id = staff
        .member
        .db()
        .write(move |conn| {
            let id = exams::create(conn, course, &spec, now)?;
            audit::append(conn, &event.target(id.to_string()), now)?;
            Ok(id)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(load(&staff, id, now).await?)))
}

/// What the instructor's browser reports after running every test against
/// the model solutions (the server does not run Python).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Publish {
    tests_run: usize,
    tests_failed: usize,
}

async fn publish(
    State(state): State<AppState>,
    client: ClientAddr,
    CourseInstructor(staff): CourseInstructor,
    Path(path): Path<ExamPath>,
    Json(report): Json<Publish>,
) -> Result<Json<Exam>, AppError> {
    let id = exam_id(&path)?;
    let now = state.clock().now();
    let exam = load(&staff, id, now).await?;
    if exam.phase != Phase::Draft {
        return Err(AppError::WrongState("the exam is published already".to_owned()));
    }
    if exam.spec.questions.is_empty() {
        return Err(AppError::Unprocessable("add at least one question before publishing".to_owned()));
    }
    let total: usize = exam.spec.questions.iter().map(|q| q.tests.len()).sum();
    if report.tests_run != total || report.tests_failed > 0 {
        return Err(AppError::Unprocessable(format!(
            "run all {total} tests against the model solutions; publishing waits until every one passes"
        )));
    }
    let details = serde_json::json!({ "tests_run": total, "exam_sha256": digest::sha256_of_serialized(&exam.spec) });
    let event =
        audit_event::by(&staff.member.principal, "exam.publish", client).target(id.to_string()).details(details);
    staff
        .member
        .db()
        .write(move |conn| {
            exams::publish(conn, id, now)?;
            audit::append(conn, &event, now).map(|_| ())
        })
        .await?;
    Ok(Json(load(&staff, id, now).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Window {
    /// The new closing time; absent means now (close early).
    #[serde(default, with = "time::serde::rfc3339::option")]
    closes_at: Option<OffsetDateTime>,
}

async fn set_window(
    State(state): State<AppState>,
    client: ClientAddr,
    CourseInstructor(staff): CourseInstructor,
    Path(path): Path<ExamPath>,
    Json(window): Json<Window>,
) -> Result<Json<Exam>, AppError> {
    let id = exam_id(&path)?;
    let now = state.clock().now();
    let exam = load(&staff, id, now).await?;
    if exam.phase == Phase::Draft {
        return Err(AppError::WrongState("edit a draft's window directly".to_owned()));
    }
    let closes_at = window.closes_at.unwrap_or(now);
    if closes_at <= exam.spec.opens_at {
        return Err(AppError::Unprocessable("closes_at: must be after the exam opens".to_owned()));
    }
    let action = if closes_at < exam.spec.closes_at { "exam.close_early" } else { "exam.extend" };
    let details = serde_json::json!({ "from": crate::clock::rfc3339(exam.spec.closes_at), "to": crate::clock::rfc3339(closes_at) });
    let event = audit_event::by(&staff.member.principal, action, client).target(id.to_string()).details(details);
    let old_close = exam.spec.closes_at;
    staff
        .member
        .db()
        .write(move |conn| {
            exams::set_closes_at(conn, id, closes_at, now)?;
            // Candidate links that ended with the exam keep ending with it.
            crate::store::candidates::follow_exam_close(conn, id, old_close, closes_at)?;
            audit::append(conn, &event, now).map(|_| ())
        })
        .await?;
    Ok(Json(load(&staff, id, now).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExtraTime {
    user_ids: Vec<crate::domain::UserId>,
    minutes: u32,
    #[serde(default)]
    label: String,
}

/// `PUT .../extra-time`: accommodations for some students (0 removes them);
/// a running attempt gets its new deadline at once.
async fn extra_time(
    State(state): State<AppState>,
    client: ClientAddr,
    CourseInstructor(staff): CourseInstructor,
    Path(path): Path<ExamPath>,
    Json(body): Json<ExtraTime>,
) -> Result<StatusCode, AppError> {
    let id = exam_id(&path)?;
    let now = state.clock().now();
    let exam = load(&staff, id, now).await?;
    if body.minutes > 1440 || body.user_ids.is_empty() || body.label.chars().count() > 80 {
        return Err(AppError::Unprocessable(
            "minutes: 0 to 1440, at least one student, a label of at most 80 characters".to_owned(),
        ));
    }
    let details = serde_json::json!({ "students": body.user_ids, "minutes": body.minutes, "label": body.label });
    let event =
        audit_event::by(&staff.member.principal, "exam.extra_time", client).target(id.to_string()).details(details);
    let sections = exam.spec.section_ids.clone();
    staff
        .member
        .db()
        .write(move |conn| {
            for user in &body.user_ids {
                let takes_exam = crate::store::courses::grants_of(conn, *user)?.iter().any(|g| {
                    g.role == crate::domain::Role::Student && g.section_id.is_some_and(|s| sections.contains(&s))
                });
                if !takes_exam {
                    return Err(StoreError::NotFound("student".to_owned()));
                }
            }
            crate::store::attempts::set_extra_time(conn, id, &body.user_ids, body.minutes, body.label.trim(), now)?;
            audit::append(conn, &event, now).map(|_| ())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET .../attempts`: every student of the exam's sections, their attempt
/// and (once submitted) the same receipt the student got. Attempts past
/// their deadline are submitted first, so the page never shows one running late.
async fn attempts_of(
    State(state): State<AppState>,
    staff: CourseStaff,
    Path(path): Path<ExamPath>,
) -> Result<Json<Vec<StudentAttempt>>, AppError> {
    use crate::store::attempts;
    let id = exam_id(&path)?;
    let now = state.clock().now();
    let exam = load(&staff, id, now).await?;
    let db = staff.member.db();
    if db.read(move |conn| attempts::any_overdue(conn, id, now)).await? {
        db.write(move |conn| attempts::submissions::submit_overdue(conn, now)).await?;
    }
    let rows = db.read(move |conn| exam_roster::students(conn, &exam)).await?;
    Ok(Json(rows))
}

/// The exam authoring routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/courses/{course_id}/exams", get(list).post(create))
        .route("/api/v1/courses/{course_id}/exams/{exam_id}", get(show).put(update).delete(remove))
        .route("/api/v1/courses/{course_id}/exams/{exam_id}/duplicate", post(duplicate))
        .route("/api/v1/courses/{course_id}/exams/{exam_id}/publish", post(publish))
        .route("/api/v1/courses/{course_id}/exams/{exam_id}/window", post(set_window))
        .route("/api/v1/courses/{course_id}/exams/{exam_id}/extra-time", put(extra_time))
        .route("/api/v1/courses/{course_id}/exams/{exam_id}/attempts", get(attempts_of))
}
