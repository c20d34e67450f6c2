//! Reading an organization's audit log: on screen, or exported (the export
//! itself is audited, in the same transaction as the read).

use super::OrgActor;
use crate::audit::{self, AuditQuery, AuditRecord};
use crate::state::AppState;
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
