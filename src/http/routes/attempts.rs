//! Students taking an exam: the list, the landing page, start (or taking
//! the attempt over on another computer, once staff allowed it), resume,
//! submit and the receipt. Saves are in [`super::saves`]. Every call after
//! start carries the binding's secret (`X-Exam-Secret`), so a session
//! cookie alone cannot write to an attempt, and a second browser is refused
//! and recorded.

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
use crate::domain::{ExamId, QuestionId, Role, SectionId, TestSpec, Visibility};
use crate::error::AppError;
use crate::http::auth::{ClientAddr, OrgMember};
use crate::store::StoreError;
use crate::store::attempts::submissions::{self, StoredReceipt};
use crate::store::attempts::{self, Attempt, Binding};
use crate::store::exams::{Exam, Phase};

/// A member of an organization as a student: the exams they may see are
/// the published exams of their sections, and for a candidate account only
/// the exam of its link. Every student route goes through this scope.
pub(super) struct Student {
    pub(super) member: OrgMember,
}

impl Student {
    /// The sections the caller takes exams with.
    fn sections(&self) -> Vec<SectionId> {
        let grants = &self.member.principal.grants;
        grants.iter().filter(|g| g.role == Role::Student).filter_map(|g| g.section_id).collect()
    }

    /// Whether the caller may see and take `exam`.
    fn may_take(&self, exam: &Exam, sections: &[SectionId]) -> bool {
        exam.phase != Phase::Draft
            && exam.spec.section_ids.iter().any(|s| sections.contains(s))
            && self.member.principal.candidate_of.is_none_or(|only| only == exam.id)
    }
}

impl FromRequestParts<AppState> for Student {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Self { member: OrgMember::from_request_parts(parts, state).await? })
    }
}

/// An exam the caller may take ([`Student`]), named by the path.
pub(super) struct StudentExam {
    pub(super) member: OrgMember,
    pub(super) exam: Exam,
}

impl FromRequestParts<AppState> for StudentExam {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let student = Student::from_request_parts(parts, state).await?;
        let Path(id) = Path::<String>::from_request_parts(parts, state).await.map_err(|_| AppError::NotFound)?;
        let id = ExamId::parse(&id).map_err(|_| AppError::NotFound)?;
        let now = state.clock().now();
        let sections = student.sections();
        let exam = student
            .member
            .db()
            .read(move |conn| attempts::exam_of(conn, id, now))
            .await?
            .filter(|exam| student.may_take(exam, &sections))
            .ok_or(AppError::NotFound)?;
        Ok(Self { member: student.member, exam })
    }
}

/// The binding's secret, from the `X-Exam-Secret` header.
pub(super) struct ExamSecret(pub(super) String);

impl<S: Send + Sync> FromRequestParts<S> for ExamSecret {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .headers
            .get("x-exam-secret")
            .and_then(|v| v.to_str().ok())
            .filter(|v| crate::auth::token::looks_valid(v))
            .map(|v| Self(v.to_owned()))
            .ok_or_else(|| AppError::OtherDevice(OTHER_DEVICE.to_owned()))
    }
}

const OTHER_DEVICE: &str = "this exam is open on another computer or browser; ask a proctor if that was not you";

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

