//! Accounts, sessions and one-time links. The same tables exist in
//! `platform.db` (platform admins) and in each organization database (staff
//! and students), so these functions take a connection and work on either.
//! They run inside a caller's read or write closure, so an action and its
//! audit entry commit together.

pub mod links;
pub mod sessions;
pub mod users;

use rusqlite::OptionalExtension;

use super::StoreError;

/// Turns "no row" into `None`.
fn optional<T>(result: rusqlite::Result<T>) -> Result<Option<T>, StoreError> {
    Ok(result.optional()?)
}

/// Maps a UNIQUE violation to [`StoreError::Taken`] naming `what`.
pub(crate) fn conflict(error: rusqlite::Error, what: String) -> StoreError {
    conflict_on_unique(error, || what)
}

/// Maps a UNIQUE violation to [`StoreError::Taken`] naming `what`.
fn conflict_on_unique(error: rusqlite::Error, what: impl FnOnce() -> String) -> StoreError {
    match &error {
        rusqlite::Error::SqliteFailure(code, _) if code.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE => {
            StoreError::Taken(what())
        }
        _ => error.into(),
    }
}
