//! The data directory: where each file lives, that it stays private to the
//! service user, and the lock that keeps a second server off it.
//!
//! ```text
//! <data_dir>/
//!   platform.db        organizations, wrapped keys
//!   orgs/<id>.db       one organization each
//!   tls/               cert.pem, key.pem
//!   staging/           temporary files of backups
//!   logs/              daily log files (unless configured elsewhere)
//! ```

use std::fs::{File, OpenOptions, Permissions, TryLockError};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
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

    /// The socket on which a running server takes commands from the
    /// command line (owner-only, never on the network).
    #[must_use]
    pub fn admin_socket(&self) -> PathBuf {
        self.root.join("admin.sock")
    }

    /// The platform database.
    #[must_use]
    pub fn platform_db(&self) -> PathBuf {
        self.root.join("platform.db")
    }

    /// The public half of the appliance's signing key, in PEM.
    #[must_use]
    pub fn signing_pub(&self) -> PathBuf {
        self.root.join("signing.pub")
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

    /// Removes what a crash left in the staging folder (bundles written for
    /// an upload that never finished); call only while holding the lock.
    /// Returns how many files were removed.
    #[must_use]
    pub fn empty_staging(&self, _held: &DataDirLock) -> usize {
        let Ok(entries) = std::fs::read_dir(self.staging()) else { return 0 };
        entries
            .flatten()
            .filter(|entry| entry.file_type().is_ok_and(|kind| kind.is_file()))
            .filter(|entry| std::fs::remove_file(entry.path()).is_ok())
            .count()
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

    /// Creates the directory tree, private to the service user (0700). A
    /// folder that exists already (one a package or an admin made for
    /// examhall) is made private too.
    ///
    /// # Errors
    /// When a folder cannot be created or its mode set.
    pub fn create_tree(&self) -> std::io::Result<()> {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true).mode(0o700);
        for dir in [self.root.clone(), self.orgs(), self.tls(), self.staging()] {
            builder.create(&dir)?;
            std::fs::set_permissions(&dir, Permissions::from_mode(0o700))?;
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

/// From now on, files and folders this process creates are private to the
/// service user (umask 077): log files, SQLite's `-wal` and `-shm` files and
/// every later folder get no permission for group or others, whatever umask
/// the shell or the service manager started examhall with.
pub fn keep_new_files_private() {
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
}

/// Checks that folder `path` belongs to the user examhall runs as and that
/// group and others have no permission on it.
///
/// # Errors
/// [`PrivacyError`], whose message says how to fix it.
pub fn check_private_dir(path: &Path) -> Result<(), PrivacyError> {
    let metadata = std::fs::metadata(path).map_err(|source| PrivacyError::Io { path: path.to_owned(), source })?;
    Ok(crate::private_path::check(path, &metadata)?)
}

/// Creates folder `path` (0700) if it is missing, then checks it is private.
///
/// # Errors
/// When it cannot be created, or see [`check_private_dir`].
pub fn ensure_private_dir(path: &Path) -> Result<(), PrivacyError> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path)
        .map_err(|source| PrivacyError::Io { path: path.to_owned(), source })?;
    check_private_dir(path)
}

/// Why a folder of examhall's is not private.
#[derive(Debug, thiserror::Error)]
pub enum PrivacyError {
    /// Another user owns it, or group or others have a permission on it.
    #[error(transparent)]
    NotPrivate(#[from] crate::private_path::NotPrivate),
    /// It cannot be read or created.
    #[error("{path}: {source}")]
    Io {
        /// The folder.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
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
    fn a_folder_others_may_enter_is_refused_with_the_command_that_fixes_it() {
        let dir = tempfile::tempdir().unwrap();
        let logs = dir.path().join("logs");
        ensure_private_dir(&logs).unwrap();
        assert_eq!(std::fs::metadata(&logs).unwrap().permissions().mode() & 0o777, 0o700);
        std::fs::set_permissions(&logs, Permissions::from_mode(0o750)).unwrap();
        let error = ensure_private_dir(&logs).unwrap_err();
        assert!(error.to_string().ends_with(&format!("fix it with: chmod 700 {}", logs.display())), "{error}");
        let data = DataDir::new(dir.path().join("data"));
        std::fs::DirBuilder::new().mode(0o755).create(data.root()).unwrap();
        data.create_tree().unwrap();
        for folder in [data.root().to_owned(), data.orgs(), data.tls(), data.staging()] {
            assert_eq!(std::fs::metadata(&folder).unwrap().permissions().mode() & 0o777, 0o700, "{folder:?}");
        }
    }

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
