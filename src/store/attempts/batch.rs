//! What saving a batch needs before and after the deadline alike: its
//! outcome and refusals, the rules of the appliance, and the checks that a
//! batch continues the log within the attempt's quota.

use rusqlite::{Connection, OptionalExtension};

use crate::domain::AttemptId;
use crate::domain::autosave::{ChainHash, Commitment};
use crate::domain::save_item::SaveItem;
use crate::store::StoreError;

/// Why a batch was refused as a whole; nothing of it was stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The batch does not continue the log: the client must resend from `acked_seq + 1`.
    Gap {
        /// Every item up to this one is durable.
        acked_seq: i64,
    },
    /// Storing it would pass the attempt's quota.
    Quota,
}

/// How many items after the deadline were accepted, wait for the rest of
/// their commitment, or were refused.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LateCounts {
    /// Proven queued before the deadline: kept for the instructor to decide.
    pub accepted: u32,
    /// Within the commitment, waiting for the items before it.
    pub pending: u32,
    /// Refused and kept as evidence.
    pub refused: u32,
    /// Accepted, then applied by an instructor into a new submission.
    pub applied: u32,
}

/// What a batch achieved.
#[derive(Debug, Clone)]
pub struct SaveOutcome {
    /// Every item up to this sequence number is in the log and the answers.
    pub acked_seq: i64,
    /// Every item up to this sequence number has been dealt with (stored,
    /// or set aside after the deadline): the client may forget them.
    pub processed_seq: i64,
    /// `open` while saves count; `closed` after the deadline or the submission.
    pub phase: &'static str,
    /// The attempt's items after the deadline so far.
    pub late: LateCounts,
    /// Items of this batch stored now (in the log, or set aside as late);
    /// those a resent batch repeats are not counted. Not sent.
    pub stored: usize,
}

/// The appliance's rules for saves (`[exams]` in the config).
#[derive(Debug, Clone, Copy)]
pub struct SaveRules {
    /// How long after the deadline items proven queued in time may arrive.
    pub late_window: time::Duration,
    /// The most an attempt may store, in bytes.
    pub quota_bytes: u64,
}

/// The items of `items` after `after`, if they continue it without a gap
/// and storing them keeps an attempt that stores `stored` bytes within
/// `quota` bytes.
pub(super) fn admissible(items: &[SaveItem], after: i64, stored: u64, quota: u64) -> Result<&[SaveItem], Refusal> {
    let fresh = items.iter().position(|item| item.seq > after).map_or(&items[items.len()..], |at| &items[at..]);
    if !fresh.iter().zip(after + 1..).all(|(item, expected)| item.seq == expected) {
        return Err(Refusal::Gap { acked_seq: after });
    }
    if stored.saturating_add(bytes_of(fresh)) > quota {
        return Err(Refusal::Quota);
    }
    Ok(fresh)
}

/// The bytes `items` take in the log (their JSON text).
pub(super) fn bytes_of(items: &[SaveItem]) -> u64 {
    items.iter().map(|item| item.raw.len() as u64).sum()
}

/// The commitment heard before the deadline, if any.
pub(super) fn commitment(conn: &Connection, id: AttemptId) -> Result<Option<Commitment>, StoreError> {
    let row: Option<(Option<i64>, Option<Vec<u8>>)> = conn
        .query_row("SELECT commit_seq, commit_hash FROM exam_sessions WHERE id = ?1", [id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    Ok(match row {
        Some((Some(seq), Some(hash))) => hash.try_into().ok().map(|hash: ChainHash| Commitment { seq, hash }),
        _ => None,
    })
}
