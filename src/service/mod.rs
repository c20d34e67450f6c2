//! Services: each user-visible action as one function.
//!
//! A service takes an actor whose scope the caller has already proven (an
//! HTTP extractor, or the command line's own checks), does its write in one
//! transaction together with its audit entry, and only after the commit
//! publishes a [`crate::notices::Notice`]. `http/` and `cli/` call
//! services; the SQL lives in `store/`, the rules in `domain/`.
//! docs/architecture.md says which layer may import which.

pub mod actor;
pub mod announcements;
pub mod attempts;
pub mod audit_heads;
pub mod backup_destination;
pub mod backups;
pub mod candidates;
pub mod case_file;
pub mod courses;
pub mod credentials;
pub mod demo;
pub mod doctor;
pub mod erasure;
mod error;
pub mod exam_day;
pub mod exams;
pub mod exports;
pub mod grading;
pub mod invitations;
pub mod monitor;
pub mod observed;
pub mod org_file;
pub mod organizations;
pub mod people;
pub mod policy;
pub mod records;
pub mod restore;
pub mod retention;
pub mod review;
pub mod roster;
pub mod sessions;
pub mod similarity;
pub mod status;
pub mod subject_access;
pub mod summaries;
pub mod text;

pub use actor::{Actor, AttemptStaff, CourseActor, ExamStaff, ExamTaker, ExamWatch, OrgActor, Watched};
pub use error::ServiceError;
