//! Accepting a head kept outside (printed by `audit head`, e.g. by an
//! installer before an upgrade it then rolled back) that a log no longer
//! holds: an `accept` checkpoint names it, so it is found in the log's
//! history, and the platform log records who accepted an organization's.

use crate::domain::OrgId;
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::audit::{self, Actor, AuditEvent, AuditHead, Checkpoint};

/// Records that `head` is no longer in the log of organization `org` (the
/// platform's when `None`), by `actor`, for `reason`. `None` when the log
/// holds `head` already (nothing is written).
///
/// # Errors
/// [`StoreError::AuditNotIntact`] when the log does not verify; storage errors.
pub async fn accept_replaced(
    state: &AppState,
    actor: &Actor,
    org: Option<OrgId>,
    head: AuditHead,
    reason: &str,
) -> Result<Option<Checkpoint>, StoreError> {
    let now = state.clock().now();
    let platform = state.registry().platform();
    let db = match org {
        Some(id) => state.registry().org(id).await?,
        None => platform.db().clone(),
    };
    let (by, why) = (actor.clone(), reason.to_owned());
    let written = db.write(move |conn| audit::checkpoint::accept(conn, &by, &why, now, &head)).await?;
    if let (Some(checkpoint), Some(id)) = (&written, org) {
        let details = serde_json::json!({
            "reason": reason,
            "old_head": checkpoint.old_head.to_string(),
            "new_head": checkpoint.head().to_string(),
        });
        let event = AuditEvent::by(actor, "org.accept_head").target(id.to_string()).details(details);
        platform.db().write(move |conn| audit::append(conn, &event, now).map(|_| ())).await?;
    }
    Ok(written)
}