/// `GET /api/v1/me/exams`: the exams the caller may take ([`Student`]).
async fn list(State(state): State<AppState>, student: Student) -> Result<Json<Vec<ExamSummary>>, AppError> {
    let user = student.member.principal.user.id;
    let sections = student.sections();
    let now = state.clock().now();
    let db = student.member.db().clone();
    let list = db
        .read(move |conn| {
            let mut out = Vec::new();
            let published = crate::store::exams::published_for_sections(conn, &sections, now)?;
            for exam in published.into_iter().filter(|exam| student.may_take(exam, &sections)) {
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
    /// Only when this call bound the browser (start, or taking the attempt over).
    #[serde(skip_serializing_if = "Option::is_none")]
    binding: Option<Binding>,
    #[serde(with = "time::serde::rfc3339")]
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
    #[serde(with = "time::serde::rfc3339")]
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
    student: &StudentExam,
    attempt: Attempt,
    binding: Option<Binding>,
) -> Result<AttemptView, AppError> {
    let exam = student.exam.clone();
    let (id, attempt_deadline) = (attempt.id, attempt.deadline_at);
    let (answers, log) = student
        .member
        .db()
        .read(move |conn| Ok((attempts::answers(conn, id, &exam)?, attempts::log_state(conn, id)?)))
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
            starter_code: crate::domain::changeset::normalise_line_breaks(&q.starter_code),
            points: q.points,
            tests: q.tests.iter().filter(|t| t.visibility == Visibility::Visible).cloned().collect(),
        })
        .collect();
    Ok(AttemptView {
        attempt,
        binding,
        server_now: state.clock().now(),
        title: exam.spec.title.clone(),
        instructions: exam.spec.instructions.clone(),
        require_fullscreen: exam.spec.require_fullscreen,
        questions,
        answers: answers.into_iter().map(|(question_id, code)| AnswerView { question_id, code }).collect(),
        acked_seq: log.acked_seq,
        chain: hex::encode(log.chain),
        local_keep_until: attempt_deadline
            + time::Duration::minutes(i64::from(state.config().exams.late_window_minutes))
            + time::Duration::days(7),
    })
}

/// `POST /api/v1/me/exams/{id}/start`: starts the attempt and binds this
/// browser to it; or, when staff allowed the attempt to move, binds this
/// browser instead of the old one.
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
    let refused = event.clone();
    let bound = student
        .member
        .db()
        .write(move |conn| {
            let Some(existing) = attempts::find(conn, exam.id, user)? else {
                let started = attempts::start(conn, &exam, user, now)?;
                audit::append(conn, &event, now)?;
                return Ok(Ok(started));
            };
            let existing = attempts::log::freeze_if_overdue(conn, &existing, &exam, now)?;
            if existing.submitted_at.is_some() {
                return Ok(Err("this attempt is already submitted"));
            }
            match attempts::rebind(conn, &existing) {
                Ok(binding) => {
                    let moved = event.details(serde_json::json!({ "moved": true, "next_seq": binding.next_seq }));
                    audit::append(conn, &moved.target(existing.id.to_string()), now)?;
                    Ok(Ok((attempts::find(conn, exam.id, user)?.unwrap_or(existing), binding)))
                }
                Err(StoreError::Conflict(_)) => Ok(Err(OTHER_DEVICE)),
                Err(other) => Err(other),
            }
        })
        .await?;
    let (attempt, binding) = match bound {
        Ok(bound) => bound,
        Err(OTHER_DEVICE) => {
            // A second computer trying again and again is told once per window, with a count.
            let denied =
                refused.outcome(Outcome::Denied).details(serde_json::json!({ "reason": "second computer or browser" }));
            state.refusals().record(student.member.db(), denied, now);
            return Err(AppError::Conflict(OTHER_DEVICE.to_owned()));
        }
        Err(why) => return Err(AppError::Conflict(why.to_owned())),
    };
    Ok((StatusCode::CREATED, Json(view(&state, &student, attempt, Some(binding)).await?)))
}

