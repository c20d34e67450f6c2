//! One open database: its writer and its readers.

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use super::checkpointer::Checkpointer;
use super::keys::DatabaseKey;
use super::migrations::{self, Migration};
use super::readers::Readers;
use super::writer::{AfterCommit, Writer};
use super::{StoreError, connection};

/// An open, migrated database. Cheap to clone; all clones share one writer.
#[derive(Clone)]
pub struct Database {
    path: PathBuf,
    writer: Writer,
    checkpointer: Checkpointer,
    readers: Readers,
}

/// How a database is opened: pool sizes and whether it may be created.
#[derive(Debug, Clone, Copy)]
pub struct OpenOptions {
    /// Create the file if it is missing.
    pub create: bool,
    /// Read connections in the pool.
    pub readers: usize,
    /// Jobs that may share one commit.
    pub batch_limit: usize,
    /// Checkpoint on a thread beside the writer (`storage.background_checkpoints`).
    pub background_checkpoints: bool,
}

impl Default for OpenOptions {
    fn default() -> Self {
        Self { create: false, readers: 4, batch_limit: 1024, background_checkpoints: true }
    }
}

impl Database {
    /// Opens `path` with `key`, runs pending `migrations` (taking a copy of
    /// the file first), and starts the writer.
    ///
    /// # Errors
    /// A wrong key, a schema newer than this binary, or a failed migration.
    pub fn open(
        path: &Path,
        key: &DatabaseKey,
        migrations: &[Migration],
        options: OpenOptions,
    ) -> Result<Self, StoreError> {
        let mut conn = connection::open(path, key, options.create)?;
        migrations::run(&mut conn, path, migrations)?;
        Ok(Self::start(conn, path, key, options, None))
    }

    /// Starts the writer on `conn` (open and migrated by the caller, which
    /// checked what it had to first) with `after_commit`, the thread that
    /// checkpoints after its commits (unless `options` say otherwise), and the readers.
    #[must_use]
    pub fn start(
        conn: Connection,
        path: &Path,
        key: &DatabaseKey,
        options: OpenOptions,
        after_commit: Option<AfterCommit>,
    ) -> Self {
        let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or("db");
        let (checkpointer, after_commit) = if options.background_checkpoints {
            let (checkpointer, hook) = Checkpointer::start(path, key, name, after_commit);
            (checkpointer, Some(hook))
        } else {
            (Checkpointer::none(), after_commit)
        };
        Self {
            path: path.to_owned(),
            writer: Writer::start_with(conn, name, options.batch_limit, after_commit),
            checkpointer,
            readers: Readers::new(path.to_owned(), key.clone(), options.readers),
        }
    }

    /// How many writes wait for the writer now.
    #[must_use]
    pub fn queued(&self) -> usize {
        self.writer.queued()
    }

    /// The database file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes through the group-committing writer; returns once durable.
    ///
    /// # Errors
    /// See [`Writer::write`].
    pub async fn write<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        self.writer.write(work).await
    }

    /// Runs `work` on the writer's connection outside any transaction; see [`Writer::outside`].
    ///
    /// # Errors
    /// See [`Writer::outside`].
    pub async fn outside<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        self.writer.outside(work).await
    }

    /// Reads on a pooled connection.
    ///
    /// # Errors
    /// See [`Readers::read`].
    pub async fn read<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        self.readers.read(work).await
    }

    /// Finishes queued writes and stops the writer (later writes fail with
    /// [`StoreError::Closed`]) and its checkpoints, then lets reads in
    /// progress finish and closes every read connection.
    pub async fn close(&self) {
        self.writer.close().await;
        self.checkpointer.close().await;
        self.readers.close().await;
    }
}
