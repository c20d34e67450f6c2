//! Exports of one exam for its course's instructors
//! ([`crate::service::exports`]): each file a route of its own, so the route
//! table lists every one; any other name under `exports/` is unknown (404).
//! The body streams as it is read; the file's name comes from the exam's
//! title in safe characters.

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, Method, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::error::AppError;
use crate::http::auth::ExamInstructor;
use crate::service::exports as service;
use crate::state::AppState;

fn attachment(file_name: &str) -> Result<HeaderValue, AppError> {
    HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")).map_err(|e| AppError::Internal(Box::new(e)))
}

/// `GET .../exports/{kind}.{csv|json}`: the file the path names, as it is
/// read. A HEAD (which axum answers with this handler) gets the headers
/// alone: it takes no export's turn and is not audited as an export.
async fn download(
    State(state): State<AppState>,
    ExamInstructor(on): ExamInstructor,
    method: Method,
    uri: Uri,
) -> Result<Response, AppError> {
    let name = uri.path().rsplit('/').next().unwrap_or_default();
    let (kind, format) = service::file(name).ok_or(AppError::NotFound)?;
    if method == Method::HEAD {
        let (file_name, media_type) = service::describe(&on, kind, format)?;
        let headers = [
            (header::CONTENT_TYPE, HeaderValue::from_static(media_type)),
            (header::CONTENT_DISPOSITION, attachment(&file_name)?),
        ];
        return Ok(headers.into_response());
    }
    let download = service::export(&state, &on, kind, format).await?;
    let chunks = futures_util::stream::unfold(download.chunks, |mut chunks| async move {
        chunks.next().await.map(|chunk| (chunk, chunks))
    });
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static(download.media_type)),
        (header::CONTENT_DISPOSITION, attachment(&download.file_name)?),
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
