//! Accounts, sessions and one-time links. The same tables exist in
//! `platform.db` (platform admins) and in each organization database (staff
//! and students), so these functions take a connection and work on either.
//! They run inside a caller's read or write closure, so an action and its
//! audit entry commit together.

pub mod links;
pub mod org_admins;
pub mod sessions;
pub mod users;

use rusqlite::OptionalExtension;

use super::StoreError;

/// Turns "no row" into `None`.
fn optional<T>(result: rusqlite::Result<T>) -> Result<Option<T>, StoreError> {
    Ok(result.optional()?)
}
