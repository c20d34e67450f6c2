//! Candidate links: single-purpose sign-in links for one exam, each with its
//! own candidate account. A link can be issued again for the same candidate
//! ([`reissue`]); what a candidate account may do is [`standing`]'s.

mod reissue;
mod standing;

pub use reissue::{Reissued, reissue};
pub use standing::{Standing, standing};

use rusqlite::{Connection, OptionalExtension, params};
use time::OffsetDateTime;

use super::StoreError;
use super::accounts::users::{self, NewUser};
use super::courses::{self, GrantTarget};
use crate::auth::token;
use crate::clock::rfc3339;
use crate::domain::{DisplayName, Email, ExamId, Role, SectionId, Timestamp, UserId};

/// One person to create a link for.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Candidate {
    /// The name printed on the link and shown to staff.
    pub label: String,
    /// The university's number, if the person has one.
    pub student_number: Option<String>,
}

/// A link as listed to staff (never its token).
#[derive(Debug, Clone)]
pub struct CandidateLink {
    /// Identifier.
    pub id: String,
    /// The candidate's name.
    pub label: String,
    /// Their number, if any.
    pub student_number: Option<String>,
    /// The section they sit with.
    pub section_id: SectionId,
    /// From when it works.
    pub valid_from: Timestamp,
    /// Until when it works.
    pub valid_until: Timestamp,
    /// `active`, `redeemed`, `revoked`, `replaced` (by a link issued
    /// again for the same candidate) or `expired`.
    pub status: &'static str,
    /// When it was used, once it was.
    pub redeemed_at: Option<Timestamp>,
    /// When it was issued.
    pub created_at: Timestamp,
}

/// A link just created: the only time its token is known.
#[derive(Debug, Clone)]
pub struct IssuedLink {
    /// Identifier.
    pub id: String,
    /// The candidate's name.
    pub label: String,
    /// Their number, if any.
    pub student_number: Option<String>,
    /// The secret token.
    pub token: String,
}

/// Creates a candidate account and link for each of `candidates`.
///
/// # Errors
/// [`StoreError::Invalid`] naming a bad candidate; storage errors.
pub fn issue(
    conn: &Connection,
    exam: ExamId,
    section: SectionId,
    window: (OffsetDateTime, OffsetDateTime),
    candidates: &[Candidate],
    now: OffsetDateTime,
) -> Result<Vec<IssuedLink>, StoreError> {
    let mut issued = Vec::new();
    for (n, candidate) in candidates.iter().enumerate() {
        let name = DisplayName::parse(&candidate.label)
            .map_err(|e| StoreError::invalid("candidates", format!("candidate {}: {}", n + 1, e.0)))?;
        let number = candidate.student_number.as_deref().map(str::trim).filter(|s| !s.is_empty());
        let id = uuid::Uuid::now_v7().to_string();
        // Candidate accounts have no mailbox and no password; the address
        // only has to be unique and can never receive mail (.invalid).
        let email = Email::parse(&format!("candidate-{id}@candidates.invalid"))
            .map_err(|e| StoreError::invalid("candidates", e.0))?;
        let user = users::create(
            conn,
            &NewUser { email: &email, display_name: &name, student_number: number, password_hash: None },
            now,
        )?;
        courses::grant(conn, user.id, Role::Student, GrantTarget::Section(section), now)?;
        let token = insert_link(
            conn,
            &id,
            exam,
            user.id,
            section,
            name.as_str(),
            (Timestamp::from_time(window.0), Timestamp::from_time(window.1)),
            now,
        )?;
        issued.push(IssuedLink {
            id,
            label: name.as_str().to_owned(),
            student_number: number.map(str::to_owned),
            token,
        });
    }
    Ok(issued)
}

/// Stores link `id` of `user` for `exam` with a new token, and returns the
/// token (only its digest is kept).
#[allow(clippy::too_many_arguments, reason = "one column each; a struct would only rename them")]
fn insert_link(
    conn: &Connection,
    id: &str,
    exam: ExamId,
    user: UserId,
    section: SectionId,
    label: &str,
    window: (Timestamp, Timestamp),
    now: OffsetDateTime,
) -> Result<String, StoreError> {
    let token = token::generate();
    conn.execute(
        "INSERT INTO candidate_links (id, token_hash, exam_id, user_id, section_id, label, valid_from, valid_until, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![id, token::digest(&token), exam, user, section, label, window.0, window.1, Timestamp::from_time(now)],
    )?;
    Ok(token)
}

