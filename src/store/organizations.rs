//! Changes to organizations by platform admins: rename, (de)activate.

use rusqlite::{OptionalExtension, params};

use super::StoreError;
use super::platform::{OrgStatus, Platform};
use crate::domain::{OrgId, OrgName};

impl Platform {
    /// Whether organization `id` exists and is in service.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn is_active(&self, id: OrgId) -> Result<bool, StoreError> {
        let status: Option<String> = self
            .db()
            .read(move |conn| {
                Ok(conn
                    .query_row("SELECT status FROM organizations WHERE id = ?1", [id], |row| row.get(0))
                    .optional()?)
            })
            .await?;
        Ok(status.as_deref() == Some(OrgStatus::Active.as_str()))
    }
}

/// Renames organization `id` inside a platform write.
///
/// # Errors
/// [`StoreError::NotFound`] for an unknown organization.
pub fn rename(conn: &rusqlite::Connection, id: OrgId, name: &OrgName) -> Result<(), StoreError> {
    let changed = conn.execute("UPDATE organizations SET name = ?2 WHERE id = ?1", params![id, name.as_str()])?;
    if changed == 0 { Err(StoreError::NotFound("organization".to_owned())) } else { Ok(()) }
}

/// Ends every session in an organization's own database (inside a write of
/// that database). Deactivation calls it, so reactivating an organization
/// signs nobody back in: a session that was live before stays ended.
///
/// # Errors
/// Storage errors.
pub fn end_all_sessions(conn: &rusqlite::Connection) -> Result<usize, StoreError> {
    Ok(conn.execute("DELETE FROM sessions", [])?)
}

/// Marks organization `id` (inside a platform write) so that every session
/// in its file ends the next time the file opens: for a deactivation while
/// the file is refused.
///
/// # Errors
/// Storage errors.
pub fn end_sessions_at_open(conn: &rusqlite::Connection, id: OrgId) -> Result<(), StoreError> {
    conn.execute("UPDATE organizations SET end_sessions_at_open = 1 WHERE id = ?1", [id])?;
    Ok(())
}

/// Activates or deactivates organization `id` inside a platform write.
///
/// # Errors
/// [`StoreError::NotFound`] for an unknown organization.
pub fn set_status(conn: &rusqlite::Connection, id: OrgId, status: OrgStatus) -> Result<(), StoreError> {
    let changed = conn.execute("UPDATE organizations SET status = ?2 WHERE id = ?1", params![id, status.as_str()])?;
    if changed == 0 { Err(StoreError::NotFound("organization".to_owned())) } else { Ok(()) }
}
