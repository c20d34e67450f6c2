//! Browser sessions: an opaque random token in a cookie, stored hashed, with
//! an idle timeout and an absolute lifetime, ended at once on sign-out,
//! password change, disabling or role removal.
//!
//! The idle timeout follows the account's roles *now*, not at sign-in: a
//! student later granted a staff role gets the staff timeout on their next
//! request ([`IdleTimeouts`]).

use std::time::Duration;

use rusqlite::{Connection, params};
use time::OffsetDateTime;

use super::{StoreError, optional};
use crate::auth::token;
use crate::clock::rfc3339;
use crate::domain::{Role, SessionId, Timestamp, UserId};
use crate::store::courses::{self, Grant};

/// How long a session lives.
#[derive(Debug, Clone, Copy)]
pub struct Lifetime {
    /// Ends after this long without a request.
    pub idle: Duration,
    /// Ends this long after sign-in, whatever happens.
    pub absolute: Duration,
}

/// The idle timeouts by kind of account.
#[derive(Debug, Clone, Copy)]
pub struct IdleTimeouts {
    /// Anyone who holds a role other than student (and platform admins).
    pub staff: Duration,
    /// Accounts that hold only student roles (long enough for an exam).
    pub student: Duration,
}

impl IdleTimeouts {
    /// The timeout for an account holding `grants`.
    #[must_use]
    pub fn for_grants(&self, grants: &[Grant]) -> Duration {
        let student_only = !grants.is_empty() && grants.iter().all(|g| g.role == Role::Student);
        if student_only { self.student } else { self.staff }
    }

    /// The timeout for `user_id` by the roles held now.
    ///
    /// # Errors
    /// Storage errors.
    pub fn current(&self, conn: &Connection, user_id: UserId) -> Result<Duration, StoreError> {
        Ok(self.for_grants(&courses::grants_of_if_org(conn, user_id)?))
    }
}

/// A new session: the token goes into the cookie and is never seen again.
pub struct NewSession {
    /// The session's identifier (for listing and ending sessions).
    pub id: SessionId,
    /// The secret token.
    pub token: String,
    /// The CSRF token the client must echo on state-changing requests.
    pub csrf: String,
}

/// A live session, as found by its token.
#[derive(Debug, Clone)]
pub struct Session {
    /// Identifier.
    pub id: SessionId,
    /// Whose.
    pub user_id: UserId,
    /// The CSRF token.
    pub csrf: String,
    /// When it was last used (RFC 3339).
    pub last_seen_at: OffsetDateTime,
}

impl Session {
    /// Whether the session has been idle for `idle` (the timeout of the
    /// roles its account holds now, [`IdleTimeouts::for_grants`]) at `now`.
    #[must_use]
    pub fn idle_at(&self, now: OffsetDateTime, idle: Duration) -> bool {
        now >= self.last_seen_at + idle
    }
}

/// A session as listed to its owner.
#[derive(Debug, Clone)]
pub struct SessionSummary {
    /// Identifier.
    pub id: SessionId,
    /// When it began.
    pub created_at: Timestamp,
    /// When it was last used.
    pub last_seen_at: Timestamp,
    /// Where from.
    pub client_addr: Option<String>,
    /// Which browser.
    pub user_agent: Option<String>,
}

/// Starts a session for `user_id`.
///
/// # Errors
/// Storage errors.
pub fn create(
    conn: &Connection,
    user_id: UserId,
    lifetime: Lifetime,
    now: OffsetDateTime,
    client_addr: Option<&str>,
    user_agent: Option<&str>,
) -> Result<NewSession, StoreError> {
    let new = NewSession { id: SessionId::generate(), token: token::generate(), csrf: token::generate() };
    let user_agent = user_agent.map(|ua| ua.chars().take(200).collect::<String>());
    conn.execute(
        "INSERT INTO sessions (id, token_hash, user_id, csrf_token, created_at, last_seen_at, idle_timeout_secs, absolute_expires_at, client_addr, user_agent)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7, ?8, ?9)",
        params![
            new.id,
            token::digest(&new.token),
            user_id,
            new.csrf,
            rfc3339(now),
            i64::try_from(lifetime.idle.as_secs()).unwrap_or(i64::MAX),
            rfc3339(now + lifetime.absolute),
            client_addr,
            user_agent,
        ],
    )?;
    Ok(new)
}

