//! Why an organization's database is not served, and the checks at open
//! that find out: the file is the organization's own, and its audit chain
//! still holds the head `platform.db` anchored for it.
//!
//! A refused organization answers 503 to its users until IT has looked: the
//! fix is to put the right file back, or to accept the file's head with
//! `examhall audit accept-head` (an audited checkpoint). Nothing is repaired
//! automatically, because every automatic repair would hide a rollback.

use std::fmt;
use std::path::PathBuf;

use rusqlite::{Connection, OptionalExtension};

use super::StoreError;
use crate::domain::OrgId;
use crate::store::audit::{self, AuditHead};

/// An organization the server will not serve, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The organization.
    pub org: OrgId,
    /// Its slug, for messages.
    pub slug: String,
    /// Its database file.
    pub file: PathBuf,
    /// What was found.
    pub reason: RefusalReason,
}

/// What was wrong with the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefusalReason {
    /// There is no file.
    Missing,
    /// The organization's key does not open the file.
    NotItsKey,
    /// The file records that it belongs to another organization.
    AnotherOrganization {
        /// The organization id the file records.
        file_org: String,
    },
    /// The file does not record which organization it belongs to.
    NoIdentity,
    /// The file's audit chain no longer holds the head `platform.db`
    /// anchored: the file was rolled back.
    Behind {
        /// The head `platform.db` recorded.
        anchored: AuditHead,
        /// The file's head.
        head: AuditHead,
    },
    /// The audit log is damaged, so this version's upgrade of it cannot run.
    AuditNotIntact {
        /// The first bad entry.
        seq: i64,
        /// What is wrong with it.
        what: String,
    },
}

impl Refusal {
    /// What IT should do about it, for the command line and the log.
    #[must_use]
    pub fn what_to_do(&self) -> String {
        let slug = &self.slug;
        match &self.reason {
            RefusalReason::Behind { .. } => format!(
                "find out why the file is older than platform.db says (an old copy or a backup put in place, a \
                 deleted -wal file, a crash of the disk), using `examhall audit verify --org {slug}`; then put the \
                 newest file back, or, to serve the file as it is, run `examhall audit accept-head --org {slug} \
                 --reason \"...\"` (recorded in both audit logs)"
            ),
            RefusalReason::Missing
            | RefusalReason::NotItsKey
            | RefusalReason::AnotherOrganization { .. }
            | RefusalReason::NoIdentity => {
                format!(
                    "put organization {slug}'s own database back at {} (from its latest backup); the file there now \
                     must not be served as {slug}",
                    self.file.display()
                )
            }
            RefusalReason::AuditNotIntact { .. } => format!(
                "run `examhall audit verify --org {slug}` and restore the organization's database from the last \
                 backup whose audit log verifies"
            ),
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (slug, file) = (&self.slug, self.file.display());
        write!(f, "organization {slug} is not served: ")?;
        match &self.reason {
            RefusalReason::Missing => write!(f, "{file} is missing"),
            RefusalReason::NotItsKey => {
                write!(f, "{file} does not open with {slug}'s key (it is another organization's file, or damaged)")
            }
            RefusalReason::AnotherOrganization { file_org } => write!(
                f,
                "{file} belongs to organization {file_org}, not to {slug} ({}): a file was copied or renamed into \
                 the wrong place",
                self.org
            ),
            RefusalReason::NoIdentity => write!(f, "{file} does not record which organization it belongs to"),
            RefusalReason::Behind { anchored, head } => write!(
                f,
                "platform.db recorded entry {} ({anchored}) as its audit head, but the file's audit log does not \
                 hold that entry (its head is entry {}): {file} was rolled back (an older copy put in place, or a \
                 lost -wal file) or its log was cut, and what happened after that entry is missing",
                anchored.seq, head.seq
            ),
            RefusalReason::AuditNotIntact { seq, what } => {
                write!(f, "its audit log is not intact at entry {seq} ({what}), so it cannot be upgraded")
            }
        }
    }
}

/// Checks that the file open on `conn` records `org` as its organization.
///
/// # Errors
/// The [`RefusalReason`] when it does not; SQL errors.
pub fn check_identity(conn: &Connection, org: OrgId) -> Result<Result<(), RefusalReason>, StoreError> {
    let has_table: Option<i64> = conn
        .query_row("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'organization'", [], |r| r.get(0))
        .optional()?;
    if has_table.is_none() {
        return Ok(Err(RefusalReason::NoIdentity));
    }
    let recorded: Option<String> =
        conn.query_row("SELECT id FROM organization WHERE singleton = 1", [], |row| row.get(0)).optional()?;
    Ok(match recorded {
        None => Err(RefusalReason::NoIdentity),
        Some(id) if id == org.to_string() => Ok(()),
        Some(file_org) => Err(RefusalReason::AnotherOrganization { file_org }),
    })
}

/// Checks that the audit log on `conn` still holds `anchored` (the head
/// `platform.db` recorded), in its chain or replaced by a checkpoint. No
/// anchor (an organization from before anchoring) passes.
///
/// # Errors
/// The [`RefusalReason`] when it does not; SQL errors.
pub fn check_anchor(conn: &Connection, anchored: Option<&AuditHead>) -> Result<Result<(), RefusalReason>, StoreError> {
    let Some(anchored) = anchored else { return Ok(Ok(())) };
    if audit::locate(conn, anchored)?.is_some() {
        return Ok(Ok(()));
    }
    let head = current_head(conn)?;
    Ok(Err(RefusalReason::Behind { anchored: *anchored, head }))
}

/// The head of the log on `conn`; the empty head when it has no log yet.
fn current_head(conn: &Connection) -> Result<AuditHead, StoreError> {
    let head = conn
        .query_row("SELECT seq, hash FROM audit_head WHERE singleton = 1", [], |row| {
            Ok(AuditHead { seq: row.get(0)?, hash: row.get(1)? })
        })
        .optional();
    match head {
        Ok(found) => Ok(found.unwrap_or(AuditHead::EMPTY)),
        // A file from before the audit log: nothing to compare.
        Err(rusqlite::Error::SqliteFailure(_, Some(message))) if message.contains("no such table") => {
            Ok(AuditHead::EMPTY)
        }
        Err(other) => Err(other.into()),
    }
}
