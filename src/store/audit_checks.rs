//! The last daily check of each audit log (the platform's, `platform`, and
//! each organization's, by its id), kept in `platform.db` for the status
//! page.

use rusqlite::{Connection, params};
use time::OffsetDateTime;

use super::StoreError;
use super::audit::Verification;
use crate::clock::rfc3339;
use crate::domain::Timestamp;

/// One log's last check.
#[derive(Debug, Clone)]
pub struct AuditCheck {
    /// `platform`, or an organization's id.
    pub scope: String,
    /// When.
    pub checked_at: Timestamp,
    /// Whether the log was whole and unchanged.
    pub intact: bool,
    /// Entries found sound.
    pub entries: i64,
    /// The head, when there is one.
    pub head: Option<String>,
    /// The first problem, in words.
    pub problem: Option<String>,
}

/// Records `verification` as the last check of `scope`.
///
/// # Errors
/// SQL errors.
pub fn record(
    conn: &Connection,
    scope: &str,
    at: OffsetDateTime,
    verification: &Verification,
) -> Result<(), StoreError> {
    let problem = verification.problem.as_ref().map(|p| format!("entry {}: {}", p.seq, p.what));
    conn.execute(
        "INSERT INTO audit_checks (scope, checked_at, intact, entries, head, problem) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (scope) DO UPDATE SET checked_at = ?2, intact = ?3, entries = ?4, head = ?5, problem = ?6",
        params![
            scope,
            rfc3339(at),
            verification.is_intact(),
            verification.entries,
            verification.head.map(|h| h.to_string()),
            problem
        ],
    )?;
    Ok(())
}

/// Every log's last check.
///
/// # Errors
/// SQL errors.
pub fn list(conn: &Connection) -> Result<Vec<AuditCheck>, StoreError> {
    let mut statement =
        conn.prepare("SELECT scope, checked_at, intact, entries, head, problem FROM audit_checks ORDER BY scope")?;
    let rows = statement.query_map([], |r| {
        Ok(AuditCheck {
            scope: r.get(0)?,
            checked_at: r.get(1)?,
            intact: r.get(2)?,
            entries: r.get(3)?,
            head: r.get(4)?,
            problem: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
