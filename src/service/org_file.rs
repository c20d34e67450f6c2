//! An organization's database to read from: open as the server opens it,
//! or its file as it is (neither migrated nor anchored), for the command
//! line beside a running server. Queries that serve both take an
//! [`OrgFile`] and are written once.

use rusqlite::Connection;

use crate::domain::OrgId;
use crate::store::platform::Platform;
use crate::store::{Database, StoreError};

/// Where to read an organization from.
#[derive(Clone, Copy)]
pub enum OrgFile<'a> {
    /// The open database.
    Open(&'a Database),
    /// Organization `.1`'s file as it is.
    AsItIs(&'a Platform, OrgId),
}

impl OrgFile<'_> {
    /// Runs `work` on the database, reading.
    ///
    /// # Errors
    /// Those of `work`; storage errors; for a file as it is, one that is not
    /// the organization's own.
    pub async fn read<T: Send + 'static>(
        self,
        work: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        match self {
            Self::Open(db) => db.read(work).await,
            Self::AsItIs(platform, id) => platform.inspect_org(id, work).await,
        }
    }
}
