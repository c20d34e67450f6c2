//! Students taking an exam: the list, the landing page, start, saves,
//! submit and the receipt. Every call after start carries the attempt's
//! secret (`X-Exam-Secret`), so a session cookie alone cannot write to an
//! attempt, and a second device is refused and recorded.

use axum::extract::{FromRequestParts, Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::audit_event;
use crate::app::AppState;
use crate::audit::{self, Outcome};
use crate::domain::{ExamId, QuestionId, Role, TestSpec, Visibility};
use crate::error::AppError;
use crate::http::auth::{ClientAddr, OrgMember};
use crate::store::attempts::{self, Attempt, QueueItem, Receipt, SaveOutcome};
use crate::store::exams::{self, Exam, Phase};

/// A published exam that one of the caller's sections takes.
struct StudentExam {
    member: OrgMember,
    exam: Exam,
}

impl FromRequestParts<AppState> for StudentExam {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let member = OrgMember::from_request_parts(parts, state).await?;
        let Path(id) = Path::<String>::from_request_parts(parts, state).await.map_err(|_| AppError::NotFound)?;
        let id = ExamId::parse(&id).map_err(|_| AppError::NotFound)?;
        let sections: Vec<_> =
            member.principal.grants.iter().filter(|g| g.role == Role::Student).filter_map(|g| g.section_id).collect();
        let now = state.clock().now();
        let exam =
            member
                .db()
                .read(move |conn| {
                    let course: Option<crate::domain::CourseId> = rusqlite::OptionalExtension::optional(
                        conn.query_row("SELECT course_id FROM exams WHERE id = ?1", [id], |r| r.get(0)),
                    )?;
                    match course {
                        Some(course) => exams::get(conn, course, id, now),
                        None => Ok(None),
                    }
                })
                .await?
                .filter(|exam| exam.phase != Phase::Draft && exam.spec.section_ids.iter().any(|s| sections.contains(s)))
                .ok_or(AppError::NotFound)?;
        Ok(Self { member, exam })
    }
}

/// The attempt's secret, from the `X-Exam-Secret` header.
struct ExamSecret(String);

impl<S: Send + Sync> FromRequestParts<S> for ExamSecret {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .headers
            .get("x-exam-secret")
            .and_then(|v| v.to_str().ok())
            .map(|v| Self(v.to_owned()))
            .ok_or_else(|| AppError::Forbidden("this exam is open on another device or browser".to_owned()))
    }
}

#[derive(Serialize)]
struct ExamSummary {
    id: ExamId,
    title: String,
    #[serde(with = "time::serde::rfc3339")]
    opens_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    closes_at: OffsetDateTime,
    duration_minutes: u32,
    extra_minutes: u32,
    phase: Phase,
    attempt: Option<Attempt>,
}

/// `GET /api/v1/me/exams`: published exams of the caller's sections.
async fn list(State(state): State<AppState>, member: OrgMember) -> Result<Json<Vec<ExamSummary>>, AppError> {
    let user = member.principal.user.id;
    let sections: Vec<_> =
        member.principal.grants.iter().filter(|g| g.role == Role::Student).filter_map(|g| g.section_id).collect();
    let now = state.clock().now();
    let list = member
        .db()
        .read(move |conn| {
            let mut out = Vec::new();
            for exam in exams::published_for_sections(conn, &sections, now)? {
                out.push(ExamSummary {
                    id: exam.id,
                    title: exam.spec.title.clone(),
                    opens_at: exam.spec.opens_at,
                    closes_at: exam.spec.closes_at,
                    duration_minutes: exam.spec.duration_minutes,
                    extra_minutes: attempts::extra_minutes(conn, exam.id, user)?,
                    phase: exam.phase,
                    attempt: attempts::find(conn, exam.id, user)?,
                });
            }
            Ok(out)
        })
        .await?;
    Ok(Json(list))
}

/// `GET /api/v1/me/exams/{id}`: the landing page (rules, duration; no questions).
async fn landing(State(state): State<AppState>, student: StudentExam) -> Result<Json<serde_json::Value>, AppError> {
    let (exam, user) = (student.exam, student.member.principal.user.id);
    let id = exam.id;
    let (extra, attempt) = student
        .member
        .db()
        .read(move |conn| Ok((attempts::extra_minutes(conn, id, user)?, attempts::find(conn, id, user)?)))
        .await?;
    Ok(Json(serde_json::json!({
        "id": exam.id, "title": exam.spec.title, "instructions": exam.spec.instructions,
        "opens_at": crate::clock::rfc3339(exam.spec.opens_at), "closes_at": crate::clock::rfc3339(exam.spec.closes_at),
        "duration_minutes": exam.spec.duration_minutes, "extra_minutes": extra, "phase": exam.phase,
        "require_fullscreen": exam.spec.require_fullscreen, "questions": exam.spec.questions.len(),
        "attempt": attempt, "server_now": crate::clock::rfc3339(state.clock().now()),
    })))
}

