//! Checkpoints: the one sanctioned way to change an audit chain.
//!
//! An audit log only grows. When it must change all the same (old entries
//! rewritten so they hold no exam content, a retention purge, a restore, an
//! upgrade rolled back, a rolled-back file accepted after investigation), the
//! change goes through a checkpoint and nothing else: an entry appended to the
//! chain that records the head it replaces (old), the head it continues
//! (new) and why. A head kept outside the server from before the change still
//! verifies afterwards, because the checkpoint keeps the hashes it replaced.
//!
//! Two kinds:
//!
//! - `rewrite`: entries from the first changed one on are taken out and
//!   appended again, changed, each with its original time, actor and outcome;
//!   entries before it keep their hashes. The old head is the head of the
//!   chain as it stood, checked whole before anything changes, so it is
//!   provably the old chain's head. Checkpoint entries are never changed by a
//!   later rewrite.
//! - `accept`: nothing is rewritten. The old head is one kept outside the
//!   database (the head `platform.db` anchored) that the log no longer holds:
//!   IT investigated a rolled-back file and chose to serve it as it is.
//!
//! The checkpoint entry has action `audit.checkpoint`, no target, outcome
//! `success`, and details (hashed into the chain like any entry's):
//!
//! ```text
//! {"kind": "rewrite" | "accept",
//!  "reason": TEXT,
//!  "old_head": "SEQ:HEX",          the head replaced
//!  "new_head": "SEQ:HEX",          the entry just before this one (0:000... if none)
//!  "superseded": {"from": SEQ, "count": N, "sha256": HEX}}
//! ```
//!
//! `superseded` describes a row of `audit_superseded` keyed by `old_head`:
//! the hashes of the `count` replaced entries `from`, `from + 1`, ... (for
//! `accept`, the old head's hash alone), 32 bytes each, concatenated; `sha256`
//! is SHA-256 of those bytes. The last of them is the old head's hash.
//!
//! A head `H` kept from before is part of a log's history when the chain has
//! entry `H.seq` with hash `H.hash`, or when a checkpoint entry in the (sound)
//! chain has `H.hash` at position `H.seq - from` of its superseded hashes and
//! those hashes match its `sha256`. `examhall audit verify --expect-head` and
//! `examhall audit head --expect-head` follow exactly that rule.
//!
//! The database enforces the door (see `common/0004_audit_checkpoints.sql`):
//! deleting entries or moving the head back is refused unless a `rewrite` is
//! open in `audit_rewrite`; an `audit.checkpoint` entry is refused unless a
//! checkpoint is open and its superseded hashes are recorded; and the door
//! closes only behind that entry. Everything happens in one transaction.
//!
//! `platform.db`'s anchor of an organization follows the same path: a
//! checkpoint made through the organization's writer is anchored by the
//! writer's after-commit hook like any other head, one made while opening
//! (a migration) is anchored by the open, and `accept-head` anchors its own
//! (see `store::anchors`). Nothing else moves an anchor.

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde_json::json;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

pub use super::checkpoint_entry::{ACTION, Checkpoint, EMPTIED, Kind, Trimmed};
use super::history::locate;
use super::{Actor, AuditEvent, AuditHead, EntryText, chain, insert, verify};
use crate::store::StoreError;

/// An entry as stored, for a rewrite to look at.
#[derive(Debug, Clone)]
pub struct StoredEntry {
    /// Position in the chain.
    pub seq: i64,
    /// The dotted verb.
    pub action: String,
    /// The JSON text of the details.
    pub details: String,
    text: [Option<String>; 6],
    hash: [u8; 32],
}

impl StoredEntry {
    /// Who acted (an id, or `system`, `cli:...`).
    #[must_use]
    pub fn actor(&self) -> &str {
        self.text[1].as_deref().unwrap_or_default()
    }

    /// Who acted, for humans.
    #[must_use]
    pub fn actor_label(&self) -> &str {
        self.text[2].as_deref().unwrap_or_default()
    }

    /// What was acted on.
    #[must_use]
    pub fn target(&self) -> Option<&str> {
        self.text[3].as_deref()
    }

    /// Where from.
    #[must_use]
    pub fn client_addr(&self) -> Option<&str> {
        self.text[5].as_deref()
    }
}

