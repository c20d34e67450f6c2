//! The tamper-evident audit log of the platform and of each organization.
//!
//! Every sensitive action writes one entry with [`append`], inside the same
//! write transaction as the action, so the action and its record commit
//! together or not at all. Entries form a hash chain (the exact encoding is
//! in [`chain`]): each entry's hash covers its fields and the previous
//! entry's hash. The database itself refuses UPDATE and DELETE on the log,
//! and the one-row `audit_head` table remembers the newest entry, so that
//! cutting off the tail shows too. Someone holding the database key can
//! still rewrite everything; [`verify`] with an expected head taken earlier
//! (from a backup manifest, or a printed `examhall audit head`) catches that.
//!
//! The log never changes except through a [`checkpoint`]: an entry in the
//! chain that records the head it replaced, the head it continues and why,
//! so a head kept outside the server still verifies after a legitimate
//! rewrite. Entries never hold exam content ([`digest`]).
//!
//! - [`append`] and [`head`]: writing, and the newest entry.
//! - [`verify`]: walks the chain and names the first bad entry.
//! - [`checkpoint`]: the one sanctioned way to change the chain; [`history`]
//!   finds a head kept from before in the chain or behind a checkpoint.
//! - [`digest`]: hashes in place of exam content.
//! - [`list`] and [`write_csv`]: reading and export.
//! - [`refusals`]: repeated refusals gathered into one entry with a count.

pub mod chain;
pub mod checkpoint;
mod checkpoint_entry;
pub mod digest;
pub mod history;
mod query;
pub mod refusals;
pub mod trim;
mod verify;
mod verify_trims;

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use rusqlite::{Connection, params};
use time::OffsetDateTime;

pub use checkpoint::Checkpoint;
pub use history::{Found, locate};
pub use query::{AuditQuery, AuditRecord, MAX_LIMIT, about, csv_cell, list, times_refused, write_csv};
pub use verify::{Problem, Verification, verify};

use crate::store::StoreError;

/// How an audited action ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It was done.
    Success,
    /// It was attempted and failed (a wrong password, say).
    Failure,
    /// The actor was not allowed to do it.
    Denied,
}

impl Outcome {
    /// The stored form.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Failure => "failure",
            Self::Denied => "denied",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        match text {
            "success" => Some(Self::Success),
            "failure" => Some(Self::Failure),
            "denied" => Some(Self::Denied),
            _ => None,
        }
    }
}

/// Who performs audited actions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The stable identity: a user id, `cli:<unix user>`, or `system`.
    pub id: String,
    /// For humans: an email address or a name.
    pub label: String,
}

impl Actor {
    /// examhall itself (scheduled jobs, start-up work).
    #[must_use]
    pub fn system() -> Self {
        Self { id: "system".to_owned(), label: "examhall".to_owned() }
    }

    /// The person running the command line: `cli:<login name>` from `USER`,
    /// or `cli:<uid>` when `USER` is unset or not a plausible login name.
    /// Anyone who can run the command line holds the master key anyway, so
    /// this names the person rather than proving who it is; the label keeps
    /// the effective uid beside the name.
    #[must_use]
    pub fn command_line() -> Self {
        let uid = rustix::process::geteuid().as_raw();
        Self::command_line_as(uid, std::env::var("USER").ok().as_deref(), "command line")
    }

    /// [`Actor::command_line`] for a command that reached the running
    /// server on its admin socket: `login` is what the command line said
    /// its `USER` was, `uid` what the socket proved.
    #[must_use]
    pub fn command_line_through_server(uid: u32, login: Option<&str>) -> Self {
        Self::command_line_as(uid, login, "command line, through the running server")
    }

    fn command_line_as(uid: u32, login: Option<&str>, how: &str) -> Self {
        let name = login.filter(|name| {
            !name.is_empty() && name.len() <= 64 && name.chars().all(|c| c.is_alphanumeric() || "._-@$".contains(c))
        });
        match name {
            Some(name) => Self { id: format!("cli:{name}"), label: format!("{name} (uid {uid}, {how})") },
            None => Self { id: format!("cli:{uid}"), label: format!("uid {uid} ({how})") },
        }
    }
}

/// One audited action, before it is appended.
///
/// `details` is a JSON object of facts that help an investigation (a slug, a
/// changed setting, a count). It never holds a secret: no password, token,
/// key or exam content, because the log is exported and kept for years.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    /// A user id, `cli:<unix user>`, or `system`.
    pub actor: String,
    /// The actor's email or name, for humans.
    pub actor_label: String,
    /// A dotted verb: `user.create`, `session.sign_in`, `org.create`.
    pub action: String,
    /// What was acted on (usually an id).
    pub target: Option<String>,
    /// How it ended.
    pub outcome: Outcome,
    /// The client's address, for actions that came over the network.
    pub client_addr: Option<IpAddr>,
    /// A JSON object; never secrets.
    pub details: serde_json::Value,
}

impl AuditEvent {
    /// A successful `action` by `actor`, with no target, address or details.
    #[must_use]
    pub fn new(actor: impl Into<String>, actor_label: impl Into<String>, action: impl Into<String>) -> Self {
        Self {
            actor: actor.into(),
            actor_label: actor_label.into(),
            action: action.into(),
            target: None,
            outcome: Outcome::Success,
            client_addr: None,
            details: serde_json::Value::Object(serde_json::Map::new()),
        }
    }