/// What the exam client needs to run an attempt. Hidden tests never appear.
#[derive(Serialize)]
struct AttemptView {
    attempt: Attempt,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    server_now: OffsetDateTime,
    title: String,
    instructions: String,
    require_fullscreen: bool,
    questions: Vec<QuestionView>,
    answers: Vec<AnswerView>,
    acked_seq: i64,
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
    student: &StudentExam,
    attempt: Attempt,
    secret: Option<String>,
) -> Result<AttemptView, AppError> {
    let exam = student.exam.clone();
    let id = attempt.id;
    let (answers, acked_seq) = student
        .member
        .db()
        .read(move |conn| Ok((attempts::answers(conn, id, &exam)?, attempts::acked_seq(conn, id)?)))
        .await?;
    let exam = &student.exam;
    let questions = exam
        .question_ids
        .iter()
        .zip(&exam.spec.questions)
        .map(|(id, q)| QuestionView {
            id: *id,
            title: q.title.clone(),
            prompt: q.prompt.clone(),
            starter_code: q.starter_code.clone(),
            points: q.points,
            tests: q.tests.iter().filter(|t| t.visibility == Visibility::Visible).cloned().collect(),
        })
        .collect();
    Ok(AttemptView {
        attempt,
        secret,
        server_now: state.clock().now(),
        title: exam.spec.title.clone(),
        instructions: exam.spec.instructions.clone(),
        require_fullscreen: exam.spec.require_fullscreen,
        questions,
        answers: answers.into_iter().map(|(question_id, code)| AnswerView { question_id, code }).collect(),
        acked_seq,
    })
}

/// `POST /api/v1/me/exams/{id}/start`: starts the attempt (once).
async fn start(
    State(state): State<AppState>,
    client: ClientAddr,
    student: StudentExam,
) -> Result<(StatusCode, Json<AttemptView>), AppError> {
    if student.exam.phase != Phase::Open {
        return Err(AppError::Conflict("the exam is not open".to_owned()));
    }
    let now = state.clock().now();
    let (exam, user) = (student.exam.clone(), student.member.principal.user.id);
    let event = audit_event::by(&student.member.principal, "attempt.start", client).target(exam.id.to_string());
    let started = student
        .member
        .db()
        .write(move |conn| match attempts::start(conn, &exam, user, now) {
            Ok(started) => {
                audit::append(conn, &event, now)?;
                Ok(Some(started))
            }
            Err(crate::store::StoreError::Conflict(_)) => {
                let denied =
                    event.outcome(Outcome::Denied).details(serde_json::json!({ "reason": "second device or browser" }));
                audit::append(conn, &denied, now)?;
                Ok(None)
            }
            Err(other) => Err(other),
        })
        .await?;
    let (attempt, secret) = started.ok_or_else(|| {
        AppError::Conflict(
            "this exam was started on another device or browser; ask a proctor if that was not you".to_owned(),
        )
    })?;
    Ok((StatusCode::CREATED, Json(view(&state, &student, attempt, Some(secret)).await?)))
}

/// The caller's attempt, if `secret` opens it; submits it when its deadline passed.
async fn unlock(state: &AppState, student: &StudentExam, secret: String) -> Result<Attempt, AppError> {
    let (exam, user, now) = (student.exam.id, student.member.principal.user.id, state.clock().now());
    let attempt = student
        .member
        .db()
        .write(move |conn| {
            let Some(found) = attempts::find(conn, exam, user)? else { return Ok(None) };
            let Some(attempt) = attempts::unlock(conn, found.id, user, &secret)? else {
                return Ok(Some(Err(found.id)));
            };
            if attempt.submitted_at.is_none() && now > attempt.deadline_at {
                attempts::submit(conn, &attempt, false, now)?;
                return Ok(attempts::find(conn, exam, user)?.map(Ok));
            }
            Ok(Some(Ok(attempt)))
        })
        .await?;
    match attempt {
        Some(Ok(attempt)) => Ok(attempt),
        Some(Err(id)) => {
            let event = audit_event::by(&student.member.principal, "attempt.secret_refused", ClientAddr(None))
                .target(id.to_string())
                .outcome(Outcome::Denied);
            let now = state.clock().now();
            student.member.db().write(move |conn| audit::append(conn, &event, now).map(|_| ())).await?;
            Err(AppError::Forbidden("this exam is open on another device or browser".to_owned()))
        }
        None => Err(AppError::NotFound),
    }
}

