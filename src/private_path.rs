//! Files and folders that hold secrets (the master key, the data and log
//! folders, the S3 credentials) must be private to the user examhall runs
//! as: owned by it, with no permission for group or others. One check for
//! all of them, below every layer that keeps such a file.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Why a file or folder is not private; the message says how to fix it.
#[derive(Debug, thiserror::Error)]
pub enum NotPrivate {
    /// Group or others have a permission on it.
    #[error("{path} is open to other users (mode {mode:04o}); fix it with: chmod {fix:o} {path}")]
    Open {
        /// The file or folder.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
        /// The mode that fixes it: 600 for a file, 700 for a folder.
        fix: u32,
    },
    /// Another user owns it.
    #[error("{path} belongs to uid {owner}, but examhall runs as uid {user}; fix it with: chown {user} {path}")]
    WrongOwner {
        /// The file or folder.
        path: PathBuf,
        /// Its owner.
        owner: u32,
        /// The user examhall runs as.
        user: u32,
    },
}

/// Checks that `path`, whose metadata is `metadata` (taken from the handle
/// that is then read, where there is one), is private to this user.
///
/// # Errors
/// [`NotPrivate`].
pub fn check(path: &Path, metadata: &std::fs::Metadata) -> Result<(), NotPrivate> {
    let mode = metadata.permissions().mode() & 0o7777;
    if mode & 0o077 != 0 {
        let fix = if metadata.is_dir() { 0o700 } else { 0o600 };
        return Err(NotPrivate::Open { path: path.to_owned(), mode, fix });
    }
    let user = rustix::process::geteuid().as_raw();
    if metadata.uid() != user {
        return Err(NotPrivate::WrongOwner { path: path.to_owned(), owner: metadata.uid(), user });
    }
    Ok(())
}
