//! Students taking an exam: the list, the landing page, start (or taking
//! the attempt over on another computer, once staff allowed it), resume,
//! submit and the receipt. Saves are in [`super::saves`]. Every call after
//! start carries the binding's secret (`X-Exam-Secret`), so a session
//! cookie alone cannot write to an attempt, and a second browser is refused
//! and recorded. The actions are [`crate::service::attempts`]; this module
//! is their wire.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::domain::{ExamId, QuestionId, TestSpec, Visibility};
use crate::error::AppError;
use crate::http::auth::{ExamSecret, Student, StudentExam};
use crate::http::wire::SignedReceiptBody;
use crate::http::wire::attempts::{Attempt, Binding};
use crate::service::attempts as service;
use crate::state::AppState;
use crate::store::attempts as stored;
use crate::store::courses::CourseName;
use crate::store::exams::{Exam, Phase};

/// An exam as the student's list shows it: its times and their attempt.
#[derive(Serialize)]
struct ExamSummary {
    id: ExamId,
    title: String,
    /// Its course, so a student in several courses tells their exams apart.
    course: CourseName,
    #[serde(with = "crate::domain::timestamp::text")]
    opens_at: OffsetDateTime,
    #[serde(with = "crate::domain::timestamp::text")]
    closes_at: OffsetDateTime,
    duration_minutes: u32,
    extra_minutes: u32,
    phase: Phase,
    attempt: Option<Attempt>,
}

impl ExamSummary {
    fn of(exam: &Exam, course: CourseName, extra_minutes: u32, attempt: Option<stored::Attempt>) -> Self {
        Self {
            id: exam.id,
            title: exam.spec.title.clone(),
            course,
            opens_at: exam.spec.opens_at,
            closes_at: exam.spec.closes_at,
            duration_minutes: exam.spec.duration_minutes,
            extra_minutes,
            phase: exam.phase,
            attempt: attempt.map(Attempt::from),
        }
    }
}

/// `GET /api/v1/me/exams`: the exams the caller may take ([`Student`]).
async fn list(State(state): State<AppState>, student: Student) -> Result<Json<Vec<ExamSummary>>, AppError> {
    let (user, sections, candidate_of) = (student.member.principal.user.id, student.sections(), student.candidate_of());
    let listed = service::list(&state, student.member.db(), user, sections, candidate_of).await?;
    let list = listed
        .into_iter()
        .map(|listed| ExamSummary::of(&listed.exam, listed.course, listed.extra_minutes, listed.attempt));
    Ok(Json(list.collect()))
}

/// The landing page of an exam: the list's summary, its rules, never its questions.
#[derive(Serialize)]
struct Landing {
    #[serde(flatten)]
    summary: ExamSummary,
    instructions: String,
    require_fullscreen: bool,
    /// How many questions it has.
    questions: usize,
    #[serde(with = "crate::domain::timestamp::text")]
    server_now: OffsetDateTime,
}

/// `GET /api/v1/me/exams/{id}`: the landing page (rules, duration; no questions).
async fn landing(State(state): State<AppState>, StudentExam(taker): StudentExam) -> Result<Json<Landing>, AppError> {
    let (course, extra_minutes, attempt) = service::standing(&taker).await?;
    let exam = &taker.exam;
    Ok(Json(Landing {
        summary: ExamSummary::of(exam, course, extra_minutes, attempt),
        instructions: exam.spec.instructions.clone(),
        require_fullscreen: exam.spec.require_fullscreen,
        questions: exam.spec.questions.len(),
        server_now: state.clock().now(),
    }))
}

/// What the exam client needs to run an attempt. Hidden tests never appear.
#[derive(Serialize)]
struct AttemptView {
    attempt: Attempt,
    /// Only when this call bound the browser (start, or taking the attempt over).
    #[serde(skip_serializing_if = "Option::is_none")]
    binding: Option<Binding>,
    #[serde(with = "crate::domain::timestamp::text")]
    server_now: OffsetDateTime,
    title: String,
    instructions: String,
    require_fullscreen: bool,
    questions: Vec<QuestionView>,
    answers: Vec<AnswerView>,
    /// Every item up to this sequence number is durable.
    acked_seq: i64,
    /// The chain over them, lowercase hex.
    chain: String,
    /// Until when the browser keeps the attempt's local data at most: the
    /// deadline, the late window and seven days (a student's unsent work on
    /// a shared PC waits that long for them).
    #[serde(with = "crate::domain::timestamp::text")]
    local_keep_until: OffsetDateTime,
}

#[derive(Serialize)]
struct QuestionView {
    id: QuestionId,
    title: String,
    prompt: String,
    starter_code: String,
    points: u32,
    tests: Vec<TestSpec>,
}

#[derive(Serialize)]
struct AnswerView {
    question_id: QuestionId,
    code: String,
}

