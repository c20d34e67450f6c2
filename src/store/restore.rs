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

use std::collections::BTreeMap;

use rusqlite::Connection;
use rusqlite::types::{ToSqlOutput, Value as SqlValue, ValueRef};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::StoreError;
use super::audit::{self, chain::Fields, chain::entry_hash};
use super::backup::{Belongs, TABLES};

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
    superseded: BTreeMap<String, Map<String, Value>>,
    /// Each table's "unless this primary key is there" clause.
    keys: BTreeMap<String, std::sync::Arc<str>>,
    /// Each table's last statement: its verb and tail, columns and SQL (rows of a table share their columns).
    statements: BTreeMap<String, (String, Vec<String>, String)>,
    restored_at: String,
    digest: Sha256,
    done: Restored,
}

impl<'c> Restorer<'c> {
    /// Starts a restore into `conn` of a bundle of organization `org_id`.
    /// Foreign keys are checked at the end of the transaction (a row may
    /// refer to one that comes later, as a replaced link to its successor);
    /// [`Restorer::finish`] checks them.
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
        conn.execute_batch("PRAGMA defer_foreign_keys = ON")?;
        Ok(Self {
            conn,
            org_id: org_id.to_owned(),
            bundle: bundle.to_owned(),
            exam: exam.map(str::to_owned),
            into,
            as_chain: into == Target::Fresh && exam.is_none() && audit::head(conn)?.is_none(),
            superseded: BTreeMap::new(),
            keys: BTreeMap::new(),
            statements: BTreeMap::new(),
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
    /// examhall does not know, or a row that conflicts with one here.
    pub fn row(&mut self, table: &str, row: Map<String, Value>) -> Result<(), StoreError> {
        let Some((_, belongs)) = TABLES.iter().find(|(name, _)| *name == table) else {
            return Err(StoreError::WrongState(format!("the bundle has a table this examhall does not know: {table}")));
        };
        match (table, belongs) {
            (_, Belongs::Never(_)) | ("audit_head" | "audit_rewrite", _) => Ok(()),
            ("grants", _) if self.into == Target::Existing => Ok(()),
            ("organization", _) => self.same_organization(&row),
            ("audit_superseded", _) => {
                let head = row.get("old_head").and_then(Value::as_str).unwrap_or_default().to_owned();
                self.superseded.insert(head, row);
                Ok(())
            }
            ("audit_log", _) => self.audit_entry(row),
            ("restored_audit", _) => {
                checked_audit_entry(&row)?;
                self.insert(table, &row)
            }
            _ => self.insert(table, &row),
        }
    }

    /// Checks every reference of the restored rows, and ends: what was
    /// done, and the digest of the audit entries kept aside, in the
    /// bundle's order.
    ///
    /// # Errors
    /// [`StoreError::WrongState`] when a row refers to one that is missing,
    /// or a checkpoint's replaced hashes were never used.
    pub fn finish(self) -> Result<(Restored, String), StoreError> {
        let dangling: Option<String> =
            self.conn.query_row("SELECT \"table\" FROM pragma_foreign_key_check LIMIT 1", [], |r| r.get(0)).ok();
        self.conn.execute_batch("PRAGMA defer_foreign_keys = OFF")?;
        if let Some(table) = dangling {
            return Err(StoreError::WrongState(format!(
                "rows of {table} in the bundle refer to rows neither here nor in the bundle; nothing was restored"
            )));
        }
        if !self.superseded.is_empty() {
            return Err(StoreError::WrongState(
                "the bundle records hashes replaced by a checkpoint it does not hold; nothing was restored".to_owned(),
            ));
        }
        Ok((self.done, hex::encode(self.digest.finalize())))
    }

    fn same_organization(&mut self, row: &Map<String, Value>) -> Result<(), StoreError> {
        let here: String = self.conn.query_row("SELECT id FROM organization", [], |r| r.get(0))?;
        if row.get("id").and_then(Value::as_str) != Some(here.as_str()) || here != self.org_id {
            return Err(StoreError::WrongState(
                "the bundle is of another organization than this database's".to_owned(),
            ));
        }
        self.done.present += 1;
        Ok(())
    }

    fn audit_entry(&mut self, row: Map<String, Value>) -> Result<(), StoreError> {
        let (seq, _, hash) = checked_audit_entry(&row)?;
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
            return self.chain_entry(&row);
        }
        // An emptied entry says nothing to keep aside, and its own hash
        // cannot be checked apart from its chain.
        if is_emptied(&row) {
            return Ok(());
        }
        self.digest.update(&hash);
        let mut aside = row;
        aside.insert("bundle".to_owned(), Value::String(self.bundle.clone()));
        aside.insert("exam_id".to_owned(), self.exam.clone().map_or(Value::Null, Value::String));
        aside.insert("restored_at".to_owned(), Value::String(self.restored_at.clone()));
        self.insert("restored_audit", &aside)
    }

    /// Appends an entry to the chain being rebuilt; the chain's triggers
    /// refuse one that does not continue it. A checkpoint is replayed through
    /// its door: opened for the head it replaced, with the hashes it
    /// replaced, closed again by the checkpoint entry itself.
    fn chain_entry(&mut self, row: &Map<String, Value>) -> Result<(), StoreError> {
        let checkpoint = row.get("action").and_then(Value::as_str) == Some("audit.checkpoint");
        if !checkpoint {
            return self.insert_as("audit_log", row, "INSERT");
        }
        let details: Value =
            row.get("details").and_then(Value::as_str).and_then(|d| serde_json::from_str(d).ok()).unwrap_or_default();
        let old_head = details.get("old_head").and_then(Value::as_str).unwrap_or_default().to_owned();
        let (old_seq, old_hash) = old_head
            .split_once(':')
            .and_then(|(seq, hash)| Some((seq.parse::<i64>().ok()?, hex::decode(hash).ok()?)))
            .ok_or_else(|| StoreError::WrongState("a checkpoint of the bundle names no head it replaced".to_owned()))?;
        let superseded = self.superseded.remove(&old_head).ok_or_else(|| {
            StoreError::WrongState(format!("the bundle lacks the hashes its checkpoint of {old_head} replaced"))
        })?;
        self.conn.execute(
            "INSERT INTO audit_rewrite (singleton, kind, old_seq, old_hash) VALUES (1, 'accept', ?1, ?2)",
            rusqlite::params![old_seq, old_hash],
        )?;
        self.insert_as("audit_superseded", &superseded, "INSERT")?;
        self.insert_as("audit_log", row, "INSERT")?;
        self.conn.execute("DELETE FROM audit_rewrite", [])?;
        Ok(())
    }

    /// Inserts `row` into `table` unless a row with its primary key is there.
    fn insert(&mut self, table: &str, row: &Map<String, Value>) -> Result<(), StoreError> {
        if !self.keys.contains_key(table) {
            let mut statement = self.conn.prepare("SELECT name FROM pragma_table_info(?1) WHERE pk > 0 ORDER BY pk")?;
            let key: Vec<String> = statement.query_map([table], |r| r.get(0))?.collect::<Result<_, _>>()?;
            let tail = if key.is_empty() {
                " ON CONFLICT DO NOTHING".to_owned()
            } else {
                format!(" ON CONFLICT ({}) DO NOTHING", quoted(&key).join(", "))
            };
            self.keys.insert(table.to_owned(), tail.into());
        }
        // An `Arc`: a row costs a count, not a copy of the clause.
        let tail = std::sync::Arc::clone(&self.keys[table]);
        self.insert_with(table, row, "INSERT", &tail)
    }

    fn insert_as(&mut self, table: &str, row: &Map<String, Value>, verb: &str) -> Result<(), StoreError> {
        self.insert_with(table, row, verb, "")
    }

    /// Inserts `row` with `verb` and `tail`; counts it as added or present.
    fn insert_with(&mut self, table: &str, row: &Map<String, Value>, verb: &str, tail: &str) -> Result<(), StoreError> {
        let same = self
            .statements
            .get(table)
            .is_some_and(|(kind, columns, _)| kind.strip_prefix(verb) == Some(tail) && columns.iter().eq(row.keys()));
        if !same {
            let columns: Vec<String> = row.keys().cloned().collect();
            let marks: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
            let sql =
                format!("{verb} INTO {table} ({}) VALUES ({}){tail}", quoted(&columns).join(", "), marks.join(", "));
            self.statements.insert(table.to_owned(), (format!("{verb}{tail}"), columns, sql));
        }
        let sql = &self.statements[table].2;
        // Text is bound where it lies in the row, not copied.
        let values: Vec<ToSqlOutput<'_>> = row
            .values()
            .map(|value| match value {
                Value::String(text) => ToSqlOutput::Borrowed(ValueRef::Text(text.as_bytes())),
                other => ToSqlOutput::Owned(sql_value(other)),
            })
            .collect();
        let changed = self
            .conn
            .prepare_cached(sql)?
            .execute(rusqlite::params_from_iter(values))
            .map_err(|error| refused(table, error))?;
        if changed == 0 {
            self.done.present += 1;
        } else if let Some(count) = self.done.added.get_mut(table) {
            *count += 1;
        } else {
            self.done.added.insert(table.to_owned(), 1);
        }
        Ok(())
    }
}

/// Column names as SQL identifiers.
fn quoted(names: &[String]) -> Vec<String> {
    names.iter().map(|c| format!("\"{}\"", c.replace('"', "\"\""))).collect()
}

/// Whether a bundle's audit entry is one a retention trim emptied (its
/// content is gone; its place, time and hashes are kept): checked for its
/// empty form and its link, not against its own hash, and restored into the
/// chain as it is (`audit verify` then holds it to the trim's digest).
#[must_use]
pub fn is_emptied(row: &Map<String, Value>) -> bool {
    row.get("action").and_then(Value::as_str) == Some(super::audit::checkpoint::EMPTIED)
}

/// An audit entry of a bundle whose hash matches its fields (or, for an
/// emptied one, that is empty as a trim leaves it): its seq, `prev_hash` and
/// hash.
///
/// # Errors
/// [`StoreError::WrongState`] for a malformed entry or one changed since it was hashed.
pub fn checked_audit_entry(row: &Map<String, Value>) -> Result<(i64, Vec<u8>, Vec<u8>), StoreError> {
    let text = |name: &str| row.get(name).and_then(Value::as_str).map(str::as_bytes);
    let blob =
        |name: &str| row.get(name).and_then(|v| v.get("hex")).and_then(Value::as_str).and_then(|h| hex::decode(h).ok());
    let bad = || StoreError::WrongState("an audit entry of the bundle is malformed".to_owned());
    let (prev, hash) = (blob("prev_hash").ok_or_else(bad)?, blob("hash").ok_or_else(bad)?);
    let seq = row.get("seq").and_then(Value::as_i64).ok_or_else(bad)?;
    if is_emptied(row) {
        let empty = ["actor", "actor_label"].iter().all(|c| text(c) == Some(b"".as_slice()))
            && row.get("target").is_some_and(Value::is_null)
            && row.get("client_addr").is_some_and(Value::is_null)
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
        return Ok((seq, prev, hash));
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
        prev_hash: &prev,
    };
    if entry_hash(&fields).as_slice() != hash.as_slice() {
        return Err(StoreError::WrongState(format!(
            "audit entry {seq} of the bundle does not match its own hash: it was changed after it was written"
        )));
    }
    Ok((seq, prev, hash))
}

/// A bundle's value as SQLite's: a BLOB is `{"hex": "..."}`.
fn sql_value(value: &Value) -> SqlValue {
    match value {
        Value::Null => SqlValue::Null,
        Value::Bool(b) => SqlValue::Integer(i64::from(*b)),
        Value::Number(n) => {
            n.as_i64().map_or_else(|| SqlValue::Real(n.as_f64().unwrap_or_default()), SqlValue::Integer)
        }
        Value::String(s) => SqlValue::Text(s.clone()),
        Value::Object(o) => match o.get("hex").and_then(Value::as_str).and_then(|h| hex::decode(h).ok()) {
            Some(bytes) => SqlValue::Blob(bytes),
            None => SqlValue::Text(value.to_string()),
        },
        Value::Array(_) => SqlValue::Text(value.to_string()),
    }
}

/// A refusal of the database, in words.
fn refused(table: &str, error: rusqlite::Error) -> StoreError {
    let text = error.to_string();
    if text.contains("UNIQUE") {
        StoreError::WrongState(format!(
            "a row of {table} in the bundle conflicts with a different row here (for a person, the same e-mail or \
             number under another id); nothing was restored"
        ))
    } else if text.contains("continue the chain") || text.contains("audit") {
        StoreError::WrongState(format!(
            "the bundle's audit entries do not continue one chain from its start ({text}); nothing was restored"
        ))
    } else {
        StoreError::Sqlite(error)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// Entry 1 of a chain as a bundle holds it.
    fn entry() -> Map<String, Value> {
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

    #[test]
    fn an_audit_entry_passes_only_with_the_fields_its_hash_covers() {
        assert_eq!(checked_audit_entry(&entry()).unwrap().0, 1);
        for (field, value) in [
            ("details", json!("{\"grade\":1}")),
            ("actor_label", json!("someone@else")),
            ("target", Value::Null),
            ("seq", json!(2)),
        ] {
            let mut changed = entry();
            changed.insert(field.to_owned(), value);
            let error = checked_audit_entry(&changed).unwrap_err().to_string();
            assert!(error.contains("does not match its own hash"), "{field}: {error}");
        }
        let mut malformed = entry();
        malformed.remove("hash");
        assert!(checked_audit_entry(&malformed).unwrap_err().to_string().contains("malformed"));
    }

    #[test]
    fn blobs_come_back_as_blobs_and_numbers_as_numbers() {
        assert_eq!(sql_value(&json!({ "hex": "00ff" })), SqlValue::Blob(vec![0, 255]));
        assert_eq!(sql_value(&json!(7)), SqlValue::Integer(7));
        assert_eq!(sql_value(&json!(0.5)), SqlValue::Real(0.5));
        assert_eq!(sql_value(&json!("x")), SqlValue::Text("x".to_owned()));
        assert_eq!(sql_value(&Value::Null), SqlValue::Null);
    }
}
