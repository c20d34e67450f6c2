//! `examhall keys rotate-master`: a new master key, crash-safe.
//!
//! The master key opens `platform.db` (through the key derived from it) and
//! unwraps every organization's key and the signing key's seed stored there.
//! Rotating it touches two files, the key file and `platform.db`, so it goes
//! in steps with one commit point:
//!
//! 1. the new key is written to `<key file>.next` and synced;
//! 2. a copy of `platform.db` encrypted under the new key, with every wrapped
//!    key rewrapped and the audit entry `keys.rotate_master` appended, is
//!    written to `platform.db.next`, synced and proved ([`reencrypt`]);
//! 3. the copy is renamed over `platform.db`: the commit point;
//! 4. `<key file>.next` is renamed over the key file, and the copies of
//!    `platform.db` taken before a migration (which the old key opens) are
//!    removed.
//!
//! A crash before step 3 leaves the old key opening the untouched
//! `platform.db`; after it, the new key in `<key file>.next` opens the new
//! one. [`load`] reads whichever key opens `platform.db`, and when the
//! caller holds the data directory it finishes or undoes the rotation (step
//! 4, or removing the leftovers), so a kill at any step leaves a key that
//! opens everything.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use time::OffsetDateTime;

use super::data_dir::{DataDir, DataDirLock};
use super::keys::MasterKey;
use super::master_key::{self, MasterKeyError};
use super::{StoreError, audit, reencrypt};
use crate::failpoint;
use crate::signing::WRAP_CONTEXT;

/// Loads the master key (see [`master_key::load`]). When a rotation was
/// interrupted, the key that opens `platform.db` is returned, and with
/// `held` (this process holds the data directory) the rotation is finished
/// or undone on disk.
///
/// # Errors
/// See [`MasterKeyError`].
pub fn load(data: &DataDir, key_file: &Path, held: Option<&DataDirLock>) -> Result<MasterKey, MasterKeyError> {
    let current = master_key::load(key_file)?;
    // Where a rotation keeps the new key until `platform.db` needs it.
    let pending_file = reencrypt::next_path(key_file);
    if !master_key::comes_from_file() || !pending_file.exists() {
        return Ok(current);
    }
    let platform = data.platform_db();
    if reencrypt::opens(&platform, &current.platform_db_key()) {
        if held.is_some() {
            // Stopped before the commit point: the old key stays in force.
            let copy = reencrypt::next_path(&platform);
            reencrypt::remove_if_there(&copy).map_err(io(&copy))?;
            reencrypt::remove_if_there(&pending_file).map_err(io(&pending_file))?;
            tracing::warn!(key_file = %key_file.display(), "undid a master key rotation that stopped before it took effect");
        }
        return Ok(current);
    }
    let pending = master_key::read_file(&pending_file)?;
    if !reencrypt::opens(&platform, &pending.platform_db_key()) {
        // Neither opens it: opening platform.db reports the wrong key.
        return Ok(current);
    }
    if held.is_some() {
        finish(key_file, &pending_file, &platform)?;
        tracing::warn!(key_file = %key_file.display(), "finished a master key rotation that stopped after it took effect");
    }
    Ok(pending)
}

/// Step 4, once `platform.db` opens with the key in `pending_file` only:
/// that key replaces the one in `key_file`, and the copies of `platform.db`
/// taken before a migration, which the old key opens, are removed. Shared
/// by a rotation and by [`load`] finishing an interrupted one.
fn finish(key_file: &Path, pending_file: &Path, platform: &Path) -> Result<(), MasterKeyError> {
    std::fs::rename(pending_file, key_file).map_err(io(pending_file))?;
    reencrypt::sync_dir(key_file).map_err(io(key_file))?;
    for copy in super::migrations::prune_copies(platform) {
        tracing::info!(copy = %copy.display(), "removed a pre-migration copy under the old master key");
    }
    Ok(())
}

/// Reports an I/O error on `path` as [`MasterKeyError::Io`].
fn io(path: &Path) -> impl FnOnce(std::io::Error) -> MasterKeyError + use<> {
    let path = path.to_owned();
    move |source| MasterKeyError::Io { path, source }
}

/// What a rotation rewrapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rotated {
    /// Organizations' database keys.
    pub org_keys: usize,
    /// Signing keys' seeds (current and retired).
    pub signing_keys: usize,
}