/// Rewrites the log of `conn` through a checkpoint by `actor`: `change` sees
/// each entry (checkpoint and emptied entries excepted) and returns new
/// details for the ones it changes. See [`rewrite_entries`].
///
/// # Errors
/// As [`rewrite_entries`].
pub fn rewrite(
    conn: &Connection,
    actor: &Actor,
    reason: &str,
    at: OffsetDateTime,
    mut change: impl FnMut(&StoredEntry) -> Option<String>,
) -> Result<Option<Checkpoint>, StoreError> {
    rewrite_entries(conn, actor, reason, at, |entry| {
        change(entry).map(|details| Changed {
            actor_label: entry.actor_label().to_owned(),
            client_addr: entry.client_addr().map(str::to_owned),
            details,
        })
    })
}

/// What a rewrite changes in an entry: the label of who acted, the address
/// they acted from and the details. The rest (time, actor id, action,
/// target, outcome) stays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    /// Who acted, for humans.
    pub actor_label: String,
    /// Where from.
    pub client_addr: Option<String>,
    /// The JSON text of the details.
    pub details: String,
}

/// Rewrites the log of `conn` through a checkpoint by `actor`: `change` sees
/// each entry (checkpoint and emptied entries excepted) and returns what it
/// changes in the ones it changes. Entries from the first changed one on are
/// appended again, then the checkpoint entry. An earlier checkpoint entry
/// among them is appended again with only its `new_head` moved to the entry
/// it now follows, so it still names what it replaced. Returns `None` (and
/// changes nothing) when no entry changes.
///
/// # Errors
/// [`StoreError::AuditNotIntact`] when the log does not verify (a rewrite
/// must not launder tampering); SQL errors.
pub fn rewrite_entries(
    conn: &Connection,
    actor: &Actor,
    reason: &str,
    at: OffsetDateTime,
    mut change: impl FnMut(&StoredEntry) -> Option<Changed>,
) -> Result<Option<Checkpoint>, StoreError> {
    let old_head = sound_head(conn)?;
    let mut statement = conn.prepare(
        "SELECT seq, at, actor, actor_label, action, target, outcome, client_addr, details, hash
         FROM audit_log ORDER BY seq",
    )?;
    let mut rows = statement.query([])?;
    let mut replaced: Vec<(StoredEntry, Option<Changed>)> = Vec::new();
    while let Some(row) = rows.next()? {
        let entry = stored(row)?;
        let changed = if entry.action == ACTION || entry.action == EMPTIED {
            None
        } else {
            change(&entry).filter(|c| {
                c.details != entry.details
                    || c.actor_label != entry.actor_label()
                    || c.client_addr.as_deref() != entry.client_addr()
            })
        };
        if !replaced.is_empty() || changed.is_some() {
            replaced.push((entry, changed));
        }
    }
    drop(rows);
    drop(statement);
    let Some(first) = replaced.first().map(|(entry, _)| entry.seq) else { return Ok(None) };
    conn.execute(
        "INSERT INTO audit_rewrite (singleton, kind, old_seq, old_hash) VALUES (1, 'rewrite', ?1, ?2)",
        params![old_head.seq, old_head.hash],
    )?;
    let kept: [u8; 32] = conn
        .query_row("SELECT hash FROM audit_log WHERE seq = ?1", [first - 1], |row| row.get(0))
        .optional()?
        .unwrap_or(chain::GENESIS);
    conn.execute("DELETE FROM audit_log WHERE seq >= ?1", [first])?;
    conn.execute("UPDATE audit_head SET seq = ?1, hash = ?2 WHERE singleton = 1", params![first - 1, kept])?;
    let mut new_head = AuditHead { seq: first - 1, hash: kept };
    let mut hashes = Vec::with_capacity(replaced.len() * 32);
    for (entry, changed) in &replaced {
        hashes.extend_from_slice(&entry.hash);
        let [at, actor, actor_label, target, outcome, client_addr] = &entry.text;
        let moved = (entry.action == ACTION).then(|| moved_checkpoint(&entry.details, new_head)).transpose()?;
        let details = changed.as_ref().map(|c| c.details.as_str()).or(moved.as_deref()).unwrap_or(&entry.details);
        new_head = insert(
            conn,
            &EntryText {
                at: at.as_deref().unwrap_or_default(),
                actor: actor.as_deref().unwrap_or_default(),
                actor_label: changed.as_ref().map_or(actor_label.as_deref().unwrap_or_default(), |c| &c.actor_label),
                action: &entry.action,
                target: target.as_deref(),
                outcome: outcome.as_deref().unwrap_or_default(),
                client_addr: changed.as_ref().map_or(client_addr.as_deref(), |c| c.client_addr.as_deref()),
                details,
            },
        )?;
    }
    let old = Superseded { head: old_head, first_seq: first, hashes: &hashes, trimmed: None };
    close(conn, actor, at, Kind::Rewrite, reason, &old, new_head).map(Some)
}

