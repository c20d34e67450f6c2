//! Reading an audit log: on screen, exported (the export itself is
//! audited, in the same transaction as the read), verified, or its head.

use super::OrgActor;
use super::org_file::OrgFile;
use crate::state::AppState;
use crate::store::audit::{self, AuditHead, AuditQuery, AuditRecord, Found, Verification};
use crate::store::{Database, StoreError};

/// The entries that `query` selects.
///
/// # Errors
/// Storage errors.
pub async fn list(db: &Database, query: AuditQuery) -> Result<Vec<AuditRecord>, StoreError> {
    db.read(move |conn| audit::list(conn, &query)).await
}

/// Up to [`audit::MAX_LIMIT`] entries that `query` selects, for an export
/// recorded as `audit.export` with its count.
///
/// # Errors
/// Storage errors.
pub async fn export(state: &AppState, admin: &OrgActor, mut query: AuditQuery) -> Result<Vec<AuditRecord>, StoreError> {
    query.limit = audit::MAX_LIMIT;
    let now = state.clock().now();
    let event = admin.actor.event("audit.export");
    admin
        .db
        .write(move |conn| {
            let records = audit::list(conn, &query)?;
            audit::append(conn, &event.details(serde_json::json!({ "entries": records.len() })), now)?;
            Ok(records)
        })
        .await
}

/// Verifies the hash chain of the log, and that it holds `expected`. A
/// refused organization is verified from its file as it is.
///
/// # Errors
/// Storage errors.
pub async fn verify(file: OrgFile<'_>, expected: Option<AuditHead>) -> Result<Verification, StoreError> {
    file.read(move |conn| audit::verify(conn, expected.as_ref())).await
}

/// The newest entry of the organization's log, and where `expected` stands in it.
///
/// # Errors
/// Storage errors.
pub async fn head(
    file: OrgFile<'_>,
    expected: Option<AuditHead>,
) -> Result<(Option<AuditHead>, Option<Found>), StoreError> {
    file.read(move |conn| {
        let found = expected.map(|e| audit::locate(conn, &e)).transpose()?;
        Ok((audit::head(conn)?, found.flatten()))
    })
    .await
}
