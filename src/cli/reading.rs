//! How the command line reads an organization without becoming a second
//! writer. Holding the data directory (no server runs), it opens the
//! database as the server does, which may migrate the file and anchor its
//! audit head. While a server holds the directory, it reads the file as it
//! is (`Platform::inspect_org`) and writes nothing: the server is the one
//! process that writes.

use super::CliError;
use crate::domain::OrgId;
use crate::service::org_file::OrgFile;
use crate::store::Database;
use crate::store::data_dir::{DataDirLock, LockError};
use crate::store::platform::Platform;

/// An organization open for reading.
pub enum OrgReader {
    /// No server runs: the directory is held and the database open.
    Holding {
        /// Held until the reading is done.
        _lock: DataDirLock,
        /// The database, opened as the server opens it.
        db: Database,
    },
    /// A server holds the directory: read the file as it is.
    AsItIs,
}

impl OrgReader {
    /// Opens organization `id` of `platform` for reading.
    ///
    /// # Errors
    /// What opening the database refused (a refused organization, a wrong key).
    pub async fn open(platform: &Platform, id: OrgId) -> Result<Self, CliError> {
        match platform.data_dir().lock() {
            Ok(lock) => Ok(Self::Holding { _lock: lock, db: platform.open_org(id).await? }),
            Err(LockError::Held { .. }) => Ok(Self::AsItIs),
            Err(other) => Err(other.into()),
        }
    }

    /// Where to read organization `id` of `platform` from.
    #[must_use]
    pub fn file<'a>(&'a self, platform: &'a Platform, id: OrgId) -> OrgFile<'a> {
        match self {
            Self::Holding { db, .. } => OrgFile::Open(db),
            Self::AsItIs => OrgFile::AsItIs(platform, id),
        }
    }

    /// Closes the database, if this reader opened one.
    pub async fn close(self) {
        if let Self::Holding { db, .. } = self {
            db.close().await;
        }
    }
}
