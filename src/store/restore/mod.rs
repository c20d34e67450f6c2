//! Putting a bundle's rows back into an organization database, inside the
//! caller's one write transaction.
//!
//! A restore only adds: a row whose key is there already is kept as it is
//! (so running the same restore again adds nothing), and every row must
//! find the rows it refers to (foreign keys stay on), or the whole restore
//! rolls back. The audit log is the one exception to "insert as it was":
//! into a database whose log is empty (an organization restored onto a new
//! appliance) an organization bundle's entries go back as the chain itself,
//! the chain's own triggers checking each link; everywhere else each entry,
//! its hash checked, is kept in `restored_audit`, and the caller's audit
//! entry commits to all of them with [`Restorer::digest`].

mod rows;

use std::collections::BTreeMap;

use rusqlite::Connection;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::StoreError;
use super::audit::{self, chain::Fields, chain::entry_hash};
use super::backup::{Belongs, TABLES};
use crate::backup::{Field, Row};
use rows::Inserter;

/// What a restore did.
#[derive(Debug, Clone, Default)]
pub struct Restored {
    /// Rows added, by table (audit entries kept aside count under `restored_audit`).
    pub added: BTreeMap<String, u64>,
    /// Rows that were there already.
    pub present: u64,
    /// The digest of the audit entries kept aside (`None` when the restore wrote nothing).
    pub kept_aside_digest: Option<String>,
}

/// The title of an exam of this organization that students may be working
/// on at `now`: open, or with an attempt whose deadline and late window
/// have not passed (extra time, a reopened attempt).
///
/// # Errors
/// Storage errors.
pub fn an_open_exam(
    conn: &Connection,
    now: time::OffsetDateTime,
    late_window: time::Duration,
) -> Result<Option<String>, StoreError> {
    use rusqlite::OptionalExtension as _;
    let (now_text, window_start) = (crate::clock::rfc3339(now), crate::clock::rfc3339(now - late_window));
    Ok(conn
        .query_row(
            "SELECT e.title FROM exams e
             WHERE e.status = 'published' AND e.opens_at <= ?1
               AND (e.closes_at > ?2
                    OR EXISTS (SELECT 1 FROM exam_sessions s WHERE s.exam_id = e.id AND s.deadline_at > ?2))
             LIMIT 1",
            [now_text, window_start],
            |r| r.get(0),
        )
        .optional()?)
}

/// Where the rows go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// An organization made by this restore: every row goes back, and an
    /// organization bundle's audit entries become the chain itself.
    Fresh,
    /// An organization that lives here: only what is missing is added, and
    /// never a role (a role taken away since the bundle stays taken away).
    Existing,
}

/// Puts rows back, one at a time, into `conn`.
pub struct Restorer<'c> {
    conn: &'c Connection,
    /// The organization the rows must be of.
    org_id: String,
    /// The bundle's SHA-256, naming where entries kept aside came from.
    bundle: String,
    /// The bundle's exam, for entries kept aside.
    exam: Option<String>,
    into: Target,
    /// Whether audit entries go back as the chain (an organization bundle into a fresh organization).
    as_chain: bool,
    /// The hashes each checkpoint of the bundle replaced, by the head it replaced, until it is replayed.
    superseded: BTreeMap<String, Row>,
    rows: Inserter<'c>,
    restored_at: String,
    digest: Sha256,
    done: Restored,
}

impl<'c> Restorer<'c> {
    /// Starts a restore into `conn` of a bundle of organization `org_id`.
    /// References are checked as each row goes in, except for the tables
    /// whose rows may refer to rows later in the bundle (a replaced link
    /// names its successor): [`Restorer::finish`] checks those.
    ///
    /// # Errors
    /// Storage errors.
    pub fn new(
        conn: &'c Connection,
        org_id: &str,
        bundle: &str,
        exam: Option<&str>,
        into: Target,
        now: time::OffsetDateTime,
    ) -> Result<Self, StoreError> {
        Ok(Self {
            conn,
            org_id: org_id.to_owned(),
            bundle: bundle.to_owned(),
            exam: exam.map(str::to_owned),
            into,
            as_chain: into == Target::Fresh && exam.is_none() && audit::head(conn)?.is_none(),
            superseded: BTreeMap::new(),
            rows: Inserter::new(conn)?,
            restored_at: crate::clock::rfc3339(now),
            digest: Sha256::new(),
            done: Restored::default(),
        })
    }

