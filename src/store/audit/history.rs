//! Where a head kept from before lies in a log's history: in the chain, or
//! among the hashes a checkpoint replaced (the rule is in [`super::checkpoint`]).

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, Row};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::AuditHead;
use super::checkpoint_entry::{Checkpoint, Kind, Trimmed};
use crate::store::StoreError;

/// Where a head kept from before lies in a log's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// It is an entry of the chain.
    InChain,
    /// A checkpoint took it out of the chain; the checkpoint's entry is in it.
    Replaced(Box<Checkpoint>),
}

/// Whether `head` is part of the history of the log of `conn`: in the chain,
/// or replaced by a checkpoint. A quick look-up, not a verification: it
/// trusts the chain (use [`verify`] for that). Works on databases not yet
/// migrated to checkpoints, and on those without an audit log (only the
/// empty head is found there).
///
/// # Errors
/// SQL errors.
pub fn locate(conn: &Connection, head: &AuditHead) -> Result<Option<Found>, StoreError> {
    if *head == AuditHead::EMPTY {
        return Ok(Some(Found::InChain));
    }
    if !has_table(conn, "audit_log")? {
        return Ok(None);
    }
    let stored: Option<Vec<u8>> = conn
        .query_row(
            "SELECT hash FROM audit_log WHERE seq = ?1 AND seq <= (SELECT seq FROM audit_head WHERE singleton = 1)",
            [head.seq],
            |row| row.get(0),
        )
        .optional()?;
    if stored.as_deref() == Some(&head.hash[..]) {
        return Ok(Some(Found::InChain));
    }
    Ok(replaced_by(conn, head)?.map(|found| Found::Replaced(Box::new(found))))
}

/// The checkpoint that took `head` out of the chain, if one did.
///
/// # Errors
/// SQL errors.
pub fn replaced_by(conn: &Connection, head: &AuditHead) -> Result<Option<Checkpoint>, StoreError> {
    if !has_table(conn, "audit_superseded")? {
        return Ok(None);
    }
    let mut statement = conn.prepare(
        "SELECT l.seq, l.at, l.actor_label, l.details, l.prev_hash, l.hash FROM audit_superseded AS s
         JOIN audit_log AS l ON l.action = 'audit.checkpoint' AND json_extract(l.details, '$.old_head') = s.old_head
         -- A trim replaces no head: it never stands for one taken out of the chain.
         WHERE s.first_seq <= ?1 AND json_extract(l.details, '$.kind') <> 'trim' ORDER BY l.seq",
    )?;
    let mut rows = statement.query([head.seq])?;
    while let Some(row) = rows.next()? {
        let Ok(checkpoint) = read_entry(conn, row) else { continue };
        let (first, hashes) = superseded_of(conn, &checkpoint.old_head)?.unwrap_or_default();
        let at = usize::try_from(head.seq - first).unwrap_or(usize::MAX).saturating_mul(32);
        if hashes.get(at..at.saturating_add(32)) == Some(&head.hash[..]) {
            return Ok(Some(checkpoint));
        }
    }
    Ok(None)
}

