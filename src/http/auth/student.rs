//! Student scope: an exam the caller may take, and the binding's secret.

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;

use super::client::ClientAddr;
use super::principal::OrgMember;
use crate::domain::{ExamId, Role, SectionId};
use crate::error::AppError;
use crate::service::{Actor, ExamTaker};
use crate::state::AppState;

/// A member of an organization as a student: the exams they may see are
/// the published exams of their sections, and for a candidate account only
/// the exam of its link ([`crate::service::attempts::may_take`]). Every
/// student route goes through this scope.
pub struct Student {
    /// The caller.
    pub member: OrgMember,
    /// Where the request came from.
    pub client: ClientAddr,
}

impl Student {
    /// The sections the caller takes exams with.
    #[must_use]
    pub fn sections(&self) -> Vec<SectionId> {
        let grants = &self.member.principal.grants;
        grants.iter().filter(|g| g.role == Role::Student).filter_map(|g| g.section_id).collect()
    }

    /// For a candidate account, the one exam it may take.
    #[must_use]
    pub fn candidate_of(&self) -> Option<ExamId> {
        self.member.principal.candidate_of
    }

    /// The caller as services know them.
    #[must_use]
    pub fn actor(&self) -> Actor {
        self.member.principal.actor(self.client)
    }
}

impl FromRequestParts<AppState> for Student {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let member = OrgMember::from_request_parts(parts, state).await?;
        let Ok(client) = ClientAddr::from_request_parts(parts, state).await;
        Ok(Self { member, client })
    }
}

/// An exam the caller may take ([`Student`]), named by the path.
pub struct StudentExam(pub ExamTaker);

impl FromRequestParts<AppState> for StudentExam {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let student = Student::from_request_parts(parts, state).await?;
        let Path(id) = Path::<String>::from_request_parts(parts, state).await.map_err(|_| AppError::NotFound)?;
        let id = ExamId::parse(&id).map_err(|_| AppError::NotFound)?;
        let db = student.member.db().clone();
        let exam = crate::service::attempts::exam_to_take(state, &db, id, student.sections(), student.candidate_of())
            .await?
            .ok_or(AppError::NotFound)?;
        let taker = ExamTaker {
            org: student.member.org_id,
            db,
            student: student.member.principal.user.id,
            actor: student.actor(),
            exam,
        };
        Ok(Self(taker))
    }
}

/// The binding's secret, from the `X-Exam-Secret` header.
pub struct ExamSecret(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ExamSecret {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .headers
            .get("x-exam-secret")
            .and_then(|v| v.to_str().ok())
            .filter(|v| crate::auth::token::looks_valid(v))
            .map(|v| Self(v.to_owned()))
            .ok_or_else(|| crate::service::ServiceError::OtherDevice.into())
    }
}