    /// Puts back one row of `table`.
    ///
    /// # Errors
    /// [`StoreError::WrongState`] for a row of another organization, an
    /// audit entry whose hash does not match its fields, a table this
    /// examhall does not know, a row that refers to a row neither here nor
    /// earlier in the bundle, or a row that conflicts with one here.
    pub fn row(&mut self, table: &str, row: &Row) -> Result<(), StoreError> {
        let Some((_, belongs)) = TABLES.iter().find(|(name, _)| *name == table) else {
            return Err(StoreError::WrongState(format!("the bundle has a table this examhall does not know: {table}")));
        };
        match (table, belongs) {
            (_, Belongs::Never(_)) | ("audit_head" | "audit_rewrite", _) => Ok(()),
            ("grants", _) if self.into == Target::Existing => Ok(()),
            ("organization", _) => self.same_organization(row),
            ("audit_superseded", _) => {
                let head = row.text("old_head").unwrap_or_default().to_owned();
                self.superseded.insert(head, row.clone());
                Ok(())
            }
            ("audit_log", _) => self.audit_entry(row),
            ("restored_audit", _) => {
                checked_audit_entry(row)?;
                self.rows.insert(table, row)
            }
            _ => self.rows.insert(table, row),
        }
    }

    /// Checks the references whose check waited for the end, and ends:
    /// what was done, and the digest of the audit entries kept aside, in
    /// the bundle's order.
    ///
    /// # Errors
    /// [`StoreError::WrongState`] when a row refers to one that is missing,
    /// or a checkpoint's replaced hashes were never used.
    pub fn finish(mut self) -> Result<(Restored, String), StoreError> {
        self.rows.check_deferred()?;
        if !self.superseded.is_empty() {
            return Err(StoreError::WrongState(
                "the bundle records hashes replaced by a checkpoint it does not hold; nothing was restored".to_owned(),
            ));
        }
        let done = Restored {
            added: std::mem::take(&mut self.rows.added),
            present: self.done.present + self.rows.present,
            ..self.done
        };
        Ok((done, hex::encode(self.digest.finalize())))
    }

    fn same_organization(&mut self, row: &Row) -> Result<(), StoreError> {
        let here: String = self.conn.query_row("SELECT id FROM organization", [], |r| r.get(0))?;
        if row.text("id") != Some(here.as_str()) || here != self.org_id {
            return Err(StoreError::WrongState(
                "the bundle is of another organization than this database's".to_owned(),
            ));
        }
        self.done.present += 1;
        Ok(())
    }

    fn audit_entry(&mut self, row: &Row) -> Result<(), StoreError> {
        let (seq, _, hash) = checked_audit_entry(row)?;
        self.rows.flush()?;
        let in_chain: bool = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM audit_log WHERE seq = ?1 AND hash = ?2)",
            rusqlite::params![seq, hash],
            |r| r.get(0),
        )?;
        if in_chain {
            self.done.present += 1;
            return Ok(());
        }
        if self.as_chain {
            return self.chain_entry(row);
        }
        // An emptied entry says nothing to keep aside, and its own hash
        // cannot be checked apart from its chain.
        if is_emptied(row) {
            return Ok(());
        }
        self.digest.update(&hash);
        let aside = [
            ("bundle", Field::Text(&self.bundle)),
            ("exam_id", self.exam.as_deref().map_or(Field::Null, Field::Text)),
            ("restored_at", Field::Text(&self.restored_at)),
        ];
        self.rows.insert_with_columns("restored_audit", row, &aside)
    }

    /// Appends an entry to the chain being rebuilt; the chain's triggers
    /// refuse one that does not continue it. A checkpoint is replayed through
    /// its door: opened for the head it replaced, with the hashes it
    /// replaced, closed again by the checkpoint entry itself.
    fn chain_entry(&mut self, row: &Row) -> Result<(), StoreError> {
        let checkpoint = row.text("action") == Some("audit.checkpoint");
        if checkpoint {
            let details: Value = row.text("details").and_then(|d| serde_json::from_str(d).ok()).unwrap_or_default();
            let old_head = details.get("old_head").and_then(Value::as_str).unwrap_or_default().to_owned();
            let (old_seq, old_hash) = old_head
                .split_once(':')
                .and_then(|(seq, hash)| Some((seq.parse::<i64>().ok()?, hex::decode(hash).ok()?)))
                .ok_or_else(|| {
                    StoreError::WrongState("a checkpoint of the bundle names no head it replaced".to_owned())
                })?;
            let superseded = self.superseded.remove(&old_head).ok_or_else(|| {
                StoreError::WrongState(format!("the bundle lacks the hashes its checkpoint of {old_head} replaced"))
            })?;
            self.rows.flush()?;
            self.conn.execute(
                "INSERT INTO audit_rewrite (singleton, kind, old_seq, old_hash) VALUES (1, 'accept', ?1, ?2)",
                rusqlite::params![old_seq, old_hash],
            )?;
            self.rows.insert_plain("audit_superseded", &superseded)?;
        }
        self.rows.insert_plain("audit_log", row)?;
        if checkpoint {
            self.conn.execute("DELETE FROM audit_rewrite", [])?;
        }
        Ok(())
    }
}

