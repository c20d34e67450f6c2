//! Who is asking, and what they may do: extractors a handler cannot skip.
//!
//! A handler's signature is its access policy. [`Principal`] proves a live
//! session (and, for anything but GET/HEAD, the CSRF token); [`PlatformAdmin`]
//! and [`OrgMember`] narrow it to a realm; [`OrgAdmin`] to a role. The only
//! way to reach an organization's database is through these, so a route
//! cannot forget to check. Anything the caller may not see is a 404, never a
//! 403, so identifiers cannot be probed.

mod client;
mod cookie;
mod course;
pub mod doors;
mod exam;
mod principal;
mod session_view;
mod student;

pub use client::ClientAddr;
pub use cookie::{Realm, SessionCookie, clear_cookie, session_cookie};
pub use course::{CourseInstructor, CourseStaff};
pub use exam::{
    AttemptActor, AttemptInstructor, CourseExam, ExamActor, ExamAttempt, ExamInstructor, ExamProctor, WatchedAttempt,
};
pub use principal::{OrgAdmin, OrgMember, PlatformAdmin, Principal};
pub use session_view::SessionView;
pub use student::{ExamSecret, Student, StudentExam};
