//! Course staff: writing, publishing and scheduling exams. The actions are
//! [`crate::service::exams`]; this module is their wire.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use time::OffsetDateTime;

use crate::domain::{ExamSpec, UserId};
use crate::error::AppError;
use crate::http::auth::{CourseExam, CourseInstructor, CourseStaff, ExamInstructor, ExamProctor};
use crate::http::wire::exams::{Exam, StudentAttempt};
use crate::service::exams::{self as service, TestReport};
use crate::state::AppState;

async fn list(State(state): State<AppState>, staff: CourseStaff) -> Result<Json<Vec<Exam>>, AppError> {
    Ok(Json(service::list(&state, &staff.actor()).await?.into_iter().map(Exam::from).collect()))
}

async fn show(CourseExam(on): CourseExam) -> Json<Exam> {
    Json(on.exam.into())
}

async fn create(
    State(state): State<AppState>,
    CourseInstructor(staff): CourseInstructor,
    Json(spec): Json<ExamSpec>,
) -> Result<(StatusCode, Json<Exam>), AppError> {
    Ok((StatusCode::CREATED, Json(service::create(&state, &staff.actor(), spec).await?.into())))
}

async fn update(
    State(state): State<AppState>,
    ExamInstructor(on): ExamInstructor,
    Json(spec): Json<ExamSpec>,
) -> Result<Json<Exam>, AppError> {
    Ok(Json(service::update(&state, &on, spec).await?.into()))
}

async fn remove(State(state): State<AppState>, ExamInstructor(on): ExamInstructor) -> Result<StatusCode, AppError> {
    service::remove(&state, &on).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn duplicate(
    State(state): State<AppState>,
    ExamInstructor(on): ExamInstructor,
) -> Result<(StatusCode, Json<Exam>), AppError> {
    Ok((StatusCode::CREATED, Json(service::duplicate(&state, &on).await?.into())))
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
    ExamInstructor(on): ExamInstructor,
    Json(report): Json<Publish>,
) -> Result<Json<Exam>, AppError> {
    let report = TestReport { run: report.tests_run, failed: report.tests_failed };
    Ok(Json(service::publish(&state, &on, report).await?.into()))
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
    ExamInstructor(on): ExamInstructor,
    Json(window): Json<Window>,
) -> Result<Json<Exam>, AppError> {
    Ok(Json(service::set_window(&state, &on, window.closes_at).await?.into()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExtraTime {
    user_ids: Vec<UserId>,
    minutes: u32,
    #[serde(default)]
    label: String,
}

/// `PUT .../extra-time`: accommodations for some students (0 removes them);
/// a running attempt gets its new deadline at once.
async fn extra_time(
    State(state): State<AppState>,
    ExamInstructor(on): ExamInstructor,
    Json(body): Json<ExtraTime>,
) -> Result<StatusCode, AppError> {
    service::set_extra_time(&state, &on, body.user_ids, body.minutes, body.label).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET .../attempts`: every student the caller watches (course staff: all
/// the exam's sections; a proctor: theirs), their attempt and (once
/// submitted) the same receipt the student got.
async fn attempts_of(
    State(state): State<AppState>,
    ExamProctor(watch, _): ExamProctor,
) -> Result<Json<Vec<StudentAttempt>>, AppError> {
    Ok(Json(service::roster(&state, &watch).await?.into_iter().map(StudentAttempt::from).collect()))
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
