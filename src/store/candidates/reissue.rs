//! Issuing a candidate's link again, for a candidate who closed the browser
//! (or lost the paper) before submitting. The new link signs in the same
//! candidate account, so it opens the same attempt; the old link stops
//! working, the old browser's session ends, and the attempt is allowed to
//! move, so the browser that opens the new link takes the attempt over
//! through the device binding every student's move uses
//! ([`attempts::allow_move`], then the student's start).

use rusqlite::{Connection, OptionalExtension, params};
use time::OffsetDateTime;

use super::{IssuedLink, insert_link};
use crate::clock::rfc3339;
use crate::domain::{AttemptId, ExamId, SectionId, Timestamp, UserId};
use crate::store::StoreError;
use crate::store::accounts::sessions;
use crate::store::attempts;

/// A link issued again.
#[derive(Debug, Clone)]
pub struct Reissued {
    /// The new link (its token shown this once).
    pub link: IssuedLink,
    /// The same window as the link it replaces.
    pub valid_from: Timestamp,
    /// Its end.
    pub valid_until: Timestamp,
    /// The candidate's running attempt, now allowed to move to the browser
    /// that opens the new link; `None` when they had not started.
    pub attempt_moved: Option<AttemptId>,
    /// The candidate's account.
    pub candidate: UserId,
}

/// The link being replaced, as stored.
struct Old {
    user: UserId,
    section: SectionId,
    label: String,
    valid_from: Timestamp,
    valid_until: Timestamp,
    replaced: bool,
}

/// Replaces link `id` of `exam` (and any other link of its candidate not
/// replaced yet) by a new link for the same candidate and window.
///
/// # Errors
/// [`StoreError::NotFound`] for an unknown link; [`StoreError::WrongState`]
/// when the link was replaced already, its window has ended, or the
/// candidate's attempt is submitted or past its deadline (a new link could
/// not get them back into it); storage errors.
pub fn reissue(conn: &Connection, exam: ExamId, id: &str, now: OffsetDateTime) -> Result<Reissued, StoreError> {
    let old = conn
        .query_row(
            "SELECT user_id, section_id, label, valid_from, valid_until, replaced_by IS NOT NULL
             FROM candidate_links WHERE id = ?1 AND exam_id = ?2",
            params![id, exam],
            |r| {
                Ok(Old {
                    user: r.get(0)?,
                    section: r.get(1)?,
                    label: r.get(2)?,
                    valid_from: r.get(3)?,
                    valid_until: r.get(4)?,
                    replaced: r.get(5)?,
                })
            },
        )
        .optional()?
        .ok_or_else(|| StoreError::NotFound("candidate link".to_owned()))?;
    if old.replaced {
        return Err(StoreError::WrongState(
            "this link was already replaced by a newer one; reload the list of links".to_owned(),
        ));
    }
    if now >= old.valid_until.time() {
        return Err(StoreError::WrongState(
            "the link's validity has ended, so a new link for the same time would not work either".to_owned(),
        ));
    }
    let attempt = attempts::find(conn, exam, old.user)?;
    if let Some(attempt) = &attempt
        && (attempt.submitted_at.is_some() || now >= attempt.deadline_at)
    {
        return Err(StoreError::WrongState(format!(
            "{} has submitted (or their time is up): there is no attempt left to continue",
            old.label
        )));
    }
    let new_id = uuid::Uuid::now_v7().to_string();
    let window = (old.valid_from, old.valid_until);
    let token = insert_link(conn, &new_id, exam, old.user, old.section, &old.label, window, now)?;
    conn.execute(
        "UPDATE candidate_links SET replaced_by = ?2, revoked_at = coalesce(revoked_at, ?3)
         WHERE user_id = ?1 AND id <> ?2 AND replaced_by IS NULL",
        params![old.user, new_id, rfc3339(now)],
    )?;
    // The old browser is signed out; its binding stops working when the
    // new browser takes the attempt over.
    sessions::end_all(conn, old.user, None)?;
    let attempt_moved = match attempt {
        Some(attempt) if attempts::allow_move(conn, attempt.id)? => Some(attempt.id),
        _ => None,
    };
    let student_number: Option<String> =
        conn.query_row("SELECT student_number FROM users WHERE id = ?1", [old.user], |r| r.get(0))?;
    Ok(Reissued {
        candidate: old.user,
        link: IssuedLink { id: new_id, label: old.label, student_number, token },
        valid_from: old.valid_from,
        valid_until: old.valid_until,
        attempt_moved,
    })
}