/// The caller's attempt, if `secret` opens it; freezes its submission when
/// its deadline passed.
pub(super) async fn unlock(
    state: &AppState,
    client: ClientAddr,
    student: &StudentExam,
    secret: String,
) -> Result<Attempt, AppError> {
    let (exam, user, now) = (student.exam.clone(), student.member.principal.user.id, state.clock().now());
    let attempt = student
        .member
        .db()
        .write(move |conn| {
            let Some(found) = attempts::find(conn, exam.id, user)? else { return Ok(None) };
            let Some(attempt) = attempts::unlock(conn, found.id, user, &secret)? else {
                return Ok(Some(Err(found.id)));
            };
            Ok(Some(Ok(attempts::log::freeze_if_overdue(conn, &attempt, &exam, now)?)))
        })
        .await?;
    match attempt {
        Some(Ok(attempt)) => Ok(attempt),
        Some(Err(id)) => {
            // Told once per window with a count: a browser left running on
            // the old computer retries every few seconds.
            let event = audit_event::by(&student.member.principal, "attempt.secret_refused", client)
                .target(id.to_string())
                .outcome(Outcome::Denied);
            state.refusals().record(student.member.db(), event, state.clock().now());
            Err(AppError::OtherDevice(OTHER_DEVICE.to_owned()))
        }
        None => Err(AppError::NotFound),
    }
}

/// `POST /api/v1/me/exams/{id}/resume`: everything saved so far, after a reload.
async fn resume(
    State(state): State<AppState>,
    client: ClientAddr,
    student: StudentExam,
    ExamSecret(secret): ExamSecret,
) -> Result<Json<AttemptView>, AppError> {
    let attempt = unlock(&state, client, &student, secret).await?;
    Ok(Json(view(&state, &student, attempt, None).await?))
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
    client: ClientAddr,
    student: StudentExam,
    ExamSecret(secret): ExamSecret,
    Json(request): Json<SubmitRequest>,
) -> Result<Json<ReceiptBody>, AppError> {
    let attempt = unlock(&state, client, &student, secret).await?;
    let (exam, now) = (student.exam.clone(), state.clock().now());
    let event = audit_event::by(&student.member.principal, "attempt.submit", client).target(attempt.id.to_string());
    let stored = student
        .member
        .db()
        .write(move |conn| {
            if attempt.submitted_at.is_none() && attempts::log_state(conn, attempt.id)?.acked_seq < request.seq {
                return Ok(None);
            }
            let how = submissions::Freeze::first(crate::domain::receipt::SubmissionReason::Student, now);
            let already = attempt.submitted_at.is_some();
            let stored = submissions::freeze(conn, &attempt, &exam, how)?;
            if !already {
                let hashes: Vec<_> = stored.receipt.answers.iter().map(|a| a.sha256.clone()).collect();
                let details = serde_json::json!({ "sha256": hashes, "receipt_sha256": stored.sha256 });
                audit::append(conn, &event.details(details), now)?;
            }
            Ok(Some(stored))
        })
        .await?
        .ok_or_else(|| {
            AppError::Conflict(
                "some changes are not saved yet; wait until the page says everything is saved".to_owned(),
            )
        })?;
    Ok(Json(receipt_body(&stored)?))
}

/// A receipt as the API sends it: the document's exact stored text (so its
/// SHA-256 can be checked against the bytes received), and that SHA-256.
#[derive(Serialize)]
pub(super) struct ReceiptBody {
    receipt: Box<serde_json::value::RawValue>,
    sha256: String,
}

pub(super) fn receipt_body(stored: &StoredReceipt) -> Result<ReceiptBody, AppError> {
    let receipt =
        serde_json::value::RawValue::from_string(stored.text.clone()).map_err(|e| AppError::Internal(Box::new(e)))?;
    Ok(ReceiptBody { receipt, sha256: stored.sha256.clone() })
}

/// `GET /api/v1/me/exams/{id}/receipt`: the receipt of a submitted attempt.
async fn receipt(State(state): State<AppState>, student: StudentExam) -> Result<Json<ReceiptBody>, AppError> {
    let (exam, user, now) = (student.exam.clone(), student.member.principal.user.id, state.clock().now());
    let stored = student
        .member
        .db()
        .write(move |conn| {
            let Some(attempt) = attempts::find(conn, exam.id, user)? else { return Ok(None) };
            attempts::log::freeze_if_overdue(conn, &attempt, &exam, now)?;
            submissions::latest(conn, attempt.id)
        })
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(receipt_body(&stored)?))
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
}
