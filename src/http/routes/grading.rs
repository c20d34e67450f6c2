//! Grading an exam's submissions, for the course's instructors and
//! reviewers ([`crate::service::grading`]): the tests and every latest
//! submission with its scores, one submission's answers and results, the
//! results a grader's browser reports as it runs the tests, and graders'
//! marks; schemes, options and releases for instructors; and a student's
//! own results once released.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;

use crate::domain::marking::{Marker, hundredths};
use crate::domain::{QuestionId, Role, SubmissionId};
use crate::error::AppError;
use crate::http::auth::{CourseExam, ExamInstructor, StudentExam};
use crate::http::wire::grading::{GradingBody, OptionsBody, RecordedBody, SchemeBody, SubmissionWorkBody};
use crate::http::wire::results::StudentResultsBody;
use crate::service::grading::marking::GivenMark;
use crate::service::grading::{self as service, marking, results};
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::grading::{NewResult, Outcome};

/// `GET .../grading`: the exam's questions with every test (hidden ones
/// too) and what names their results, and every latest submission with its
/// scores so far.
async fn show(CourseExam(on): CourseExam) -> Result<Json<GradingBody>, AppError> {
    let may_release = on.staff.role == Role::Instructor;
    Ok(Json(GradingBody::new(service::overview(&on).await?, may_release)))
}

/// The submission the path names; an id that is not one is not found.
fn which(params: &HashMap<String, String>) -> Result<SubmissionId, AppError> {
    params.get("submission_id").and_then(|id| SubmissionId::parse(id).ok()).ok_or(AppError::NotFound)
}

/// `GET .../grading/submissions/{submission_id}`: the answers to run and
/// every result stored for them.
async fn submission(
    CourseExam(on): CourseExam,
    Path(params): Path<HashMap<String, String>>,
) -> Result<Json<SubmissionWorkBody>, AppError> {
    Ok(Json(service::work(&on, which(&params)?).await?.into()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Reported {
    question_id: QuestionId,
    test_sha256: String,
    outcome: Outcome,
    #[serde(default)]
    expected: String,
    #[serde(default)]
    actual: String,
    #[serde(default)]
    stdout: String,
    #[serde(default)]
    stderr: String,
    duration_ms: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Report {
    results: Vec<Reported>,
}

/// `POST .../grading/submissions/{submission_id}/results`: results as the
/// grader's browser ran them; those already stored for the same code and
/// test are left as they were.
async fn record(
    State(state): State<AppState>,
    CourseExam(on): CourseExam,
    Path(params): Path<HashMap<String, String>>,
    Json(report): Json<Report>,
) -> Result<Json<RecordedBody>, AppError> {
    let results = report
        .results
        .into_iter()
        .map(|r| NewResult {
            question: r.question_id,
            test_sha256: r.test_sha256,
            outcome: r.outcome,
            expected: r.expected,
            actual: r.actual,
            stdout: r.stdout,
            stderr: r.stderr,
            duration_ms: r.duration_ms,
        })
        .collect();
    let stored = service::record(&state, &on, which(&params)?, results).await?;
    Ok(Json(RecordedBody { stored }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MarkBody {
    question_id: QuestionId,
    #[serde(default = "first")]
    marker: Marker,
    #[serde(default)]
    rubric: Option<Vec<usize>>,
    #[serde(default)]
    points: Option<f64>,
    #[serde(default)]
    feedback: String,
}

fn first() -> Marker {
    Marker::First
}

/// `POST .../grading/submissions/{submission_id}/marks`: a grader's mark
/// of one answer (rubric items, points replacing the computed ones,
/// feedback); audited.
async fn give_mark(
    State(state): State<AppState>,
    CourseExam(on): CourseExam,
    Path(params): Path<HashMap<String, String>>,
    Json(given): Json<MarkBody>,
) -> Result<StatusCode, AppError> {
    let override_hundredths = given.points.map(|p| hundredths("points", p)).transpose()?;
    let mark = GivenMark {
        question: given.question_id,
        marker: given.marker,
        rubric: given.rubric,
        override_hundredths,
        feedback: given.feedback,
    };
    marking::mark(&state, &on, which(&params)?, mark).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `PUT .../grading/questions/{question_id}/scheme`: how the question's
/// points divide between its tests and a rubric (instructors; audited).
async fn set_scheme(
    State(state): State<AppState>,
    ExamInstructor(on): ExamInstructor,
    Path(params): Path<HashMap<String, String>>,
    Json(body): Json<SchemeBody>,
) -> Result<StatusCode, AppError> {
    let question = params.get("question_id").and_then(|id| QuestionId::parse(id).ok()).ok_or(AppError::NotFound)?;
    let scheme = body.into_scheme().map_err(|e| StoreError::invalid("rubric", e.0))?;
    marking::set_scheme(&state, &on, question, scheme).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `PUT .../grading/options`: anonymous marking, a second marker, hidden
/// tests' counts for students (instructors; audited).
async fn set_options(
    State(state): State<AppState>,
    ExamInstructor(on): ExamInstructor,
    Json(body): Json<OptionsBody>,
) -> Result<StatusCode, AppError> {
    marking::set_options(&state, &on, body.into()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST .../grading/release`: students see their results (instructors; audited).
async fn release(State(state): State<AppState>, ExamInstructor(on): ExamInstructor) -> Result<StatusCode, AppError> {
    marking::release(&state, &on, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST .../grading/withdraw`: students no longer see them (instructors; audited).
async fn withdraw(State(state): State<AppState>, ExamInstructor(on): ExamInstructor) -> Result<StatusCode, AppError> {
    marking::release(&state, &on, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/me/exams/{id}/results`: the student's own results, once released.
async fn my_results(StudentExam(taker): StudentExam) -> Result<Json<StudentResultsBody>, AppError> {
    Ok(Json(results::for_student(&taker).await?.into()))
}

/// The grading routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/courses/{course_id}/exams/{exam_id}/grading", get(show))
        .route("/api/v1/courses/{course_id}/exams/{exam_id}/grading/submissions/{submission_id}", get(submission))
        .route("/api/v1/courses/{course_id}/exams/{exam_id}/grading/submissions/{submission_id}/results", post(record))
        .route("/api/v1/courses/{course_id}/exams/{exam_id}/grading/submissions/{submission_id}/marks", post(give_mark))
        .route("/api/v1/courses/{course_id}/exams/{exam_id}/grading/questions/{question_id}/scheme", put(set_scheme))
        .route("/api/v1/courses/{course_id}/exams/{exam_id}/grading/options", put(set_options))
        .route("/api/v1/courses/{course_id}/exams/{exam_id}/grading/release", post(release))
        .route("/api/v1/courses/{course_id}/exams/{exam_id}/grading/withdraw", post(withdraw))
        .route("/api/v1/me/exams/{id}/results", get(my_results))
}
