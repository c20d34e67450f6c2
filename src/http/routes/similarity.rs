//! Similarity between an exam's submissions, one question at a time, for
//! the course's instructors and reviewers. The body is the report JSON the
//! report viewer reads (`docs/integrity.md`, "Similarity").

use axum::Router;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use serde::Deserialize;

use crate::domain::QuestionId;
use crate::error::AppError;
use crate::http::auth::CourseExam;
use crate::service::similarity as service;
use crate::state::AppState;

#[derive(Deserialize)]
struct Which {
    question: QuestionId,
}

/// `GET .../similarity?question=ID`: the ranked pairs of that question's
/// submitted code, starter code excluded, with the matching fragments.
async fn report(
    State(state): State<AppState>,
    CourseExam(on): CourseExam,
    Query(which): Query<Which>,
) -> Result<impl IntoResponse, AppError> {
    let body = service::report(&state, &on, which.question).await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body))
}

/// The similarity routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/courses/{course_id}/exams/{exam_id}/similarity", get(report))
}
