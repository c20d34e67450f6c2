//! Copying the WAL into the database file on a thread and connection of its
//! own. SQLite checkpoints inside the commit that crosses its threshold,
//! and every save waiting for that commit waits for the copy too: with the
//! long WAL of [`super::connection`] that was tens of milliseconds at the
//! 99th percentile of a 2,000-student drill. Here a passive checkpoint
//! follows commits at most every [`PAUSE`], beside the writer, never
//! blocking it; the writer's own checkpoint stays as the bound should this
//! thread fall behind (docs/benchmarks.md, "The write path at its limit").

use std::path::Path;
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rusqlite::Connection;

use super::connection;
use super::keys::DatabaseKey;
use super::writer::AfterCommit;

/// The shortest time between two checkpoints: each syncs the WAL and the
/// file, and commits in between coalesce into the next one.
const PAUSE: Duration = Duration::from_millis(200);

/// The checkpointing thread of one database. Cheap to clone.
#[derive(Clone)]
pub(super) struct Checkpointer {
    thread: Arc<Mutex<Option<JoinHandle<()>>>>,
}

impl Checkpointer {
    /// Starts checkpointing `path` after the commits `then` is told of;
    /// returns the thread and the writer's after-commit hook, which runs
    /// `then` first. The thread ends when the hook is dropped (the writer
    /// stopped). Without a connection of its own it logs why and leaves
    /// checkpoints to the writer.
    pub(super) fn start(path: &Path, key: &DatabaseKey, name: &str, then: Option<AfterCommit>) -> (Self, AfterCommit) {
        let (tell, told) = sync_channel::<()>(1);
        let started = connection::open(path, key, false).and_then(|conn| {
            std::thread::Builder::new()
                .name(format!("checkpoint-{name}"))
                .spawn(move || run(&conn, &told))
                .map_err(super::StoreError::io("start a thread for", path))
        });
        let thread = match started {
            Ok(thread) => Some(thread),
            Err(error) => {
                tracing::warn!(%error, "checkpoints stay with the writer");
                None
            }
        };
        (Self { thread: Arc::new(Mutex::new(thread)) }, hook(tell, then))
    }

    /// No thread: checkpoints stay with the writer.
    pub(super) fn none() -> Self {
        Self { thread: Arc::new(Mutex::new(None)) }
    }

    /// Waits for the thread to end (after the writer stopped).
    pub(super) async fn close(&self) {
        super::writer::join(&self.thread).await;
    }
}

fn hook(tell: SyncSender<()>, then: Option<AfterCommit>) -> AfterCommit {
    let mut then = then;
    Box::new(move |conn| {
        if let Some(then) = then.as_mut() {
            then(conn);
        }
        // Full means a checkpoint is already due: this commit joins it.
        let _ = tell.try_send(());
    })
}

/// Checkpoints after each commit it is told of, at most once per [`PAUSE`].
fn run(conn: &Connection, told: &Receiver<()>) {
    let mut due = told.recv().is_ok();
    while due {
        let until = Instant::now() + PAUSE;
        // PASSIVE: never waits for the writer or a reader; frames a reader
        // still needs are copied by a later checkpoint.
        if let Err(error) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
            tracing::warn!(%error, "a background checkpoint failed; the next commit tries again");
        }
        due = false;
        loop {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            match told.recv_timeout(left) {
                Ok(()) => due = true,
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
        if !due {
            due = told.recv().is_ok();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::database::{Database, OpenOptions};
    use super::super::migrations;
    use super::*;

    #[tokio::test]
    async fn commits_reach_the_database_file_without_the_writer_checkpointing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("org.db");
        let options = OpenOptions { create: true, ..OpenOptions::default() };
        let db = Database::open(&path, &DatabaseKey::generate(), migrations::ORG, options).unwrap();
        let before = std::fs::metadata(&path).unwrap().len();
        // About 1,500 pages: far below the writer's own threshold of 16,384.
        db.write(|conn| {
            conn.execute_batch(
                "CREATE TABLE t(x BLOB);
                 WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1500)
                 INSERT INTO t SELECT randomblob(3500) FROM n;",
            )?;
            Ok(())
        })
        .await
        .unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::fs::metadata(&path).unwrap().len() < before + 5_000_000 {
            assert!(Instant::now() < deadline, "the commit never reached the database file");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        db.close().await;
    }
}