/// Whether a bundle's audit entry is one a retention trim emptied (its
/// content is gone; its place, time and hashes are kept): checked for its
/// empty form and its link, not against its own hash, and restored into the
/// chain as it is (`audit verify` then holds it to the trim's digest).
#[must_use]
pub fn is_emptied(row: &Row) -> bool {
    row.text("action") == Some(super::audit::checkpoint::EMPTIED)
}

/// An audit entry of a bundle whose hash matches its fields (or, for an
/// emptied one, that is empty as a trim leaves it): its seq, `prev_hash`
/// and hash.
///
/// # Errors
/// [`StoreError::WrongState`] for a malformed entry or one changed since it was hashed.
pub fn checked_audit_entry(row: &Row) -> Result<(i64, Vec<u8>, Vec<u8>), StoreError> {
    let text = |name: &str| row.text(name).map(str::as_bytes);
    let bad = || StoreError::WrongState("an audit entry of the bundle is malformed".to_owned());
    let (prev, hash) = (row.blob("prev_hash").ok_or_else(bad)?, row.blob("hash").ok_or_else(bad)?);
    let seq = row.integer("seq").ok_or_else(bad)?;
    if is_emptied(row) {
        let null = |name: &str| matches!(row.get(name), Some(Field::Null));
        let empty = text("actor") == Some(b"".as_slice())
            && text("actor_label") == Some(b"".as_slice())
            && null("target")
            && null("client_addr")
            && text("outcome") == Some(b"success".as_slice())
            && text("details") == Some(b"{}".as_slice())
            && text("at").is_some()
            && prev.len() == 32
            && hash.len() == 32;
        if !empty {
            return Err(StoreError::WrongState(format!(
                "audit entry {seq} of the bundle is marked emptied but holds content: it was changed after it was written"
            )));
        }
        return Ok((seq, prev.to_vec(), hash.to_vec()));
    }
    let fields = Fields {
        seq,
        at: text("at").ok_or_else(bad)?,
        actor: text("actor").ok_or_else(bad)?,
        actor_label: text("actor_label").ok_or_else(bad)?,
        action: text("action").ok_or_else(bad)?,
        target: text("target"),
        outcome: text("outcome").ok_or_else(bad)?,
        client_addr: text("client_addr"),
        details: text("details").ok_or_else(bad)?,
        prev_hash: prev,
    };
    if entry_hash(&fields).as_slice() != hash {
        return Err(StoreError::WrongState(format!(
            "audit entry {seq} of the bundle does not match its own hash: it was changed after it was written"
        )));
    }
    Ok((seq, prev.to_vec(), hash.to_vec()))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// Entry 1 of a chain as a bundle holds it.
    fn entry() -> serde_json::Map<String, Value> {
        let prev = [0u8; 32];
        let fields = Fields {
            seq: 1,
            at: b"2026-06-01T09:00:00.000Z",
            actor: b"user-1",
            actor_label: b"admin@example.edu",
            action: b"exam.create",
            target: Some(b"exam-1"),
            outcome: b"success",
            client_addr: None,
            details: b"{}",
            prev_hash: &prev,
        };
        let hash = entry_hash(&fields);
        let row = json!({
            "seq": 1, "at": "2026-06-01T09:00:00.000Z", "actor": "user-1", "actor_label": "admin@example.edu",
            "action": "exam.create", "target": "exam-1", "outcome": "success", "client_addr": null, "details": "{}",
            "prev_hash": { "hex": hex::encode(prev) }, "hash": { "hex": hex::encode(hash) },
        });
        row.as_object().unwrap().clone()
    }

    fn row(map: &serde_json::Map<String, Value>) -> Row {
        Row::parse(&serde_json::to_vec(map).unwrap()).unwrap()
    }

    #[test]
    fn an_audit_entry_passes_only_with_the_fields_its_hash_covers() {
        assert_eq!(checked_audit_entry(&row(&entry())).unwrap().0, 1);
        for (field, value) in [
            ("details", json!("{\"grade\":1}")),
            ("actor_label", json!("someone@else")),
            ("target", Value::Null),
            ("seq", json!(2)),
        ] {
            let mut changed = entry();
            changed.insert(field.to_owned(), value);
            let error = checked_audit_entry(&row(&changed)).unwrap_err().to_string();
            assert!(error.contains("does not match its own hash"), "{field}: {error}");
        }
        let mut malformed = entry();
        malformed.remove("hash");
        assert!(checked_audit_entry(&row(&malformed)).unwrap_err().to_string().contains("malformed"));
    }
}