async fn view(
    state: &AppState,
    taker: &crate::service::ExamTaker,
    attempt: stored::Attempt,
    binding: Option<stored::Binding>,
) -> Result<AttemptView, AppError> {
    let (answers, log) = service::progress(taker, &attempt).await?;
    let exam = &taker.exam;
    let questions = exam
        .question_ids
        .iter()
        .zip(&exam.spec.questions)
        .map(|(id, q)| QuestionView {
            id: *id,
            title: q.title.clone(),
            prompt: q.prompt.clone(),
            starter_code: crate::domain::changeset::normalise_line_breaks(&q.starter_code),
            points: q.points,
            tests: q.tests.iter().filter(|t| t.visibility == Visibility::Visible).cloned().collect(),
        })
        .collect();
    let local_keep_until = attempt.deadline_at
        + time::Duration::minutes(i64::from(state.config().exams.late_window_minutes))
        + time::Duration::days(7);
    Ok(AttemptView {
        attempt: attempt.into(),
        binding: binding.map(Binding::from),
        server_now: state.clock().now(),
        title: exam.spec.title.clone(),
        instructions: exam.spec.instructions.clone(),
        require_fullscreen: exam.spec.require_fullscreen,
        questions,
        answers: answers.into_iter().map(|(question_id, code)| AnswerView { question_id, code }).collect(),
        acked_seq: log.acked_seq,
        chain: hex::encode(log.chain),
        local_keep_until,
    })
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct StartRequest {
    /// The one-time code staff issued to move the attempt to this computer.
    move_code: Option<String>,
}

/// The longest move code read; a real one has 9 characters.
const MAX_MOVE_CODE_CHARS: usize = 32;

/// `POST /api/v1/me/exams/{id}/start`: starts the attempt and binds this
/// browser to it; or, when staff allowed the attempt to move or the body
/// carries the move code they issued, binds this browser instead of the old one.
async fn start(
    State(state): State<AppState>,
    StudentExam(taker): StudentExam,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<AttemptView>), AppError> {
    // No body (the usual start) or a JSON one (a move code).
    let request: StartRequest = if body.is_empty() {
        StartRequest::default()
    } else if super::media_type(&headers) != "application/json" {
        return Err(AppError::UnsupportedMediaType);
    } else {
        serde_json::from_slice(&body).map_err(|e| AppError::Unprocessable(format!("the start request: {e}")))?
    };
    let move_code = request.move_code;
    if move_code.as_ref().is_some_and(|code| code.chars().count() > MAX_MOVE_CODE_CHARS) {
        return Err(AppError::Unprocessable(format!("move_code: at most {MAX_MOVE_CODE_CHARS} characters")));
    }
    let (attempt, binding) = service::start(&state, &taker, move_code).await?;
    Ok((StatusCode::CREATED, Json(view(&state, &taker, attempt, Some(binding)).await?)))
}

/// `POST /api/v1/me/exams/{id}/resume`: everything saved so far, after a reload.
async fn resume(
    State(state): State<AppState>,
    StudentExam(taker): StudentExam,
    ExamSecret(secret): ExamSecret,
) -> Result<Json<AttemptView>, AppError> {
    let attempt = service::unlock(&state, &taker, secret).await?;
    Ok(Json(view(&state, &taker, attempt, None).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SubmitRequest {
    /// The highest sequence number this browser queued: the submission
    /// waits until the server holds everything up to it.
    seq: i64,
}

/// `POST /api/v1/me/exams/{id}/submit`: hands in the attempt; returns the
/// receipt. Idempotent: a second call returns the same receipt.
async fn submit(
    State(state): State<AppState>,
    StudentExam(taker): StudentExam,
    ExamSecret(secret): ExamSecret,
    Json(request): Json<SubmitRequest>,
) -> Result<Json<SignedReceiptBody>, AppError> {
    let stored = service::submit(&state, &taker, secret, request.seq).await?;
    Ok(Json(SignedReceiptBody::of(&stored, state.signing_key().await.ok().as_deref())?))
}

/// `GET /api/v1/me/exams/{id}/receipt`: the receipt of a submitted attempt.
async fn receipt(
    State(state): State<AppState>,
    StudentExam(taker): StudentExam,
) -> Result<Json<SignedReceiptBody>, AppError> {
    let stored = service::receipt(&state, &taker).await?;
    Ok(Json(SignedReceiptBody::of(&stored, state.signing_key().await.ok().as_deref())?))
}

/// One question's code as submitted.
#[derive(Serialize)]
struct SubmittedAnswer {
    question_id: String,
    code: String,
}

/// `GET /api/v1/me/exams/{id}/submission`.
#[derive(Serialize)]
struct SubmittedCode {
    /// The submission the receipt names (its `submission_id`).
    submission_id: String,
    answers: Vec<SubmittedAnswer>,
}

/// `GET /api/v1/me/exams/{id}/submission`: the code the student's latest
/// submission holds, question by question, for the receipt file; only to
/// the browser that took the attempt (`X-Exam-Secret`); 404 before a
/// submission. Their own work only, and nothing of the tests.
async fn submission(
    State(state): State<AppState>,
    StudentExam(taker): StudentExam,
    ExamSecret(secret): ExamSecret,
) -> Result<Json<SubmittedCode>, AppError> {
    let (submission_id, codes) = service::submitted_code(&state, &taker, secret).await?;
    let mut answers: Vec<SubmittedAnswer> =
        codes.into_iter().map(|(question, code)| SubmittedAnswer { question_id: question.to_string(), code }).collect();
    answers.sort_by(|a, b| a.question_id.cmp(&b.question_id));
    Ok(Json(SubmittedCode { submission_id, answers }))
}

/// The student routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/me/exams", get(list))
        .route("/api/v1/me/exams/{id}", get(landing))
        .route("/api/v1/me/exams/{id}/start", post(start))
        .route("/api/v1/me/exams/{id}/resume", post(resume))
        .route("/api/v1/me/exams/{id}/submit", post(submit))
        .route("/api/v1/me/exams/{id}/receipt", get(receipt))
        .route("/api/v1/me/exams/{id}/submission", get(submission))
}