/// The session holding `token`, or `None` when unknown or past its
/// absolute lifetime. Whether it has been idle too long depends on the roles
/// its account holds now, which the caller reads anyway: see
/// [`Session::idle_at`].
///
/// # Errors
/// Storage errors.
pub fn find(conn: &Connection, token: &str, now: OffsetDateTime) -> Result<Option<Session>, StoreError> {
    if !token::looks_valid(token) {
        return Ok(None);
    }
    let row = optional(conn.query_row(
        "SELECT id, user_id, csrf_token, last_seen_at, absolute_expires_at FROM sessions WHERE token_hash = ?1",
        [token::digest(token)],
        |row| {
            Ok((
                row.get::<_, SessionId>(0)?,
                row.get::<_, UserId>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, Timestamp>(3)?,
                row.get::<_, Timestamp>(4)?,
            ))
        },
    ))?;
    let Some((id, user_id, csrf, last_seen, absolute)) = row else { return Ok(None) };
    let last_seen_at = last_seen.time();
    if now >= absolute.time() {
        return Ok(None);
    }
    Ok(Some(Session { id, user_id, csrf, last_seen_at }))
}

/// Whether session `id` still exists and is within its absolute lifetime:
/// ending a session (signing out, a revoked role, a deactivated
/// organization) removes it.
///
/// # Errors
/// Storage errors.
pub fn still_open(conn: &Connection, id: SessionId, now: OffsetDateTime) -> Result<bool, StoreError> {
    let absolute: Option<Timestamp> =
        optional(conn.query_row("SELECT absolute_expires_at FROM sessions WHERE id = ?1", [id], |row| row.get(0)))?;
    Ok(absolute.is_some_and(|at| now < at.time()))
}

/// Records that the session was used now (keeps the idle timer running).
///
/// # Errors
/// Storage errors.
pub fn touch(conn: &Connection, id: SessionId, now: OffsetDateTime) -> Result<(), StoreError> {
    conn.execute("UPDATE sessions SET last_seen_at = ?2 WHERE id = ?1", params![id, rfc3339(now)])?;
    Ok(())
}

/// Ends one session of `user_id`; false when it is not theirs or unknown.
///
/// # Errors
/// Storage errors.
pub fn end(conn: &Connection, user_id: UserId, id: SessionId) -> Result<bool, StoreError> {
    Ok(conn.execute("DELETE FROM sessions WHERE id = ?1 AND user_id = ?2", params![id, user_id])? > 0)
}

/// Ends every session of `user_id` but `keep`; the number ended.
///
/// # Errors
/// Storage errors.
pub fn end_all(conn: &Connection, user_id: UserId, keep: Option<SessionId>) -> Result<usize, StoreError> {
    let keep = keep.map(|id| id.to_string()).unwrap_or_default();
    Ok(conn.execute("DELETE FROM sessions WHERE user_id = ?1 AND id != ?2", params![user_id, keep])?)
}

/// The sessions of `user_id`, newest first, expired ones left out.
///
/// # Errors
/// Storage errors.
pub fn list(
    conn: &Connection,
    user_id: UserId,
    now: OffsetDateTime,
    idle: Duration,
) -> Result<Vec<SessionSummary>, StoreError> {
    let idle = time::Duration::try_from(idle).unwrap_or(time::Duration::MAX);
    let mut statement = conn.prepare_cached(
        "SELECT id, created_at, last_seen_at, client_addr, user_agent, absolute_expires_at
         FROM sessions WHERE user_id = ?1 ORDER BY created_at DESC",
    )?;
    let rows = statement.query_map([user_id], |row| {
        let summary = SessionSummary {
            id: row.get(0)?,
            created_at: row.get(1)?,
            last_seen_at: row.get(2)?,
            client_addr: row.get(3)?,
            user_agent: row.get(4)?,
        };
        Ok((summary, row.get::<_, Timestamp>(5)?))
    })?;
    let mut live = Vec::new();
    for row in rows {
        let (summary, absolute) = row?;
        let idle_ends = summary.last_seen_at.time() + idle;
        if idle_ends > now && absolute.time() > now {
            live.push(summary);
        }
    }
    Ok(live)
}