/// The links of `exam`, oldest first.
///
/// # Errors
/// Storage errors.
pub fn list(conn: &Connection, exam: ExamId, now: OffsetDateTime) -> Result<Vec<CandidateLink>, StoreError> {
    let mut statement = conn.prepare_cached(
        "SELECT l.id, l.label, u.student_number, l.section_id, l.valid_from, l.valid_until, l.redeemed_at, l.revoked_at, l.created_at,
                l.replaced_by
         FROM candidate_links l JOIN users u ON u.id = l.user_id WHERE l.exam_id = ?1 ORDER BY l.created_at, l.id",
    )?;
    let rows = statement.query_map([exam], |r| {
        let valid_until: Timestamp = r.get(5)?;
        let redeemed_at: Option<Timestamp> = r.get(6)?;
        let revoked: Option<String> = r.get(7)?;
        let replaced_by: Option<String> = r.get(9)?;
        let status = match (&redeemed_at, &revoked) {
            _ if replaced_by.is_some() => "replaced",
            (_, Some(_)) => "revoked",
            (Some(_), None) => "redeemed",
            (None, None) if now >= valid_until.time() => "expired",
            (None, None) => "active",
        };
        Ok(CandidateLink {
            id: r.get(0)?,
            label: r.get(1)?,
            student_number: r.get(2)?,
            section_id: r.get(3)?,
            valid_from: r.get(4)?,
            valid_until,
            status,
            redeemed_at,
            created_at: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Revokes a link of `exam`; its candidate's sessions end.
///
/// # Errors
/// [`StoreError::NotFound`] for an unknown link.
pub fn revoke(conn: &Connection, exam: ExamId, id: &str, now: OffsetDateTime) -> Result<(), StoreError> {
    let user: Option<UserId> = conn
        .query_row("SELECT user_id FROM candidate_links WHERE id = ?1 AND exam_id = ?2", params![id, exam], |r| {
            r.get(0)
        })
        .optional()?;
    let user = user.ok_or_else(|| StoreError::NotFound("candidate link".to_owned()))?;
    conn.execute(
        "UPDATE candidate_links SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
        params![id, rfc3339(now)],
    )?;
    super::accounts::sessions::end_all(conn, user, None)?;
    Ok(())
}

/// Moves the end of `exam`'s links that ended with the exam (at `old`) to
/// its new close `new`, so extending an exam (or closing it early) does the
/// same for its candidates as for its students. Links replaced, or whose
/// window would not begin before `new`, stay as they are. Returns how many
/// moved.
///
/// # Errors
/// Storage errors.
pub fn follow_exam_close(
    conn: &Connection,
    exam: ExamId,
    old: OffsetDateTime,
    new: OffsetDateTime,
) -> Result<usize, StoreError> {
    let (old, new) = (rfc3339(old), rfc3339(new));
    let moved = conn.execute(
        "UPDATE candidate_links SET valid_until = ?3
         WHERE exam_id = ?1 AND valid_until = ?2 AND replaced_by IS NULL AND valid_from < ?3",
        params![exam, old, new],
    )?;
    Ok(moved)
}

/// Follows the reopening of `user`'s attempt at `exam` until `until`: when
/// `user` is a candidate, the window of their current link lasts at least
/// until then (so a link issued again for them works after the exam's own
/// window ended), and every session they had ends: the one their submission
/// signed out stays signed out, and whoever sits at that computer now does
/// not inherit the attempt. They sign in again with a new link
/// ([`reissue`]). Returns whether `user` is a candidate.
///
/// # Errors
/// Storage errors.
pub fn follow_reopen(conn: &Connection, exam: ExamId, user: UserId, until: OffsetDateTime) -> Result<bool, StoreError> {
    let candidate: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM candidate_links WHERE user_id = ?1 AND exam_id = ?2)",
        params![user, exam],
        |r| r.get(0),
    )?;
    if candidate {
        conn.execute(
            "UPDATE candidate_links SET valid_until = ?3
             WHERE user_id = ?1 AND exam_id = ?2 AND replaced_by IS NULL AND valid_until < ?3",
            params![user, exam, rfc3339(until)],
        )?;
        super::accounts::sessions::end_all(conn, user, None)?;
    }
    Ok(candidate)
}

/// Removes the links of `exam`, which is being deleted, and closes their
/// candidates' accounts: their sessions end and they are disabled, so an
/// account left without a link never becomes an ordinary student of the
/// section. Returns how many accounts were closed.
///
/// # Errors
/// Storage errors.
pub fn remove_for_deleted_exam(conn: &Connection, exam: ExamId) -> Result<usize, StoreError> {
    let users: Vec<UserId> = conn
        .prepare("SELECT DISTINCT user_id FROM candidate_links WHERE exam_id = ?1")?
        .query_map([exam], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for user in &users {
        super::accounts::sessions::end_all(conn, *user, None)?;
        users::set_status(conn, *user, users::UserStatus::Disabled)?;
    }
    conn.execute("DELETE FROM candidate_links WHERE exam_id = ?1", [exam])?;
    Ok(users.len())
}

/// What a valid link opens.
#[derive(Debug, Clone)]
pub struct Opened {
    /// The link's identifier.
    pub id: String,
    /// The exam.
    pub exam_id: ExamId,
    /// The candidate account.
    pub user_id: UserId,
    /// The candidate's name.
    pub label: String,
    /// From when it works.
    pub valid_from: Timestamp,
    /// Until when it works.
    pub valid_until: Timestamp,
}

/// The link holding `token` if it is unused, unrevoked and inside its window.
///
/// # Errors
/// Storage errors.
pub fn peek(conn: &Connection, token: &str, now: OffsetDateTime) -> Result<Option<Opened>, StoreError> {
    if !token::looks_valid(token) {
        return Ok(None);
    }
    Ok(conn
        .query_row(
            "SELECT id, exam_id, user_id, label, valid_from, valid_until FROM candidate_links
             WHERE token_hash = ?1 AND redeemed_at IS NULL AND revoked_at IS NULL",
            [token::digest(token)],
            |r| {
                Ok(Opened {
                    id: r.get(0)?,
                    exam_id: r.get(1)?,
                    user_id: r.get(2)?,
                    label: r.get(3)?,
                    valid_from: r.get(4)?,
                    valid_until: r.get(5)?,
                })
            },
        )
        .optional()?
        .filter(|link| link.valid_from.time() <= now && now < link.valid_until.time()))
}

/// Marks the link used, once: of two simultaneous redemptions exactly one
/// gets `Some`.
///
/// # Errors
/// Storage errors.
pub fn redeem(conn: &Connection, token: &str, now: OffsetDateTime) -> Result<Option<Opened>, StoreError> {
    let Some(link) = peek(conn, token, now)? else { return Ok(None) };
    let updated = conn.execute(
        "UPDATE candidate_links SET redeemed_at = ?2 WHERE id = ?1 AND redeemed_at IS NULL AND revoked_at IS NULL",
        params![link.id, rfc3339(now)],
    )?;
    Ok((updated == 1).then_some(link))
}
