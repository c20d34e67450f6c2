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
use crate::http::auth::{AttemptActor, AttemptInstructor, ExamAttempt, WatchedAttempt};
use crate::http::wire::ReceiptBody;
use crate::http::wire::attempts::{Attempt, LateItem};
use crate::http::wire::case_file::CaseFileDocument;
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
    AttemptActor(of): AttemptActor,
) -> Result<(StatusCode, Json<MoveCode>), AppError> {
    let issued = service::issue_move_code(&state, &of).await?;
    Ok((StatusCode::CREATED, Json(MoveCode { code: issued.code, expires_at: Timestamp::from_time(issued.expires_at) })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Reopen {
    minutes: u32,
    reason: String,
}

/// `POST .../attempts/{attempt_id}/reopen`: a submitted attempt, open again
/// for some minutes (instructors only), audited with the reason.
async fn reopen(
    State(state): State<AppState>,
    AttemptInstructor(of): AttemptInstructor,
    Json(body): Json<Reopen>,
) -> Result<Json<Attempt>, AppError> {
    Ok(Json(service::reopen(&state, &of, body.minutes, body.reason).await?.into()))
}

/// `GET .../attempts/{attempt_id}/case-file`: the attempt's case file, for
/// the course's instructors and reviewers (audited each time).
async fn case_file(
    State(state): State<AppState>,
    ExamAttempt(of): ExamAttempt,
) -> Result<Json<serde_json::Value>, AppError> {
    let file = crate::service::case_file::generate(&state, &of).await?;
    Ok(Json(CaseFileDocument::of(file)?.json))
}

/// `GET .../attempts/{attempt_id}/case-file.tar`: the case file as one
/// archive to hand over: the printable page, the JSON document, each
/// receipt's exact text (its SHA-256 is in the document) and the code.
async fn case_file_archive(
    State(state): State<AppState>,
    ExamAttempt(of): ExamAttempt,
) -> Result<impl axum::response::IntoResponse, AppError> {
    let file = crate::service::case_file::generate(&state, &of).await?;
    let name = format!("case-file-{}", of.attempt.id);
    let document = CaseFileDocument::of(file)?;
    let archive = tokio::task::spawn_blocking(move || case_file_tar(&document))
        .await
        .map_err(|e| AppError::Internal(Box::new(e)))?
        .map_err(|e| AppError::Internal(Box::new(e)))?;
    let headers = [
        (axum::http::header::CONTENT_TYPE, "application/x-tar".to_owned()),
        (axum::http::header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}.tar\"")),
    ];
    Ok((headers, archive))
}

/// The archive's bytes: every member under one folder.
fn case_file_tar(document: &CaseFileDocument) -> std::io::Result<Vec<u8>> {
    let mut archive = tar::Builder::new(Vec::new());
    let mut add = |path: &str, bytes: &[u8]| {
        let mut header = tar::Header::new_ustar();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_cksum();
        archive.append_data(&mut header, path, bytes)
    };
    add("case-file/case-file.json", serde_json::to_string_pretty(&document.json)?.as_bytes())?;
    add("case-file/case-file.html", document.html().as_bytes())?;
    for (number, text) in &document.receipts {
        add(&format!("case-file/receipts/submission-{number}.json"), text.as_bytes())?;
    }
    for (position, _, code) in &document.code {
        add(&format!("case-file/code/question-{position}.py"), code.as_bytes())?;
    }
    archive.into_inner()
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
async fn timeline(
    State(state): State<AppState>,
    WatchedAttempt(of): WatchedAttempt,
) -> Result<Json<Vec<TimelineItem>>, AppError> {
    service::viewed(&state, &of).await?;
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
        .route("/api/v1/courses/{course_id}/exams/{exam_id}/attempts/{attempt_id}/reopen", post(reopen))
        .route("/api/v1/courses/{course_id}/exams/{exam_id}/attempts/{attempt_id}/case-file", get(case_file))
        .route(
            "/api/v1/courses/{course_id}/exams/{exam_id}/attempts/{attempt_id}/case-file.tar",
            get(case_file_archive),
        )
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
