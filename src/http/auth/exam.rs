//! Exam scope: an exam of a course the caller teaches or reviews, named by
//! the path (`{course_id}` and `{exam_id}`), built on [`CourseStaff`]; and
//! one attempt at it (`{attempt_id}`), built on that.

use std::collections::HashMap;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;

use super::course::CourseStaff;
use crate::domain::{AttemptId, ExamId, Role};
use crate::error::AppError;
use crate::service::{AttemptStaff, ExamStaff};
use crate::state::AppState;

/// An instructor or reviewer of the course, and the course's exam in the
/// path. Another course's exam is a 404, as an unknown one is.
pub struct CourseExam(pub ExamStaff);

impl FromRequestParts<AppState> for CourseExam {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let staff = CourseStaff::from_request_parts(parts, state).await?;
        let Path(params) =
            Path::<HashMap<String, String>>::from_request_parts(parts, state).await.map_err(|_| AppError::NotFound)?;
        let id = params.get("exam_id").and_then(|id| ExamId::parse(id).ok()).ok_or(AppError::NotFound)?;
        let staff = staff.actor();
        let exam = crate::service::exams::find(&staff.db, staff.course, id, state.clock().now())
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(Self(ExamStaff { staff, exam }))
    }
}

/// [`CourseExam`] for an instructor of the course.
pub struct ExamInstructor(pub ExamStaff);

impl FromRequestParts<AppState> for ExamInstructor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let CourseExam(on) = CourseExam::from_request_parts(parts, state).await?;
        if on.staff.role == Role::Instructor { Ok(Self(on)) } else { Err(AppError::NotFound) }
    }
}

/// [`CourseExam`], and the exam's attempt in the path (`{attempt_id}`).
pub struct ExamAttempt(pub AttemptStaff);

impl FromRequestParts<AppState> for ExamAttempt {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let CourseExam(on) = CourseExam::from_request_parts(parts, state).await?;
        let Path(params) =
            Path::<HashMap<String, String>>::from_request_parts(parts, state).await.map_err(|_| AppError::NotFound)?;
        let id = params.get("attempt_id").and_then(|id| AttemptId::parse(id).ok()).ok_or(AppError::NotFound)?;
        let attempt = crate::service::review::find(&on, id).await?.ok_or(AppError::NotFound)?;
        Ok(Self(AttemptStaff { on, attempt }))
    }
}

/// [`ExamAttempt`] for an instructor of the course.
pub struct AttemptInstructor(pub AttemptStaff);

impl FromRequestParts<AppState> for AttemptInstructor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let ExamAttempt(of) = ExamAttempt::from_request_parts(parts, state).await?;
        if of.on.staff.role == Role::Instructor { Ok(Self(of)) } else { Err(AppError::NotFound) }
    }
}
