//! Exports of one exam for its course's instructors
//! ([`crate::service::exports`]): each file a route of its own, so the route
//! table lists every one; any other name under `exports/` is unknown (404).
//! The body streams as it is read; the file's name comes from the exam's
//! title in safe characters.

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::error::AppError;
use crate::http::auth::ExamInstructor;
use crate::service::exports as service;
use crate::state::AppState;

/// `GET .../exports/{kind}.{csv|json}`: the file the path names, as it is read.
async fn download(
    State(state): State<AppState>,
    ExamInstructor(on): ExamInstructor,
    uri: Uri,
) -> Result<Response, AppError> {
    let name = uri.path().rsplit('/').next().unwrap_or_default();
    let (kind, format) = service::file(name).ok_or(AppError::NotFound)?;
    let download = service::export(&state, &on, kind, format).await?;
    let chunks = futures_util::stream::unfold(download.chunks, |mut chunks| async move {
        chunks.next().await.map(|chunk| (chunk, chunks))
    });
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{}\"", download.file_name))
        .map_err(|e| AppError::Internal(Box::new(e)))?;
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static(download.media_type)),
        (header::CONTENT_DISPOSITION, disposition),
    ];
    Ok((headers, Body::from_stream(chunks)).into_response())
}

/// The export routes: one per file.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/courses/{course_id}/exams/{exam_id}/exports/attempts.csv", get(download))
        .route("/api/v1/courses/{course_id}/exams/{exam_id}/exports/attempts.json", get(download))
        .route("/api/v1/courses/{course_id}/exams/{exam_id}/exports/events.csv", get(download))
        .route("/api/v1/courses/{course_id}/exams/{exam_id}/exports/events.json", get(download))
        .route("/api/v1/courses/{course_id}/exams/{exam_id}/exports/signals.csv", get(download))
        .route("/api/v1/courses/{course_id}/exams/{exam_id}/exports/signals.json", get(download))
        .route("/api/v1/courses/{course_id}/exams/{exam_id}/exports/similarity.csv", get(download))
        .route("/api/v1/courses/{course_id}/exams/{exam_id}/exports/similarity.json", get(download))
        .route("/api/v1/courses/{course_id}/exams/{exam_id}/exports/grades.csv", get(download))
        .route("/api/v1/courses/{course_id}/exams/{exam_id}/exports/grades.json", get(download))
        .route("/api/v1/courses/{course_id}/exams/{exam_id}/exports/moodle.csv", get(download))
        .route("/api/v1/courses/{course_id}/exams/{exam_id}/exports/canvas.csv", get(download))
}
