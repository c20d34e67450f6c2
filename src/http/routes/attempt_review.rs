//! Course staff and one student's attempt ([`crate::service::review`]):
//! its submissions and late items, letting it move to another computer,
//! applying late items the server proved were queued in time.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use crate::domain::{Role, Timestamp};
use crate::error::AppError;
use crate::http::auth::{AttemptInstructor, ExamAttempt, WatchedAttempt};
use crate::http::wire::ReceiptBody;
use crate::http::wire::attempts::{Attempt, LateItem};
use crate::http::wire::review::{Code, Replay, TimelineItem};
use crate::http::wire::signals::{Review, Signal};
use crate::service::{AttemptStaff, policy, review as service};
use crate::state::AppState;
use crate::store::attempts::reviews::Decision;

#[derive(Serialize)]
struct AttemptDetail {
    attempt: Attempt,
    /// Every submission, oldest first: `{ receipt, sha256 }`.
    submissions: Vec<ReceiptBody>,
    late_items: Vec<LateItem>,
}

/// `GET .../attempts/{attempt_id}`: the attempt's submissions and late items.
async fn show(ExamAttempt(of): ExamAttempt) -> Result<Json<AttemptDetail>, AppError> {
    let (history, late_items) = service::history(&of).await?;
    let submissions = history.iter().map(ReceiptBody::of).collect::<Result<_, _>>()?;
    let late_items = late_items.into_iter().map(LateItem::from).collect();
    Ok(Json(AttemptDetail { attempt: of.attempt.into(), submissions, late_items }))
}

#[derive(Serialize)]
struct MoveCode {
    /// Shown once; the student types it on the new computer.
    code: String,
    expires_at: Timestamp,
}

/// `POST .../attempts/{attempt_id}/move`: a one-time code that moves the
/// attempt to another computer (the student types it there; the old
/// browser stops saving). Instructors, and proctors of the student's
/// section; not reviewers, who read and never act.
async fn issue_move_code(
    State(state): State<AppState>,
    WatchedAttempt(of): WatchedAttempt,
) -> Result<(StatusCode, Json<MoveCode>), AppError> {
    if of.on.staff.role == Role::Reviewer {
        return Err(AppError::NotFound);
    }
    let issued = service::issue_move_code(&state, &of).await?;
    Ok((StatusCode::CREATED, Json(MoveCode { code: issued.code, expires_at: Timestamp::from_time(issued.expires_at) })))
}

/// Whether the caller may read the attempt's code: course staff always, a
/// proctor only when the exam's policy allows it; otherwise a 404.
async fn may_read_code(of: &AttemptStaff) -> Result<(), AppError> {
    if of.on.staff.role == Role::Proctor && !policy::policy(&of.on.staff.db, &of.on.exam).await?.proctors_read_code {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// `POST .../attempts/{attempt_id}/late-items/apply`: applies the accepted
/// late items to the latest submission, making a new submission and receipt.
async fn apply_late_items(
    State(state): State<AppState>,
    AttemptInstructor(of): AttemptInstructor,
) -> Result<Json<ReceiptBody>, AppError> {
    Ok(Json(ReceiptBody::of(&service::apply_late_items(&state, &of).await?)?))
}

/// `GET .../attempts/{attempt_id}/signals`: patterns in the attempt's log
/// worth a look, with their evidence, for the course's instructors and
/// reviewers. Evidence for a person; nothing here decides anything.
async fn signals(ExamAttempt(of): ExamAttempt) -> Result<Json<Vec<Signal>>, AppError> {
    let decisions = service::decisions(&of).await?;
    Ok(Json(service::signals(&of).await?.into_iter().map(|s| Signal::of(s, &decisions)).collect()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Decide {
    signal: String,
    decision: String,
    #[serde(default)]
    comment: String,
}

/// `POST .../attempts/{attempt_id}/signals/reviews`: a reviewer's or an
/// instructor's decision on one signal (dismissed, noted, referred), with a
/// comment; appended to its history, never changing anything else.
async fn decide(
    State(state): State<AppState>,
    ExamAttempt(of): ExamAttempt,
    Json(body): Json<Decide>,
) -> Result<(StatusCode, Json<Review>), AppError> {
    let decision = Decision::parse(&body.decision)
        .ok_or_else(|| AppError::Unprocessable("decision: dismissed, noted or referred".to_owned()))?;
    let review = service::decide(&state, &of, body.signal, decision, body.comment).await?;
    Ok((StatusCode::CREATED, Json(Review::from(&review))))
}

/// `GET .../attempts/{attempt_id}/code`: the student and each question's
/// code now, for the course's instructors and reviewers (audited once per
/// viewing).
async fn code(State(state): State<AppState>, WatchedAttempt(of): WatchedAttempt) -> Result<Json<Code>, AppError> {
    may_read_code(&of).await?;
    Ok(Json(service::code(&state, &of).await?.into()))
}

/// `GET .../attempts/{attempt_id}/timeline`: the attempt's log, typed, with
/// each stretch away from the page measured, merged with what the server
/// recorded about it and the incident notes about its student, in
/// order, with the server's times.
async fn timeline(WatchedAttempt(of): WatchedAttempt) -> Result<Json<Vec<TimelineItem>>, AppError> {
    let (items, _unreadable) = service::timeline(&of).await?;
    Ok(Json(TimelineItem::merged(&items, service::facts(&of).await?)))
}

/// `GET .../attempts/{attempt_id}/replay`: each question's edits in order,
/// from its starter code, and the first submission they must explain.
async fn replay(WatchedAttempt(of): WatchedAttempt) -> Result<Json<Replay>, AppError> {
    may_read_code(&of).await?;
    Ok(Json(service::replay(&of).await?.into()))
}

/// The attempt review routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/courses/{course_id}/exams/{exam_id}/attempts/{attempt_id}", get(show))
        .route("/api/v1/courses/{course_id}/exams/{exam_id}/attempts/{attempt_id}/move", post(issue_move_code))
        .route("/api/v1/courses/{course_id}/exams/{exam_id}/attempts/{attempt_id}/signals", get(signals))
        .route("/api/v1/courses/{course_id}/exams/{exam_id}/attempts/{attempt_id}/signals/reviews", post(decide))
        .route("/api/v1/courses/{course_id}/exams/{exam_id}/attempts/{attempt_id}/code", get(code))
        .route("/api/v1/courses/{course_id}/exams/{exam_id}/attempts/{attempt_id}/timeline", get(timeline))
        .route("/api/v1/courses/{course_id}/exams/{exam_id}/attempts/{attempt_id}/replay", get(replay))
        .route(
            "/api/v1/courses/{course_id}/exams/{exam_id}/attempts/{attempt_id}/late-items/apply",
            post(apply_late_items),
        )
}
