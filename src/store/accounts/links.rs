//! Single-use links: the first set-up of the platform, invitations (set a
//! first password) and password resets. Time-bounded, stored hashed, and
//! used at most once even when redeemed twice at the same moment (the
//! update that marks one used is the check).

use rusqlite::{Connection, params};
use time::OffsetDateTime;

use super::{StoreError, optional};
use crate::auth::token;
use crate::clock::rfc3339;
use crate::domain::{Timestamp, UserId};

/// What a link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// Creates the first platform admin.
    Setup,
    /// Lets an invited person set their first password.
    Invitation,
    /// Lets a person set a new password.
    PasswordReset,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::Setup => "setup",
            Self::Invitation => "invitation",
            Self::PasswordReset => "password_reset",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "setup" => Self::Setup,
            "invitation" => Self::Invitation,
            _ => Self::PasswordReset,
        }
    }
}

/// A valid, unused link.
#[derive(Debug, Clone)]
pub struct Link {
    /// What it is for.
    pub purpose: Purpose,
    /// Whose (none for set-up).
    pub user_id: Option<UserId>,
    /// When it stops working.
    pub expires_at: Timestamp,
}

/// Issues a link; returns its token (shown once). Earlier unused links of the
/// same purpose and person stop working.
///
/// # Errors
/// Storage errors.
pub fn issue(
    conn: &Connection,
    purpose: Purpose,
    user_id: Option<UserId>,
    valid_for: std::time::Duration,
    now: OffsetDateTime,
) -> Result<String, StoreError> {
    conn.execute(
        "UPDATE one_time_links SET used_at = ?3 WHERE purpose = ?1 AND user_id IS ?2 AND used_at IS NULL",
        params![purpose.as_str(), user_id, rfc3339(now)],
    )?;
    let token = token::generate();
    conn.execute(
        "INSERT INTO one_time_links (token_hash, purpose, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![token::digest(&token), purpose.as_str(), user_id, rfc3339(now), rfc3339(now + valid_for)],
    )?;
    Ok(token)
}

/// The link holding `token` if it is unused and unexpired.
///
/// # Errors
/// Storage errors.
pub fn peek(conn: &Connection, token: &str, now: OffsetDateTime) -> Result<Option<Link>, StoreError> {
    if !token::looks_valid(token) {
        return Ok(None);
    }
    let row = optional(conn.query_row(
        "SELECT purpose, user_id, expires_at FROM one_time_links WHERE token_hash = ?1 AND used_at IS NULL AND expires_at > ?2",
        params![token::digest(token), rfc3339(now)],
        |row| Ok(Link { purpose: Purpose::parse(&row.get::<_, String>(0)?), user_id: row.get(1)?, expires_at: row.get(2)? }),
    ))?;
    Ok(row)
}

/// Marks the link used and returns it, or `None` if it was not valid. Runs
/// in the writer, so of two simultaneous redemptions exactly one wins.
///
/// # Errors
/// Storage errors.
pub fn redeem(conn: &Connection, token: &str, now: OffsetDateTime) -> Result<Option<Link>, StoreError> {
    let Some(link) = peek(conn, token, now)? else { return Ok(None) };
    let updated = conn.execute(
        "UPDATE one_time_links SET used_at = ?2 WHERE token_hash = ?1 AND used_at IS NULL",
        params![token::digest(token), rfc3339(now)],
    )?;
    Ok((updated == 1).then_some(link))
}

/// Voids every unused link of `user_id` (invitations and resets): after a
/// password change, a reset or disabling, an old link must not set the
/// password again. Returns how many were voided.
///
/// # Errors
/// Storage errors.
pub fn void_for(conn: &Connection, user_id: UserId, now: OffsetDateTime) -> Result<usize, StoreError> {
    Ok(conn.execute(
        "UPDATE one_time_links SET used_at = ?2 WHERE user_id = ?1 AND used_at IS NULL",
        params![user_id, rfc3339(now)],
    )?)
}
