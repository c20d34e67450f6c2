//! A small pool of read-only connections.
//!
//! WAL lets readers run beside the writer. Each read borrows a connection,
//! runs on a blocking thread inside the caller's span, and returns it.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use rusqlite::Connection;
use tokio::sync::Semaphore;
use tracing::Span;

use super::StoreError;
use super::connection;
use super::keys::DatabaseKey;

/// Read connections of one database. Cheap to clone.
#[derive(Clone)]
pub struct Readers {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    key: DatabaseKey,
    idle: Mutex<Vec<Connection>>,
    permits: Semaphore,
    size: u32,
}

impl Readers {
    /// A pool of at most `size` connections to `path`, opened as needed.
    #[must_use]
    pub fn new(path: PathBuf, key: DatabaseKey, size: usize) -> Self {
        let size = size.clamp(1, 1024);
        let inner = Inner {
            path,
            key,
            idle: Mutex::new(Vec::new()),
            permits: Semaphore::new(size),
            size: u32::try_from(size).unwrap_or(1024),
        };
        Self { inner: Arc::new(inner) }
    }

    /// Runs `work` on a read connection, off the async threads.
    ///
    /// # Errors
    /// The error of `work`, or of opening a connection.
    pub async fn read<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let _permit = self.inner.permits.acquire().await.map_err(|_| StoreError::Closed)?;
        let inner = Arc::clone(&self.inner);
        let span = Span::current();
        let run = move || {
            let _entered = span.enter();
            let idle = inner.idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner).pop();
            let conn = match idle {
                Some(conn) => conn,
                None => connection::open(&inner.path, &inner.key, false)?,
            };
            let result = work(&conn);
            inner.idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(conn);
            result
        };
        tokio::task::spawn_blocking(run).await.map_err(|_| StoreError::JobPanicked)?
    }

    /// Closes the pool's connections now: reads in progress finish first.
    /// Left to the last clone of the pool, a connection could close much
    /// later (a task of a stopped server still holding the database) and,
    /// as the file's last connection, fold its WAL into whatever file then
    /// lies at the path. A read after this opens a connection again.
    pub async fn close(&self) {
        let all = self.inner.permits.acquire_many(self.inner.size).await;
        let idle = std::mem::take(&mut *self.inner.idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
        let _ = tokio::task::spawn_blocking(move || drop(idle)).await;
        drop(all);
    }
}
