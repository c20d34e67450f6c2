//! The last report of the doctor's checks that the server ran itself, kept
//! in `platform.db` for the platform's status page.

use rusqlite::{Connection, OptionalExtension as _, params};
use time::OffsetDateTime;

use super::StoreError;
use crate::clock::rfc3339;
use crate::domain::Timestamp;

/// A stored report: when, and its checks as JSON (the service reads them).
#[derive(Debug, Clone)]
pub struct StoredReport {
    /// When the checks ran.
    pub ran_at: Timestamp,
    /// The checks, a JSON array.
    pub checks: String,
}

/// Replaces the last report with `checks` (a JSON array) run at `at`.
///
/// # Errors
/// SQL errors, or `checks` that is not a JSON array.
pub fn record(conn: &Connection, at: OffsetDateTime, checks: &str) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO doctor_reports (singleton, ran_at, checks) VALUES (1, ?1, ?2)
         ON CONFLICT (singleton) DO UPDATE SET ran_at = ?1, checks = ?2",
        params![rfc3339(at), checks],
    )?;
    Ok(())
}

/// The last report, if the server ran the checks yet.
///
/// # Errors
/// SQL errors.
pub fn latest(conn: &Connection) -> Result<Option<StoredReport>, StoreError> {
    Ok(conn
        .query_row("SELECT ran_at, checks FROM doctor_reports WHERE singleton = 1", [], |row| {
            Ok(StoredReport { ran_at: row.get(0)?, checks: row.get(1)? })
        })
        .optional()?)
}
