//! Grading an exam's submissions, for the course's instructors and
//! reviewers ([`crate::service::grading`]): the tests and every latest
//! submission with its scores, one submission's answers and results, and
//! the results a grader's browser reports as it runs the tests.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use crate::domain::{QuestionId, SubmissionId};
use crate::error::AppError;
use crate::http::auth::CourseExam;
use crate::http::wire::grading::{GradingBody, RecordedBody, SubmissionWorkBody};
use crate::service::grading as service;
use crate::state::AppState;
use crate::store::grading::{NewResult, Outcome};

/// `GET .../grading`: the exam's questions with every test (hidden ones
/// too) and what names their results, and every latest submission with its
/// scores so far.
async fn show(CourseExam(on): CourseExam) -> Result<Json<GradingBody>, AppError> {
    Ok(Json(service::overview(&on).await?.into()))
}

/// The submission the path names; an id that is not one is not found.
fn which(params: &HashMap<String, String>) -> Result<SubmissionId, AppError> {
    params.get("submission_id").and_then(|id| SubmissionId::parse(id).ok()).ok_or(AppError::NotFound)
}

/// `GET .../grading/submissions/{submission_id}`: the answers to run and
/// every result stored for them.
async fn submission(
    CourseExam(on): CourseExam,
    Path(params): Path<HashMap<String, String>>,
) -> Result<Json<SubmissionWorkBody>, AppError> {
    Ok(Json(service::work(&on, which(&params)?).await?.into()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Reported {
    question_id: QuestionId,
    test_sha256: String,
    outcome: Outcome,
    #[serde(default)]
    expected: String,
    #[serde(default)]
    actual: String,
    #[serde(default)]
    stdout: String,
    #[serde(default)]
    stderr: String,
    duration_ms: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Report {
    results: Vec<Reported>,
}

/// `POST .../grading/submissions/{submission_id}/results`: results as the
/// grader's browser ran them; those already stored for the same code and
/// test are left as they were.
async fn record(
    State(state): State<AppState>,
    CourseExam(on): CourseExam,
    Path(params): Path<HashMap<String, String>>,
    Json(report): Json<Report>,
) -> Result<Json<RecordedBody>, AppError> {
    let results = report
        .results
        .into_iter()
        .map(|r| NewResult {
            question: r.question_id,
            test_sha256: r.test_sha256,
            outcome: r.outcome,
            expected: r.expected,
            actual: r.actual,
            stdout: r.stdout,
            stderr: r.stderr,
            duration_ms: r.duration_ms,
        })
        .collect();
    let stored = service::record(&state, &on, which(&params)?, results).await?;
    Ok(Json(RecordedBody { stored }))
}

/// The grading routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/courses/{course_id}/exams/{exam_id}/grading", get(show))
        .route("/api/v1/courses/{course_id}/exams/{exam_id}/grading/submissions/{submission_id}", get(submission))
        .route("/api/v1/courses/{course_id}/exams/{exam_id}/grading/submissions/{submission_id}/results", post(record))
}
