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
}

impl Readers {
    /// A pool of at most `size` connections to `path`, opened as needed.
    #[must_use]
    pub fn new(path: PathBuf, key: DatabaseKey, size: usize) -> Self {
        let inner = Inner { path, key, idle: Mutex::new(Vec::new()), permits: Semaphore::new(size.max(1)) };
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
}
