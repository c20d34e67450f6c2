//! The data directory: where each file lives, and the lock that keeps a
//! second server off it.
//!
//! ```text
//! <data_dir>/
//!   platform.db        organizations, wrapped keys
//!   orgs/<id>.db       one organization each
//!   tls/               cert.pem, key.pem
//!   staging/           temporary files of backups
//!   logs/              daily log files (unless configured elsewhere)
//! ```

use std::fs::{File, OpenOptions, TryLockError};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use crate::domain::OrgId;

/// Paths inside one data directory.
#[derive(Debug, Clone)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    /// The layout under `root`.
    #[must_use]
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The directory itself.
    #[must_use]
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The platform database.
    #[must_use]
    pub fn platform_db(&self) -> PathBuf {
        self.root.join("platform.db")
    }

    /// The folder of organization databases.
    #[must_use]
    pub fn orgs(&self) -> PathBuf {
        self.root.join("orgs")
    }

    /// One organization's database.
    #[must_use]
    pub fn org_db(&self, id: OrgId) -> PathBuf {
        self.orgs().join(format!("{id}.db"))
    }

    /// The TLS folder.
    #[must_use]
    pub fn tls(&self) -> PathBuf {
        self.root.join("tls")
    }

    /// Temporary files of backups; emptied after use.
    #[must_use]
    pub fn staging(&self) -> PathBuf {
        self.root.join("staging")
    }

    /// The default master key file.
    #[must_use]
    pub fn default_master_key(&self) -> PathBuf {
        self.root.join("master.key")
    }

    /// The default log folder.
    #[must_use]
    pub fn default_logs(&self) -> PathBuf {
        self.root.join("logs")
    }

    /// Creates the directory tree, private to the service user (0700).
    ///
    /// # Errors
    /// When a folder cannot be created.
    pub fn create_tree(&self) -> std::io::Result<()> {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true).mode(0o700);
        for dir in [self.root.clone(), self.orgs(), self.tls(), self.staging()] {
            builder.create(&dir)?;
        }
        Ok(())
    }

    /// Takes the exclusive lock that one running server holds on the
    /// directory for its whole life. The operating system drops it when the
    /// process ends, however it ends.
    ///
    /// # Errors
    /// [`LockError::Held`] when another process holds it.
    pub fn lock(&self) -> Result<DataDirLock, LockError> {
        let path = self.root.join(".lock");
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600)
            .open(&path)
            .map_err(|source| LockError::Io { path: path.clone(), source })?;
        match file.try_lock() {
            Ok(()) => Ok(DataDirLock { _file: file }),
            Err(TryLockError::WouldBlock) => Err(LockError::Held { dir: self.root.clone() }),
            Err(TryLockError::Error(source)) => Err(LockError::Io { path, source }),
        }
    }
}

/// Held while a server uses the directory.
#[derive(Debug)]
pub struct DataDirLock {
    _file: File,
}

/// Why the data directory could not be locked.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another examhall process is serving this directory.
    #[error(
        "another examhall server is already using {dir}; stop it first (systemctl stop examhall), or give this one another --data-dir"
    )]
    Held {
        /// The data directory.
        dir: PathBuf,
    },
    /// The lock file could not be opened.
    #[error("cannot open the lock file {path}: {source}")]
    Io {
        /// The lock file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_the_same_directory_is_refused_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let data = DataDir::new(dir.path());
        let first = data.lock().unwrap();
        assert!(matches!(data.lock(), Err(LockError::Held { .. })));
        drop(first);
        assert!(data.lock().is_ok());
    }
}
