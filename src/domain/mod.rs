//! Validated values and pure rules: no HTTP, no SQL.
//!
//! Each type here can only be built through its `parse` (or `generate`)
//! constructor, so code that holds one never checks it again.

pub mod autosave;
pub mod changeset;
mod exam;
mod ids;
pub mod log_event;
pub mod marking;
mod org;
mod people;
pub mod receipt;
pub mod save_item;
pub mod timestamp;

pub use exam::{ExamSpec, IntegrityProfile, LatePolicy, QuestionSpec, TestKind, TestSpec, Visibility};
pub use ids::{AttemptId, CourseId, ExamId, GrantId, OrgId, QuestionId, SectionId, SessionId, SubmissionId, UserId};
pub use org::{OrgName, OrgSlug};
pub use people::{DisplayName, Email, Role, Scope};
pub use timestamp::Timestamp;

/// Why a value was refused. The message is safe to show to the person who
/// typed the value: it names the rule, never echoes a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidValue(pub String);