    /// A successful `action` by `actor`.
    #[must_use]
    pub fn by(actor: &Actor, action: impl Into<String>) -> Self {
        Self::new(actor.id.clone(), actor.label.clone(), action)
    }

    /// What was acted on.
    #[must_use]
    pub fn target(mut self, target: impl Into<String>) -> Self {
        self.target = Some(target.into());
        self
    }

    /// How it ended (success unless set).
    #[must_use]
    pub fn outcome(mut self, outcome: Outcome) -> Self {
        self.outcome = outcome;
        self
    }

    /// Where the request came from.
    #[must_use]
    pub fn client(mut self, addr: IpAddr) -> Self {
        self.client_addr = Some(addr);
        self
    }

    /// Facts for an investigation: a JSON object, never secrets. The
    /// database refuses anything but an object.
    #[must_use]
    pub fn details(mut self, details: serde_json::Value) -> Self {
        self.details = details;
        self
    }
}

/// The newest entry of a log: its sequence number and hash. Printed and
/// parsed as `SEQ:HEX`, the form kept in backup manifests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditHead {
    /// The entry's sequence number (0 for the empty log).
    pub seq: i64,
    /// The entry's hash (zeros for the empty log).
    pub hash: [u8; 32],
}

impl AuditHead {
    /// The head of a log with no entries; every chain starts from it.
    pub const EMPTY: Self = Self { seq: 0, hash: chain::GENESIS };
}

impl fmt::Display for AuditHead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.seq, hex::encode(self.hash))
    }
}

/// Why a text is not an audit head.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an audit head is SEQ:HEX: a sequence number, a colon and 64 hexadecimal characters")]
pub struct InvalidHead;

impl FromStr for AuditHead {
    type Err = InvalidHead;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (seq, digest) = text.trim().split_once(':').ok_or(InvalidHead)?;
        let seq: i64 = seq.parse().map_err(|_| InvalidHead)?;
        let mut hash = [0u8; 32];
        hex::decode_to_slice(digest, &mut hash).map_err(|_| InvalidHead)?;
        if seq < 0 {
            return Err(InvalidHead);
        }
        Ok(Self { seq, hash })
    }
}

/// Appends `event`, which happened `at`, to the log of the database `conn`
/// belongs to, and returns the new head.
///
/// Runs inside the caller's transaction (the job of a `Database::write`),
/// so the entry commits with the action it records, or neither does. The
/// new entry continues from `audit_head` rather than from the last row, so
/// a tail cut off earlier stays visible as a gap.
///
/// # Errors
/// SQL errors, including the database's refusal of `details` that are not
/// a JSON object.
pub fn append(conn: &Connection, event: &AuditEvent, at: OffsetDateTime) -> Result<AuditHead, StoreError> {
    let at = chain::format_at(at);
    let client_addr = event.client_addr.map(|addr| addr.to_string());
    let details = event.details.to_string();
    insert(
        conn,
        &EntryText {
            at: &at,
            actor: &event.actor,
            actor_label: &event.actor_label,
            action: &event.action,
            target: event.target.as_deref(),
            outcome: event.outcome.as_str(),
            client_addr: client_addr.as_deref(),
            details: &details,
        },
    )
}

/// An entry's fields in their stored text form.
struct EntryText<'a> {
    at: &'a str,
    actor: &'a str,
    actor_label: &'a str,
    action: &'a str,
    target: Option<&'a str>,
    outcome: &'a str,
    client_addr: Option<&'a str>,
    details: &'a str,
}

/// Appends an entry given as stored text after `audit_head`; the new head.
fn insert(conn: &Connection, entry: &EntryText<'_>) -> Result<AuditHead, StoreError> {
    let (prev_seq, prev_hash): (i64, [u8; 32]) = conn
        .prepare_cached("SELECT seq, hash FROM audit_head WHERE singleton = 1")?
        .query_row([], |row| Ok((row.get(0)?, row.get(1)?)))?;
    let seq = prev_seq + 1;
    let hash = chain::entry_hash(&chain::Fields {
        seq,
        at: entry.at.as_bytes(),
        actor: entry.actor.as_bytes(),
        actor_label: entry.actor_label.as_bytes(),
        action: entry.action.as_bytes(),
        target: entry.target.map(str::as_bytes),
        outcome: entry.outcome.as_bytes(),
        client_addr: entry.client_addr.map(str::as_bytes),
        details: entry.details.as_bytes(),
        prev_hash: &prev_hash,
    });
    conn.prepare_cached(
        "INSERT INTO audit_log (seq, at, actor, actor_label, action, target, outcome, client_addr, details, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        seq,
        entry.at,
        entry.actor,
        entry.actor_label,
        entry.action,
        entry.target,
        entry.outcome,
        entry.client_addr,
        entry.details,
        prev_hash,
        hash,
    ])?;
    Ok(AuditHead { seq, hash })
}

/// The newest entry as `audit_head` records it; `None` for an empty log.
///
/// # Errors
/// SQL errors.
pub fn head(conn: &Connection) -> Result<Option<AuditHead>, StoreError> {
    let head = conn
        .prepare_cached("SELECT seq, hash FROM audit_head WHERE singleton = 1")?
        .query_row([], |row| Ok(AuditHead { seq: row.get(0)?, hash: row.get(1)? }))?;
    Ok((head.seq > 0).then_some(head))
}

#[cfg(test)]
mod checkpoint_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod trim_tests;
