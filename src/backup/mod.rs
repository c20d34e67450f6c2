//! Backup bundles: what one holds, and how it is written and read.
//!
//! A bundle is a tar stream, compressed with zstd, encrypted with age to the
//! backup officers' public keys, so the standard tools open it:
//!
//! ```text
//! age -d -i officer.key exam.tar.zst.age | zstd -d | tar x
//! ```
//!
//! Its members, in this order:
//! - `data/<table>-<n>.ndjson`: a table's rows, one JSON object per line
//!   (column → value; a BLOB is `{"hex": "..."}`), in chunks of at most
//!   [`CHUNK_BYTES`] so neither writing nor reading holds a whole table;
//! - `manifest.json`: what the bundle is (format version, organization,
//!   exam, time, versions, the organization's audit head) and each member's
//!   table, row count, size and SHA-256;
//! - `manifest.json.sig`: the appliance's Ed25519 signature of
//!   `manifest.json`'s exact bytes (64 raw bytes; `openssl pkeyutl -verify
//!   -pubin -inkey signing.pub -rawin` checks it).
//!
//! The manifest comes last because it holds every member's hash, known
//! only once the member is written: the rows are read once, streamed, and
//! never touch the disk in plaintext.

mod batch;
mod json_text;
mod reader;
mod recipients;
mod row;
pub mod s3;
mod writer;

pub use batch::Value;
pub use reader::{Opened, ReadError, RowsError, for_each_row, for_each_row_of, read};
pub use recipients::{identities_from_file, identities_from_text, parse_recipients};
pub use row::{Field, Row};
pub use writer::{BundleWriter, Written};

use serde::{Deserialize, Serialize};

/// The bundle format this build writes, and the newest it reads.
pub const FORMAT_VERSION: u32 = 1;
/// What `manifest.json` says it is.
pub const FORMAT_NAME: &str = "examhall-backup";
/// The largest NDJSON member before a table continues in the next one.
pub const CHUNK_BYTES: usize = 4 * 1024 * 1024;
/// The manifest's member name.
pub const MANIFEST: &str = "manifest.json";
/// The signature's member name.
pub const SIGNATURE: &str = "manifest.json.sig";

/// What a bundle holds: one exam, or a whole organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// One exam, with the organization rows it refers to.
    Exam,
    /// Every backed-up table of an organization.
    Organization,
}

/// `manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// [`FORMAT_NAME`].
    pub format: String,
    /// [`FORMAT_VERSION`] when written.
    pub format_version: u32,
    /// Exam or organization.
    pub kind: Kind,
    /// The organization.
    pub organization: OrgRef,
    /// The exam, for an exam bundle.
    pub exam: Option<ExamRef>,
    /// When the bundle was made (RFC 3339, UTC).
    pub created_at: String,
    /// The examhall version that made it.
    pub examhall_version: String,
    /// The organization database's schema version.
    pub schema_version: u32,
    /// The organization's audit chain head when the rows were read (`SEQ:HEX`).
    pub audit_head: String,
    /// The signing key's public half (hex), to tell which key signed.
    pub signing_key: String,
    /// The members, in the order they appear.
    pub members: Vec<Member>,
}

/// The organization of a bundle.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgRef {
    /// Its id.
    pub id: String,
    /// Its slug.
    pub slug: String,
    /// Its display name (kept in `platform.db`, so a restore onto a new
    /// appliance can give it back).
    pub name: String,
}

/// The exam of an exam bundle.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExamRef {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
}

/// One NDJSON member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Member {
    /// Its path in the tar stream.
    pub name: String,
    /// The table its rows belong to.
    pub table: String,
    /// How many rows (lines) it holds.
    pub rows: u64,
    /// Its size in bytes.
    pub bytes: u64,
    /// The SHA-256 of its bytes, in hex.
    pub sha256: String,
}

impl Manifest {
    /// Rows per table, over all its members.
    #[must_use]
    pub fn rows_by_table(&self) -> std::collections::BTreeMap<&str, u64> {
        let mut rows = std::collections::BTreeMap::new();
        for member in &self.members {
            *rows.entry(member.table.as_str()).or_default() += member.rows;
        }
        rows
    }
}