/// `POST /api/v1/me/exams/{id}/resume`: everything typed so far, after a reload.
async fn resume(
    State(state): State<AppState>,
    student: StudentExam,
    ExamSecret(secret): ExamSecret,
) -> Result<Json<AttemptView>, AppError> {
    let attempt = unlock(&state, &student, secret).await?;
    Ok(Json(view(&state, &student, attempt, None).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Batch {
    items: Vec<QueueItem>,
}

const MAX_BATCH: usize = 500;

/// The answer to a batch: what is durable, and the attempt's time as the
/// server sees it now, so the student's timer follows extra time granted or
/// a window moved during the attempt, and the client's clock estimate stays fresh.
#[derive(Serialize)]
struct SaveAnswer {
    #[serde(flatten)]
    outcome: SaveOutcome,
    #[serde(with = "time::serde::rfc3339")]
    deadline_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    server_now: OffsetDateTime,
}

/// `POST /api/v1/me/exams/{id}/saves`: a batch from the client's queue. An
/// empty batch is the client's heartbeat: it learns the current deadline.
async fn save(
    State(state): State<AppState>,
    student: StudentExam,
    ExamSecret(secret): ExamSecret,
    Json(batch): Json<Batch>,
) -> Result<Json<SaveAnswer>, AppError> {
    if batch.items.len() > MAX_BATCH {
        return Err(AppError::Unprocessable(format!("send at most {MAX_BATCH} items per batch")));
    }
    let attempt = unlock(&state, &student, secret).await?;
    let (exam, now, deadline_at) = (student.exam.clone(), state.clock().now(), attempt.deadline_at);
    let outcome =
        student.member.db().write(move |conn| attempts::save(conn, &attempt, &exam, &batch.items, now)).await.map_err(
            |e| match e {
                crate::store::StoreError::Conflict(what) => AppError::Unprocessable(format!("the batch holds {what}")),
                other => other.into(),
            },
        )?;
    if outcome.refused > 0 {
        return Err(AppError::Conflict(format!(
            "the exam time is over: {} change(s) made after the deadline were not saved; everything up to change {} is saved",
            outcome.refused, outcome.acked_seq
        )));
    }
    Ok(Json(SaveAnswer { outcome, deadline_at, server_now: now }))
}

/// `POST /api/v1/me/exams/{id}/submit`: hands in the attempt; returns the receipt.
async fn submit(
    State(state): State<AppState>,
    client: ClientAddr,
    student: StudentExam,
    ExamSecret(secret): ExamSecret,
) -> Result<Json<Receipt>, AppError> {
    let attempt = unlock(&state, &student, secret).await?;
    let (exam, now) = (student.exam.clone(), state.clock().now());
    let event = audit_event::by(&student.member.principal, "attempt.submit", client).target(attempt.id.to_string());
    let receipt = student
        .member
        .db()
        .write(move |conn| {
            attempts::submit(conn, &attempt, true, now)?;
            let receipt = attempts::receipt(conn, &attempt, &exam)?;
            let hashes: Vec<_> = receipt.answers.iter().map(|a| a.sha256.clone()).collect();
            audit::append(conn, &event.details(serde_json::json!({ "sha256": hashes })), now)?;
            Ok(receipt)
        })
        .await?;
    Ok(Json(receipt))
}

/// `GET /api/v1/me/exams/{id}/receipt`: the receipt of a submitted attempt.
async fn receipt(State(state): State<AppState>, student: StudentExam) -> Result<Json<Receipt>, AppError> {
    let (exam, user, now) = (student.exam.clone(), student.member.principal.user.id, state.clock().now());
    let receipt = student
        .member
        .db()
        .write(move |conn| {
            let Some(attempt) = attempts::find(conn, exam.id, user)? else { return Ok(None) };
            if attempt.submitted_at.is_none() && now > attempt.deadline_at {
                attempts::submit(conn, &attempt, false, now)?;
            }
            Ok(Some(attempts::receipt(conn, &attempt, &exam)?))
        })
        .await?
        .filter(|r| r.submitted_at.is_some())
        .ok_or(AppError::NotFound)?;
    Ok(Json(receipt))
}

/// The student routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/me/exams", get(list))
        .route("/api/v1/me/exams/{id}", get(landing))
        .route("/api/v1/me/exams/{id}/start", post(start))
        .route("/api/v1/me/exams/{id}/resume", post(resume))
        .route("/api/v1/me/exams/{id}/saves", post(save))
        .route("/api/v1/me/exams/{id}/submit", post(submit))
        .route("/api/v1/me/exams/{id}/receipt", get(receipt))
}
