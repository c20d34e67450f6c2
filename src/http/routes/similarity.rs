//! Similarity between an exam's submissions, one question at a time, for
//! the course's instructors and reviewers ([`crate::service::similarity`]):
//! the latest stored run with the decisions on its pairs, a run on demand,
//! and a decision on a pair (`docs/integrity.md`, "Similarity").

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use crate::domain::{AttemptId, QuestionId};
use crate::error::AppError;
use crate::http::auth::CourseExam;
use crate::http::wire::similarity::{Review, Similarity};
use crate::service::similarity as service;
use crate::state::AppState;
use crate::store::attempts::reviews::Decision;

#[derive(Deserialize)]
struct Which {
    question: QuestionId,
}

/// `GET .../similarity?question=ID`: the question's latest run (its ranked
/// pairs, starter code excluded, with the matching fragments; `run: null`
/// before the first) and every decision on its pairs, newest first.
async fn show(CourseExam(on): CourseExam, Query(which): Query<Which>) -> Result<Json<Similarity>, AppError> {
    Ok(Json(Similarity::of(service::latest(&on, which.question).await?)?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RunNow {
    question_id: QuestionId,
}

/// `POST .../similarity/runs`: runs the question now and stores the run
/// (201), or answers with a run of it that began while this request waited
/// its turn (200).
async fn run(
    State(state): State<AppState>,
    CourseExam(on): CourseExam,
    Json(body): Json<RunNow>,
) -> Result<(StatusCode, Json<Similarity>), AppError> {
    let (found, made) = service::run_on_demand(&state, &on, body.question_id).await?;
    let status = if made { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(Similarity::of(found)?)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Decide {
    question_id: QuestionId,
    attempts: [AttemptId; 2],
    decision: String,
    #[serde(default)]
    comment: String,
}

/// `POST .../similarity/reviews`: a reviewer's or an instructor's decision
/// on one pair of the question's latest run (dismissed, noted, referred),
/// with a comment; appended to the pair's history, changing nothing else.
async fn decide(
    State(state): State<AppState>,
    CourseExam(on): CourseExam,
    Json(body): Json<Decide>,
) -> Result<(StatusCode, Json<Review>), AppError> {
    let decision = Decision::parse(&body.decision)
        .ok_or_else(|| AppError::Unprocessable("decision: dismissed, noted or referred".to_owned()))?;
    let [a, b] = body.attempts;
    let review = service::decide(&state, &on, body.question_id, (a, b), decision, body.comment).await?;
    Ok((StatusCode::CREATED, Json(Review::from(review))))
}

/// The similarity routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/courses/{course_id}/exams/{exam_id}/similarity", get(show))
        .route("/api/v1/courses/{course_id}/exams/{exam_id}/similarity/runs", post(run))
        .route("/api/v1/courses/{course_id}/exams/{exam_id}/similarity/reviews", post(decide))
}
