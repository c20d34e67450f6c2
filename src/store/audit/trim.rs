//! Trims: emptying audit entries past their retention, through a checkpoint
//! of kind `trim` (the rules of checkpoints are in [`super::checkpoint`]).
//!
//! A trim empties a prefix of the chain: entries from the one after the
//! last trim's range to the last of a run all written before `before`
//! (at most [`CHUNK`] at a time). Each emptied entry keeps its sequence
//! number, time and both hashes, so the chain still links from its first
//! entry and every head kept from before still verifies; who acted, what,
//! about whom, from where and the details go. Checkpoint entries in the
//! range are kept whole. An entry written late with an earlier time waits
//! for the entries before it.
//!
//! The checkpoint entry's details carry, besides the common ones,
//!
//! ```text
//! "trimmed": {"from": SEQ, "through": SEQ, "before": TIME, "digest": HEX}
//! ```
//!
//! where `digest` is the range's digest (see [`super::verify_trims::RangeDigest`]), so an emptied run
//! cannot be changed, extended or invented unseen; ranges follow each other
//! from entry 1 on; `before` lies at least [`FLOOR_DAYS`] before the
//! checkpoint. Nothing is superseded: the checkpoint names the head it was
//! made at as both the old and the new head. [`super::verify`] holds every
//! emptied entry to these rules.

use rusqlite::{Connection, params};
use time::OffsetDateTime;

use super::checkpoint::{self, ACTION, Checkpoint, EMPTIED, Kind, Superseded, Trimmed};
use super::{Actor, chain};
use crate::store::StoreError;

/// The most entries one trim empties: a first trim of a long log runs as
/// several short transactions, so saves never wait long behind it.
pub const CHUNK: i64 = 20_000;

pub use super::verify_trims::FLOOR_DAYS;

/// What a [`trim`] at `before` would empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrimDue {
    /// The first entry of its range.
    pub from: i64,
    /// The last.
    pub through: i64,
    /// The entries it would empty (checkpoint entries are kept whole).
    pub entries: i64,
}

/// The next [`CHUNK`] of what a trim at `before` would empty; `None` when
/// nothing is due. Changes nothing.
///
/// # Errors
/// SQL errors.
pub fn trim_due(conn: &Connection, before: OffsetDateTime) -> Result<Option<TrimDue>, StoreError> {
    due(conn, before, CHUNK)
}

/// All that trims at `before` would empty, chunk after chunk (what the
/// retention page shows); `None` when nothing is due. Changes nothing.
///
/// # Errors
/// SQL errors.
pub fn all_due(conn: &Connection, before: OffsetDateTime) -> Result<Option<TrimDue>, StoreError> {
    due(conn, before, i64::MAX / 2)
}

fn due(conn: &Connection, before: OffsetDateTime, chunk: i64) -> Result<Option<TrimDue>, StoreError> {
    let from = super::history::emptied_through(conn)? + 1;
    let (first_kept, head): (Option<i64>, i64) = conn.query_row(
        "SELECT (SELECT min(seq) FROM audit_log WHERE seq >= ?1 AND at >= ?2),
                (SELECT seq FROM audit_head WHERE singleton = 1)",
        params![from, chain::format_at(before)],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    let through = first_kept.map_or(head, |seq| seq - 1).min(from + chunk - 1);
    if through < from {
        return Ok(None);
    }
    let entries: i64 = conn.query_row(
        "SELECT count(*) FROM audit_log WHERE seq BETWEEN ?1 AND ?2 AND action <> ?3",
        params![from, through, ACTION],
        |row| row.get(0),
    )?;
    Ok((entries > 0).then_some(TrimDue { from, through, entries }))
}

/// Empties, through a checkpoint by `actor` at `at`, the next chunk of the
/// entries written before `before` ([`trim_due`]), and deletes the audit
/// entries kept aside from restored bundles (`restored_audit`) written
/// before it too; with `secure_delete` on, so the old content is
/// overwritten in the file. Returns `None` (and changes nothing) when
/// nothing is due.
///
/// # Errors
/// [`StoreError::AuditNotIntact`] when an entry of the range, or its link to
/// the one before, does not verify; [`StoreError::Invalid`] for a `before`
/// within [`FLOOR_DAYS`] of `at`;
/// SQL errors.
pub fn trim(
    conn: &Connection,
    actor: &Actor,
    reason: &str,
    at: OffsetDateTime,
    before: OffsetDateTime,
) -> Result<Option<Checkpoint>, StoreError> {
    if before > at - time::Duration::days(FLOOR_DAYS) {
        return Err(StoreError::invalid("audit_days", format!("audit entries are kept at least {FLOOR_DAYS} days")));
    }
    let Some(TrimDue { from, through, .. }) = trim_due(conn, before)? else { return Ok(None) };
    // Only the range is checked (not the whole log, once per chunk): a trim
    // changes nothing else, and it must not empty an entry that was changed.
    let digest = super::verify::check_range(conn, from, through)?;
    let head = super::head(conn)?.unwrap_or(super::AuditHead::EMPTY);
    crate::store::connection::overwriting(conn, |conn| {
        conn.execute(
            "INSERT INTO audit_rewrite (singleton, kind, old_seq, old_hash) VALUES (1, 'rewrite', ?1, ?2)",
            params![head.seq, head.hash],
        )?;
        conn.execute(
            "UPDATE audit_log SET actor = '', actor_label = '', action = ?3, target = NULL, outcome = 'success',
                                  client_addr = NULL, details = '{}'
             WHERE seq BETWEEN ?1 AND ?2 AND action <> ?4",
            params![from, through, EMPTIED, ACTION],
        )?;
        conn.execute("DELETE FROM restored_audit WHERE at < ?1", [chain::format_at(before)])?;
        let trimmed = Trimmed { from, through, before: chain::format_at(before), digest };
        let old = Superseded { head, first_seq: head.seq, hashes: &head.hash, trimmed: Some(trimmed) };
        checkpoint::close(conn, actor, at, Kind::Trim, reason, &old, head).map(Some)
    })
}
