//! Reading an audit log: on screen, exported (the export itself is
//! audited, in the same transaction as the read), verified, or its head.

use super::OrgActor;
use crate::audit::{self, AuditHead, AuditQuery, AuditRecord, Found, Verification};
use crate::domain::OrgId;
use crate::state::AppState;
use crate::store::platform::Platform;
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

/// Verifies the hash chain of `db`'s log, and that it holds `expected`.
///
/// # Errors
/// Storage errors.
pub async fn verify(db: &Database, expected: Option<AuditHead>) -> Result<Verification, StoreError> {
    db.read(move |conn| audit::verify(conn, expected.as_ref())).await
}

/// [`verify`] on organization `id`'s file as it is, for one the server
/// refuses: neither migrated nor checked against its anchor.
///
/// # Errors
/// Storage errors; a file that is not the organization's own.
pub async fn verify_as_it_is(
    platform: &Platform,
    id: OrgId,
    expected: Option<AuditHead>,
) -> Result<Verification, StoreError> {
    platform.inspect_org(id, move |conn| audit::verify(conn, expected.as_ref())).await
}

/// The newest entry of `db`'s log, and where `expected` stands in it.
///
/// # Errors
/// Storage errors.
pub async fn head(
    db: &Database,
    expected: Option<AuditHead>,
) -> Result<(Option<AuditHead>, Option<Found>), StoreError> {
    db.read(move |conn| {
        let found = expected.map(|e| audit::locate(conn, &e)).transpose()?;
        Ok((audit::head(conn)?, found.flatten()))
    })
    .await
}

/// [`head`] on organization `id`'s file as it is (neither migrated nor
/// anchored): what the command line reads while a server holds the data
/// directory, so that it writes nothing behind the server's back.
///
/// # Errors
/// Storage errors; a file that is not the organization's own.
pub async fn head_as_it_is(
    platform: &Platform,
    id: OrgId,
    expected: Option<AuditHead>,
) -> Result<(Option<AuditHead>, Option<Found>), StoreError> {
    platform
        .inspect_org(id, move |conn| {
            let found = expected.map(|e| audit::locate(conn, &e)).transpose()?;
            Ok((audit::head(conn)?, found.flatten()))
        })
        .await
}
