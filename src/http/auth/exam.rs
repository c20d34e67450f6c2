//! Exam scope: an exam of a course the caller teaches or reviews, named by
//! the path (`{course_id}` and `{exam_id}`), built on [`CourseStaff`]; one
//! attempt at it (`{attempt_id}`), built on that; and the exam as a proctor
//! of some of its sections watches it, built on either.

use std::collections::HashMap;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;

use super::client::ClientAddr;
use super::course::{CourseStaff, course_in_path, course_role};
use super::principal::OrgMember;
use crate::domain::{AttemptId, ExamId, Role, SectionId, SessionId};
use crate::error::AppError;
use crate::service::{AttemptStaff, CourseActor, ExamStaff, ExamWatch, Watched};
use crate::state::AppState;
use crate::store::exams::Phase;

/// An instructor or reviewer of the course, and the course's exam in the
/// path. Another course's exam is a 404, as an unknown one is.
pub struct CourseExam(pub ExamStaff);

/// The exam in the path (`{exam_id}`) of `staff`'s course; 404 for another
/// course's exam, as for an unknown one.
async fn exam_in_path(parts: &mut Parts, state: &AppState, staff: CourseActor) -> Result<ExamStaff, AppError> {
    let Path(params) =
        Path::<HashMap<String, String>>::from_request_parts(parts, state).await.map_err(|_| AppError::NotFound)?;
    let id = params.get("exam_id").and_then(|id| ExamId::parse(id).ok()).ok_or(AppError::NotFound)?;
    let exam = crate::service::exams::find(&staff.db, staff.course, id, state.clock().now())
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(ExamStaff { staff, exam })
}

impl FromRequestParts<AppState> for CourseExam {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let staff = CourseStaff::from_request_parts(parts, state).await?;
        Ok(Self(exam_in_path(parts, state, staff.actor()).await?))
    }
}

/// Someone who may watch the exam in the path: an instructor or reviewer of
/// its course (every section), or a proctor of one of the sections it is
/// for, once it is published (their sections only). Anyone else, and a
/// proctor of none of its sections, gets a 404. The caller's session comes
/// with it, for a stream that must stop when the session ends.
pub struct ExamProctor(pub ExamWatch, pub SessionId);

impl FromRequestParts<AppState> for ExamProctor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let member = OrgMember::from_request_parts(parts, state).await?;
        let session = member.principal.session_id;
        let course = course_in_path(parts, state).await?;
        let Ok(client) = ClientAddr::from_request_parts(parts, state).await;
        if let Some(role) = course_role(&member, course) {
            let on = exam_in_path(parts, state, CourseStaff { member, course, role, client }.actor()).await?;
            return Ok(Self(ExamWatch { on, sections: Watched::Every }, session));
        }
        let proctored: Vec<SectionId> = member
            .principal
            .grants
            .iter()
            .filter(|g| g.role == Role::Proctor && g.course_id == Some(course))
            .filter_map(|g| g.section_id)
            .collect();
        if proctored.is_empty() {
            return Err(AppError::NotFound);
        }
        let proctor = CourseActor {
            org: member.org_id,
            db: member.db().clone(),
            user: member.principal.user.id,
            actor: member.principal.actor(client),
            course,
            role: Role::Proctor,
        };
        let on = exam_in_path(parts, state, proctor).await?;
        let sections: Vec<SectionId> =
            on.exam.spec.section_ids.iter().copied().filter(|s| proctored.contains(s)).collect();
        // A draft is the course staff's alone; a proctor of none of its sections has nothing to watch.
        if on.exam.phase == Phase::Draft || sections.is_empty() {
            return Err(AppError::NotFound);
        }
        Ok(Self(ExamWatch { on, sections: Watched::Sections(sections) }, session))
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

/// The exam's attempt in the path (`{attempt_id}`) as someone who watches
/// the exam sees it ([`ExamProctor`]): course staff, or a proctor of the
/// student's section. An attempt of another section is a 404 to a proctor,
/// as an unknown one is. The actor's role says which of the two; each
/// route decides what that role may do.
pub struct WatchedAttempt(pub AttemptStaff);

impl FromRequestParts<AppState> for WatchedAttempt {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let ExamProctor(watch, _) = ExamProctor::from_request_parts(parts, state).await?;
        let Path(params) =
            Path::<HashMap<String, String>>::from_request_parts(parts, state).await.map_err(|_| AppError::NotFound)?;
        let id = params.get("attempt_id").and_then(|id| AttemptId::parse(id).ok()).ok_or(AppError::NotFound)?;
        let attempt = crate::service::monitor::attempt_of(state, &watch, id).await?.ok_or(AppError::NotFound)?;
        Ok(Self(AttemptStaff { on: watch.on, attempt }))
    }
}

/// [`ExamProctor`] for those who act on the exam day: the course's
/// instructors, and proctors of its sections. Reviewers read and never act:
/// 404, as for anyone outside the exam.
pub struct ExamActor(pub ExamWatch);

impl FromRequestParts<AppState> for ExamActor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let ExamProctor(watch, _) = ExamProctor::from_request_parts(parts, state).await?;
        if watch.on.staff.role == Role::Reviewer { Err(AppError::NotFound) } else { Ok(Self(watch)) }
    }
}

/// [`WatchedAttempt`] for those who act on the exam day ([`ExamActor`]).
pub struct AttemptActor(pub AttemptStaff);

impl FromRequestParts<AppState> for AttemptActor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let WatchedAttempt(of) = WatchedAttempt::from_request_parts(parts, state).await?;
        if of.on.staff.role == Role::Reviewer { Err(AppError::NotFound) } else { Ok(Self(of)) }
    }
}