/// Why a rotation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum RotationError {
    /// The key comes from the environment or a credential, which examhall cannot rewrite.
    #[error(
        "the master key comes from {0}, which examhall cannot rewrite; rotate it with the key in a key file (storage.master_key_file), then put the new key where the old one came from"
    )]
    NotFromFile(&'static str),
    /// The key could not be read or written.
    #[error(transparent)]
    Key(#[from] MasterKeyError),
    /// `platform.db` could not be re-encrypted.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A step after the commit point failed: `platform.db` opens only with
    /// the new key, which is still in `pending` alone.
    #[error(
        "platform.db is re-encrypted and now opens only with the new master key in {}, but finishing the rotation failed: {source}; do not remove or change that file: the next examhall command that takes the data directory (starting the server, or any change made while it is stopped) finishes the rotation",
        pending.display()
    )]
    AfterCommit {
        /// The file holding the new key (`<key file>.next`).
        pending: PathBuf,
        /// What failed.
        source: MasterKeyError,
    },
}

/// Rotates the master key in `key_file` (see the module documentation).
/// Nothing may have `platform.db` open; `held` proves this process holds
/// the data directory.
///
/// # Errors
/// See [`RotationError`]. On an error before the commit point (the rename of
/// `platform.db.next` over `platform.db`) nothing changed; after it,
/// [`RotationError::AfterCommit`]: `platform.db` opens with the new key,
/// which only the pending key file holds until the rotation is finished.
pub fn rotate(
    data: &DataDir,
    key_file: &Path,
    held: &DataDirLock,
    event: &audit::AuditEvent,
    now: OffsetDateTime,
) -> Result<Rotated, RotationError> {
    if let Some(source) = master_key::other_source() {
        return Err(RotationError::NotFromFile(source));
    }
    let old = Arc::new(load(data, key_file, Some(held))?);
    let new = Arc::new(MasterKey::generate());
    let pending_file = reencrypt::next_path(key_file);
    master_key::write_new(&pending_file, &new)?;
    reencrypt::sync_dir(&pending_file).map_err(StoreError::io("sync the folder of", &pending_file))?;
    failpoint::hit("rotate-master:new-key-written");
    let platform = data.platform_db();
    let mut rotated = Rotated { org_keys: 0, signing_keys: 0 };
    let copy = reencrypt::write_copy(&platform, &old.platform_db_key(), &new.platform_db_key(), |conn| {
        rotated = rewrap(conn, &old, &new)?;
        let details = serde_json::json!({ "org_keys": rotated.org_keys, "signing_keys": rotated.signing_keys });
        audit::append(conn, &event.clone().details(details), now)?;
        Ok(())
    });
    let copy = match copy {
        Ok(copy) => copy,
        Err(error) => {
            let _ = reencrypt::remove_if_there(&pending_file);
            return Err(error.into());
        }
    };
    failpoint::hit("rotate-master:copy-written");
    // The commit point.
    std::fs::rename(&copy, &platform).map_err(StoreError::io("rename", &copy))?;
    let finished = reencrypt::sync_dir(&platform).map_err(io(&platform)).and_then(|()| {
        failpoint::hit("rotate-master:platform-swapped");
        finish(key_file, &pending_file, &platform)
    });
    finished.map_err(|source| RotationError::AfterCommit { pending: pending_file, source })?;
    Ok(rotated)
}

/// Rewraps, in the copy `conn`, every key the old master key wrapped.
fn rewrap(conn: &rusqlite::Connection, old: &MasterKey, new: &MasterKey) -> Result<Rotated, StoreError> {
    let orgs: Vec<(String, Vec<u8>, Option<Vec<u8>>)> = conn
        .prepare("SELECT id, wrapped_key, next_wrapped_key FROM organizations")?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
        .collect::<Result<_, _>>()?;
    for (id, wrapped, next) in &orgs {
        let key = new.wrap(&old.unwrap(wrapped, id)?, id);
        let next = next.as_ref().map(|next| old.unwrap(next, id).map(|k| new.wrap(&k, id))).transpose()?;
        conn.execute(
            "UPDATE organizations SET wrapped_key = ?2, next_wrapped_key = ?3 WHERE id = ?1",
            rusqlite::params![id, key, next],
        )?;
    }
    let seeds: Vec<(i64, Vec<u8>)> = conn
        .prepare("SELECT id, wrapped_seed FROM signing_keys")?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (id, wrapped) in &seeds {
        let seed = new.wrap_secret(&old.unwrap_secret(wrapped, WRAP_CONTEXT)?, WRAP_CONTEXT);
        conn.execute("UPDATE signing_keys SET wrapped_seed = ?2 WHERE id = ?1", rusqlite::params![id, seed])?;
    }
    Ok(Rotated { org_keys: orgs.len(), signing_keys: seeds.len() })
}
