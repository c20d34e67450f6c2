//! Encrypted storage: one SQLCipher database for the platform and one per
//! organization, each with its own key.
//!
//! - [`keys`]: the master key and the per-database keys it wraps.
//! - [`connection`]: opening a database (key first, every pragma with its reason).
//! - [`writer`]: the single writer per database, committing in groups.
//! - [`readers`]: a small pool of read connections.
//! - [`migrations`]: versioned schema changes, run at open.
//! - [`platform`]: the platform database (organizations and their wrapped keys).
//! - [`anchors`] and [`org_refusal`]: each organization's audit head anchored
//!   in the platform database, and the checks at open that refuse a file.
//! - [`registry`]: the open organization databases of a running server.
//! - [`data_dir`]: the layout of the data directory and its lock.
//! - [`audit`]: the hash-chained audit log every database holds.

pub mod accounts;
pub mod anchors;
pub mod announcements;
pub mod attempts;
pub mod audit;
pub mod audit_checks;
pub mod backup;
pub mod backup_runs;
pub mod candidates;
mod checkpointer;
pub mod connection;
pub mod courses;
pub mod data_dir;
mod database;
pub mod doctor_reports;
pub mod erasure;
mod error;
pub mod exam_policies;
pub mod exam_questions;
pub mod exam_roster;
pub mod exams;
pub mod exports;
pub mod grading;
pub mod incidents;
pub mod keys;
pub mod marking;
pub mod master_key;
pub mod master_rotation;
pub mod migrations;
mod open_once;
mod org_keys;
mod org_open;
pub mod org_refusal;
pub mod organizations;
pub mod platform;
pub mod readers;
pub mod reencrypt;
pub mod registry;
pub mod restore;
pub mod retention;
pub mod roster;
pub mod signing_keys;
pub mod similarity;
mod sql_ids;
pub mod subject_access;
pub mod writer;

pub use connection::sqlcipher_version;

/// How an enum of `domain/` is stored: its serde name (`accept_queued`).
/// `ids` as a JSON array of text, for `IN (SELECT value FROM json_each(?))`:
/// one parameter whatever the number of ids.
pub(crate) fn json_ids<T: std::fmt::Display>(ids: &[T]) -> String {
    serde_json::Value::from(ids.iter().map(ToString::to_string).collect::<Vec<_>>()).to_string()
}

pub(crate) fn enum_text<T: serde::Serialize>(value: T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// An enum of `domain/` from its stored name.
pub(crate) fn enum_from<T: serde::de::DeserializeOwned>(text: &str) -> rusqlite::Result<T> {
    serde_json::from_value(serde_json::Value::String(text.to_owned()))
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))
}
pub use database::{Database, OpenOptions};
pub use error::StoreError;
