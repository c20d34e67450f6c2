//! People of an organization and their sessions.

use serde::Serialize;

use super::courses::{self, Grant};
use crate::domain::{SessionId, Timestamp, UserId};
use crate::store::accounts::sessions::SessionSummary;
use crate::store::accounts::users::{self, UserStatus};
use crate::store::courses::Grant as StoredGrant;

/// A person as an org admin sees them.
#[derive(Serialize)]
pub struct User {
    id: UserId,
    email: String,
    display_name: String,
    student_number: Option<String>,
    status: UserStatus,
    /// Whether a password is set (false until an invitation is redeemed).
    has_password: bool,
    created_at: Timestamp,
    last_sign_in_at: Option<Timestamp>,
}

impl From<users::User> for User {
    fn from(user: users::User) -> Self {
        Self {
            id: user.id,
            email: user.email,
            display_name: user.display_name,
            student_number: user.student_number,
            status: user.status,
            has_password: user.has_password,
            created_at: user.created_at,
            last_sign_in_at: user.last_sign_in_at,
        }
    }
}

/// A person with the roles they hold.
#[derive(Serialize)]
pub struct UserWithRoles {
    #[serde(flatten)]
    user: User,
    roles: Vec<Grant>,
    /// When an org admin asked to erase them, while the request waits.
    erasure_requested_at: Option<Timestamp>,
}

impl From<(users::User, Vec<StoredGrant>)> for UserWithRoles {
    fn from((user, roles): (users::User, Vec<StoredGrant>)) -> Self {
        Self { user: user.into(), roles: courses::grants(&roles), erasure_requested_at: None }
    }
}

impl UserWithRoles {
    /// The person's id.
    #[must_use]
    pub fn id(&self) -> UserId {
        self.user.id
    }

    /// With the time their erasure was asked for, while it waits.
    #[must_use]
    pub fn erasure_requested(mut self, at: Option<Timestamp>) -> Self {
        self.erasure_requested_at = at;
        self
    }
}

/// One of the caller's live sessions.
#[derive(Serialize)]
pub struct Session {
    id: SessionId,
    created_at: Timestamp,
    last_seen_at: Timestamp,
    client_addr: Option<String>,
    user_agent: Option<String>,
    /// The session this request came with.
    current: bool,
}

impl Session {
    /// `summary`, marked when it is the caller's `current` session.
    #[must_use]
    pub fn of(summary: SessionSummary, current: SessionId) -> Self {
        Self {
            current: summary.id == current,
            id: summary.id,
            created_at: summary.created_at,
            last_seen_at: summary.last_seen_at,
            client_addr: summary.client_addr,
            user_agent: summary.user_agent,
        }
    }
}