/// The details of a checkpoint entry appended again after `new_head`.
fn moved_checkpoint(details: &str, new_head: AuditHead) -> Result<String, StoreError> {
    let mut details: serde_json::Value = serde_json::from_str(details)
        .map_err(|e| StoreError::AuditNotIntact { seq: new_head.seq + 1, what: e.to_string() })?;
    details["new_head"] = json!(new_head.to_string());
    Ok(details.to_string())
}

/// Accepts that the log no longer holds `anchored` (a head kept outside the
/// database, such as the one `platform.db` recorded): appends a checkpoint
/// of kind `accept` that names it, so that it is found in the log's history
/// from now on. Returns `None` when the log holds `anchored` already.
///
/// # Errors
/// [`StoreError::AuditNotIntact`] when the log does not verify; SQL errors.
pub fn accept(
    conn: &Connection,
    actor: &Actor,
    reason: &str,
    at: OffsetDateTime,
    anchored: &AuditHead,
) -> Result<Option<Checkpoint>, StoreError> {
    let head = sound_head(conn)?;
    if locate(conn, anchored)?.is_some() {
        return Ok(None);
    }
    conn.execute(
        "INSERT INTO audit_rewrite (singleton, kind, old_seq, old_hash) VALUES (1, 'accept', ?1, ?2)",
        params![anchored.seq, anchored.hash],
    )?;
    let old = Superseded { head: *anchored, first_seq: anchored.seq, hashes: &anchored.hash, trimmed: None };
    close(conn, actor, at, Kind::Accept, reason, &old, head).map(Some)
}

pub(super) struct Superseded<'a> {
    pub(super) head: AuditHead,
    pub(super) first_seq: i64,
    pub(super) hashes: &'a [u8],
    /// For a trim, the range it emptied.
    pub(super) trimmed: Option<super::checkpoint_entry::Trimmed>,
}

/// Records the replaced hashes, appends the checkpoint entry after
/// `new_head` and closes the door.
pub(super) fn close(
    conn: &Connection,
    actor: &Actor,
    at: OffsetDateTime,
    kind: Kind,
    reason: &str,
    old: &Superseded<'_>,
    new_head: AuditHead,
) -> Result<Checkpoint, StoreError> {
    let old_head = old.head.to_string();
    conn.execute(
        "INSERT INTO audit_superseded (old_head, first_seq, hashes) VALUES (?1, ?2, ?3)",
        params![old_head, old.first_seq, old.hashes],
    )?;
    let mut details = json!({
        "kind": kind.as_str(),
        "reason": reason,
        "old_head": old_head,
        "new_head": new_head.to_string(),
        "superseded": {
            "from": old.first_seq,
            "count": old.hashes.len() / 32,
            "sha256": hex::encode(Sha256::digest(old.hashes)),
        },
    });
    if let Some(trimmed) = &old.trimmed {
        details["trimmed"] = json!({
            "from": trimmed.from, "through": trimmed.through, "before": trimmed.before, "digest": trimmed.digest,
        });
    }
    let head = super::append(conn, &AuditEvent::by(actor, ACTION).details(details), at)?;
    conn.execute("DELETE FROM audit_rewrite WHERE singleton = 1", [])?;
    Ok(Checkpoint {
        seq: head.seq,
        at: chain::format_at(at),
        actor_label: actor.label.clone(),
        kind,
        reason: reason.to_owned(),
        old_head: old.head,
        new_head,
        hash: head.hash,
        trimmed: old.trimmed.clone(),
    })
}

/// The head of a log that verifies whole.
pub(super) fn sound_head(conn: &Connection) -> Result<AuditHead, StoreError> {
    let verification = verify(conn, None)?;
    match verification.problem {
        None => Ok(verification.head.unwrap_or(AuditHead::EMPTY)),
        Some(problem) => Err(StoreError::AuditNotIntact { seq: problem.seq, what: problem.what }),
    }
}

fn stored(row: &Row<'_>) -> rusqlite::Result<StoredEntry> {
    Ok(StoredEntry {
        seq: row.get(0)?,
        action: row.get(4)?,
        details: row.get(8)?,
        text: [row.get(1)?, row.get(2)?, row.get(3)?, row.get(5)?, row.get(6)?, row.get(7)?],
        hash: row.get(9)?,
    })
}