/// Reads and checks the checkpoint entry at `row` (columns: seq, at,
/// actor_label, details, prev_hash, hash): its details, and the superseded
/// hashes they describe. The error says what is wrong, for [`verify`].
pub(super) fn read_entry(conn: &Connection, row: &Row<'_>) -> Result<Checkpoint, String> {
    let text = |index: usize| match row.get_ref(index) {
        Ok(ValueRef::Text(bytes)) => Ok(String::from_utf8_lossy(bytes).into_owned()),
        _ => Err("a column of the checkpoint entry is unreadable".to_owned()),
    };
    let seq: i64 = row.get(0).map_err(|e| e.to_string())?;
    let prev_hash: [u8; 32] = row.get(4).map_err(|e| e.to_string())?;
    let hash: [u8; 32] = row.get(5).map_err(|e| e.to_string())?;
    let details: Value = serde_json::from_str(&text(3)?).map_err(|e| e.to_string())?;
    let malformed = || format!("checkpoint entry {seq} does not have the details of a checkpoint");
    let head = |key: &str| details[key].as_str().and_then(|t| t.parse::<AuditHead>().ok()).ok_or_else(malformed);
    let kind = match details["kind"].as_str() {
        Some("rewrite") => Kind::Rewrite,
        Some("accept") => Kind::Accept,
        Some("trim") => Kind::Trim,
        _ => return Err(malformed()),
    };
    let trimmed = match kind {
        Kind::Trim => Some(
            trimmed_of(&details["trimmed"])
                .filter(|t| t.from >= 1 && t.from <= t.through && t.through < seq)
                .ok_or_else(malformed)?,
        ),
        Kind::Rewrite | Kind::Accept => None,
    };
    let checkpoint = Checkpoint {
        seq,
        at: text(1)?,
        actor_label: text(2)?,
        kind,
        reason: details["reason"].as_str().ok_or_else(malformed)?.to_owned(),
        old_head: head("old_head")?,
        new_head: head("new_head")?,
        hash,
        trimmed,
    };
    if checkpoint.kind == Kind::Trim && locate(conn, &checkpoint.old_head).map_err(|e| e.to_string())?.is_none() {
        return Err(format!(
            "trim checkpoint entry {seq} was made at the head {}, which the log's history does not hold: a trim \
             changes no hash, so it cannot stand for entries taken out",
            checkpoint.old_head
        ));
    }
    if checkpoint.new_head != (AuditHead { seq: seq - 1, hash: prev_hash }) {
        return Err(format!("checkpoint entry {seq} names a new head that is not the entry before it"));
    }
    let superseded = &details["superseded"];
    let missing = || format!("the hashes that checkpoint entry {seq} replaced are missing or were altered");
    let (first, hashes) = superseded_of(conn, &checkpoint.old_head).map_err(|e| e.to_string())?.ok_or_else(missing)?;
    let count = i64::try_from(hashes.len() / 32).unwrap_or(i64::MAX);
    let consistent = superseded["sha256"].as_str() == Some(hex::encode(Sha256::digest(&hashes)).as_str())
        && superseded["from"].as_i64() == Some(first)
        && superseded["count"].as_i64() == Some(count)
        && first + count - 1 == checkpoint.old_head.seq
        && hashes.ends_with(&checkpoint.old_head.hash)
        && (checkpoint.kind != Kind::Trim || count == 1);
    if consistent { Ok(checkpoint) } else { Err(missing()) }
}

/// The range a trim's details name, if they are well formed.
fn trimmed_of(value: &Value) -> Option<Trimmed> {
    Some(Trimmed {
        from: value["from"].as_i64()?,
        through: value["through"].as_i64()?,
        before: value["before"].as_str()?.to_owned(),
        digest: value["digest"].as_str()?.to_owned(),
    })
}

/// Every trim's range, oldest first, as the log's trim checkpoint entries
/// name them (not yet checked: [`verify`] holds them to the chain as it
/// reaches each). A range whose details cannot be read is left out, and the
/// walk reports its entry.
pub(super) fn trims(conn: &Connection) -> Result<Vec<Trimmed>, StoreError> {
    if !has_table(conn, "audit_log")? {
        return Ok(Vec::new());
    }
    let mut statement = conn.prepare(
        "SELECT details FROM audit_log
         WHERE action = 'audit.checkpoint' AND json_valid(details) AND json_extract(details, '$.kind') = 'trim'
         ORDER BY seq",
    )?;
    let rows = statement.query_map([], |row| row.get::<_, String>(0))?;
    let mut found = Vec::new();
    for details in rows {
        if let Some(trimmed) = serde_json::from_str::<Value>(&details?).ok().and_then(|d| trimmed_of(&d["trimmed"])) {
            found.push(trimmed);
        }
    }
    Ok(found)
}

/// The last entry emptied by a trim (0 when none was).
///
/// # Errors
/// SQL errors.
pub fn emptied_through(conn: &Connection) -> Result<i64, StoreError> {
    Ok(trims(conn)?.last().map_or(0, |t| t.through))
}

/// A checkpoint left open (its transaction committed without its entry),
/// described for [`verify`]; `None` when there is none.
pub(super) fn open_door(conn: &Connection) -> Result<Option<String>, StoreError> {
    if !has_table(conn, "audit_rewrite")? {
        return Ok(None);
    }
    let open: Option<String> =
        conn.query_row("SELECT kind FROM audit_rewrite WHERE singleton = 1", [], |row| row.get(0)).optional()?;
    Ok(open.map(|kind| format!("a checkpoint ({kind}) was opened and never closed by its audit.checkpoint entry")))
}

pub(super) fn superseded_of(conn: &Connection, old_head: &AuditHead) -> Result<Option<(i64, Vec<u8>)>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT first_seq, hashes FROM audit_superseded WHERE old_head = ?1",
            [old_head.to_string()],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?)
}

pub(super) fn has_table(conn: &Connection, name: &str) -> Result<bool, StoreError> {
    let found: Option<i64> = conn
        .query_row("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1", [name], |row| row.get(0))
        .optional()?;
    Ok(found.is_some())
}
