//! Sessions: starting one after a proven sign-in, proving one on every
//! request, listing and ending them.

use std::time::Duration;

use time::OffsetDateTime;

use crate::domain::{SessionId, UserId};
use crate::state::AppState;
use crate::store::accounts::sessions::{self, Lifetime, NewSession, Session, SessionSummary};
use crate::store::accounts::users::{self, User};
use crate::store::audit::{self, AuditEvent};
use crate::store::candidates::{self, Standing};
use crate::store::courses::{self, Grant};
use crate::store::{Database, StoreError};

/// Where a new session comes from.
pub struct Origin {
    /// The client's address, as text.
    pub client_addr: Option<String>,
    /// The browser's `User-Agent`.
    pub user_agent: Option<String>,
}

/// Starts a session for `user` in `db`, recording `event` (targeted at the
/// session) in the same transaction. The idle timeout recorded is the one
/// of the roles held now; it is judged again at every request (see
/// [`sessions::IdleTimeouts`]). Returns the session and the roles held.
///
/// # Errors
/// Storage errors.
pub async fn start(
    state: &AppState,
    db: &Database,
    user: UserId,
    origin: Origin,
    event: AuditEvent,
) -> Result<(NewSession, Vec<Grant>), StoreError> {
    let now = state.clock().now();
    let auth = &state.config().auth;
    let (idle, absolute) = (auth.idle_timeouts(), auth.absolute_hours);
    db.write(move |conn| {
        let lifetime = Lifetime { idle: idle.current(conn, user)?, absolute: Duration::from_secs(absolute * 3600) };
        let (addr, agent) = (origin.client_addr.as_deref(), origin.user_agent.as_deref());
        let new = sessions::create(conn, user, lifetime, now, addr, agent)?;
        users::signed_in(conn, user, now)?;
        audit::append(conn, &event.target(new.id.to_string()), now)?;
        Ok((new, courses::grants_of_if_org(conn, user)?))
    })
    .await
}

/// A live session as a request proves it: the session, its account, the
/// roles the account holds now, and whether it is a candidate's.
pub struct Proven {
    /// The session.
    pub session: Session,
    /// Its account.
    pub user: User,
    /// Roles held now (none in the platform realm).
    pub grants: Vec<Grant>,
    /// Whether the account is a candidate's, and for which exam.
    pub standing: Standing,
}

/// The session holding `token` in `db` (an organization's when `in_org`).
///
/// # Errors
/// Storage errors.
pub async fn prove(
    state: &AppState,
    db: &Database,
    in_org: bool,
    token: String,
    now: OffsetDateTime,
) -> Result<Option<Proven>, StoreError> {
    let late_window = state.config().exams.save_rules().late_window;
    db.read(move |conn| {
        let Some(session) = sessions::find(conn, &token, now)? else { return Ok(None) };
        let Some(user) = users::by_id(conn, session.user_id)? else { return Ok(None) };
        let (grants, standing) = if in_org {
            (courses::grants_of(conn, user.id)?, candidates::standing(conn, user.id, now, late_window)?)
        } else {
            (Vec::new(), Standing::NotCandidate)
        };
        Ok(Some(Proven { session, user, grants, standing }))
    })
    .await
}

/// Records that session `id` was seen at `now`.
///
/// # Errors
/// Storage errors.
pub async fn touch(db: &Database, id: SessionId, now: OffsetDateTime) -> Result<(), StoreError> {
    db.write(move |conn| sessions::touch(conn, id, now)).await
}

/// Whether session `id` is still open (a long-lived stream asks, so that a
/// session ended elsewhere stops it). An open one is marked as in use: a
/// page that streams is a page in use.
///
/// # Errors
/// Storage errors.
pub async fn still_open(db: &Database, id: SessionId, now: OffsetDateTime) -> Result<bool, StoreError> {
    db.write(move |conn| {
        let open = sessions::still_open(conn, id, now)?;
        if open {
            sessions::touch(conn, id, now)?;
        }
        Ok(open)
    })
    .await
}

/// The live sessions of `user`, whose idle timeout is `idle`.
///
/// # Errors
/// Storage errors.
pub async fn list(
    state: &AppState,
    db: &Database,
    user: UserId,
    idle: Duration,
) -> Result<Vec<SessionSummary>, StoreError> {
    let now = state.clock().now();
    db.read(move |conn| sessions::list(conn, user, now, idle)).await
}

/// Ends session `id` of `user`, recording `event` if it was live. Returns
/// whether it was.
///
/// # Errors
/// Storage errors.
pub async fn end(
    state: &AppState,
    db: &Database,
    user: UserId,
    id: SessionId,
    event: AuditEvent,
) -> Result<bool, StoreError> {
    let now = state.clock().now();
    db.write(move |conn| {
        let ended = sessions::end(conn, user, id)?;
        if ended {
            audit::append(conn, &event, now)?;
        }
        Ok(ended)
    })
    .await
}
