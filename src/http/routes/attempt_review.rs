//! Course staff and one student's attempt: its submissions (each with its
//! receipt) and the items that arrived after the deadline; letting the
//! attempt move to another computer; applying late items the server proved
//! were queued in time. Nothing here changes a submission: applying late
//! items makes a new one that names the one it replaces.

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::audit_event;
use crate::audit;
use crate::domain::{AttemptId, ExamId};
use crate::error::AppError;
use crate::http::auth::{ClientAddr, CourseInstructor, CourseStaff};
use crate::http::wire::ReceiptBody;
use crate::state::AppState;
use crate::store::attempts::late::{self, LateItem};
use crate::store::attempts::{self, Attempt, submissions};
use crate::store::exams::{self, Exam};

#[derive(Deserialize)]
#[allow(clippy::struct_field_names, reason = "the names are the path's parameters")]
struct AttemptPath {
    #[allow(dead_code, reason = "checked by the CourseStaff extractor")]
    course_id: String,
    exam_id: String,
    attempt_id: String,
}

/// The exam (of the caller's course) and the attempt (of that exam) in the path.
async fn load(staff: &CourseStaff, path: &AttemptPath, now: time::OffsetDateTime) -> Result<(Exam, Attempt), AppError> {
    let exam_id = ExamId::parse(&path.exam_id).map_err(|_| AppError::NotFound)?;
    let attempt_id = AttemptId::parse(&path.attempt_id).map_err(|_| AppError::NotFound)?;
    let course = staff.course;
    staff
        .member
        .db()
        .read(move |conn| {
            let Some(exam) = exams::get(conn, course, exam_id, now)? else { return Ok(None) };
            Ok(attempts::by_id(conn, exam.id, attempt_id)?.map(|attempt| (exam, attempt)))
        })
        .await?
        .ok_or(AppError::NotFound)
}

#[derive(Serialize)]
struct AttemptDetail {
    attempt: Attempt,
    /// Every submission, oldest first: `{ receipt, sha256 }`.
    submissions: Vec<ReceiptBody>,
    late_items: Vec<LateItem>,
}

/// `GET .../attempts/{attempt_id}`: the attempt's submissions and late items.
async fn show(
    State(state): State<AppState>,
    staff: CourseStaff,
    Path(path): Path<AttemptPath>,
) -> Result<Json<AttemptDetail>, AppError> {
    let (_exam, attempt) = load(&staff, &path, state.clock().now()).await?;
    let id = attempt.id;
    let (history, late_items) =
        staff.member.db().read(move |conn| Ok((submissions::history(conn, id)?, late::list(conn, id)?))).await?;
    let submissions = history.iter().map(ReceiptBody::of).collect::<Result<_, _>>()?;
    Ok(Json(AttemptDetail { attempt, submissions, late_items }))
}

/// `POST .../attempts/{attempt_id}/move`: the next browser that opens the
/// attempt (the student on another computer, a candidate with a new link)
/// takes it over, and the old one stops saving.
async fn allow_move(
    State(state): State<AppState>,
    client: ClientAddr,
    CourseInstructor(staff): CourseInstructor,
    Path(path): Path<AttemptPath>,
) -> Result<axum::http::StatusCode, AppError> {
    let now = state.clock().now();
    let (_exam, attempt) = load(&staff, &path, now).await?;
    let event = audit_event::by(&staff.member.principal, "attempt.allow_move", client).target(attempt.id.to_string());
    let allowed = staff
        .member
        .db()
        .write(move |conn| {
            let allowed = attempts::allow_move(conn, attempt.id)?;
            if allowed {
                audit::append(conn, &event, now)?;
            }
            Ok(allowed)
        })
        .await?;
    if !allowed {
        return Err(AppError::WrongState("the attempt is already submitted; it cannot move".to_owned()));
    }
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// `POST .../attempts/{attempt_id}/late-items/apply`: applies the accepted
/// late items to the latest submission, making a new submission and receipt.
async fn apply_late_items(
    State(state): State<AppState>,
    client: ClientAddr,
    CourseInstructor(staff): CourseInstructor,
    Path(path): Path<AttemptPath>,
) -> Result<Json<ReceiptBody>, AppError> {
    let now = state.clock().now();
    let (exam, attempt) = load(&staff, &path, now).await?;
    let by = staff.member.principal.user.id;
    let event =
        audit_event::by(&staff.member.principal, "attempt.apply_late_items", client).target(attempt.id.to_string());
    let stored = staff
        .member
        .db()
        .write(move |conn| {
            let Some(stored) = submissions::apply_late_items(conn, &attempt, &exam, by, now)? else {
                return Ok(None);
            };
            let details = serde_json::json!({
                "submission": stored.receipt.submission_id,
                "previous": stored.receipt.previous_submission_id,
                "receipt_sha256": stored.sha256,
            });
            audit::append(conn, &event.details(details), now)?;
            Ok(Some(stored))
        })
        .await?
        .ok_or_else(|| AppError::WrongState("there are no accepted late items to apply".to_owned()))?;
    Ok(Json(ReceiptBody::of(&stored)?))
}

/// The attempt review routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/courses/{course_id}/exams/{exam_id}/attempts/{attempt_id}", get(show))
        .route("/api/v1/courses/{course_id}/exams/{exam_id}/attempts/{attempt_id}/move", post(allow_move))
        .route(
            "/api/v1/courses/{course_id}/exams/{exam_id}/attempts/{attempt_id}/late-items/apply",
            post(apply_late_items),
        )
}
