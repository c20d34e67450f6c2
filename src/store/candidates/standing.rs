//! What a candidate account may do now. A candidate account exists for one
//! exam (every link naming the account names that exam), and its session
//! lives only while the candidate can still work on it: until the window of
//! its current link ends, or until the candidate submits; an attempt whose
//! deadline falls inside the window lives until the late window after the
//! deadline has passed, even past the window's end (so the browser can still
//! hand in changes it can prove were queued in time, and read its receipt).
//! Every request of an organization member asks this once, in the session
//! extractor.

use rusqlite::{Connection, OptionalExtension};
use time::OffsetDateTime;

use crate::domain::{ExamId, Timestamp, UserId};
use crate::store::StoreError;
use crate::store::attempts;

/// Where an account stands as a candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Not a candidate account: the ordinary rules of its roles apply.
    NotCandidate,
    /// A candidate whose session may be used now, for this exam only.
    Live(ExamId),
    /// A candidate whose session is over (window ended, submitted, link
    /// revoked or replaced): every session of the account is refused.
    Ended,
}

/// Where `user` stands at `now`; `late_window` is how long after the
/// deadline the server still takes changes queued before it.
///
/// # Errors
/// Storage errors.
pub fn standing(
    conn: &Connection,
    user: UserId,
    now: OffsetDateTime,
    late_window: time::Duration,
) -> Result<Standing, StoreError> {
    // The link a live session can have come from: redeemed and neither
    // revoked nor replaced. Without one, any other link still says which
    // exam the account is for, and that its sessions are over.
    let current: Option<(ExamId, Timestamp, bool)> = conn
        .query_row(
            "SELECT exam_id, valid_until, redeemed_at IS NOT NULL AND revoked_at IS NULL AS live
             FROM candidate_links WHERE user_id = ?1
             ORDER BY live DESC, redeemed_at DESC, created_at DESC LIMIT 1",
            [user],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((exam, valid_until, live)) = current else { return Ok(Standing::NotCandidate) };
    if !live {
        return Ok(Standing::Ended);
    }
    let window_end = valid_until.time();
    let end = match attempts::find(conn, exam, user)? {
        Some(attempt) if attempt.submitted_by_student() => return Ok(Standing::Ended),
        // An attempt whose deadline falls inside the window keeps the late
        // window after it, even past the window's end: the browser may still
        // hand in what it queued in time, and read its receipt.
        Some(attempt) if attempt.deadline_at <= window_end => attempt.deadline_at + late_window,
        _ => window_end,
    };
    Ok(if now >= end { Standing::Ended } else { Standing::Live(exam) })
}
