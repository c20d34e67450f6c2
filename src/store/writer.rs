//! The single writer of a database, committing in groups.
//!
//! Every write to a database goes through one connection on one thread. The
//! thread takes the first waiting job, then everything else already queued
//! (up to a limit), runs each job in its own savepoint inside one
//! transaction, commits once, and only then answers every caller. With
//! `synchronous=FULL` an answer therefore means "on disk": a student's save
//! is acknowledged only when it is durable, yet one fsync serves hundreds of
//! saves. A failing job rolls back its own savepoint and no one else's.
//! An optional hook runs after each successful commit, on the same thread
//! (organization databases use it to anchor their audit head).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use rusqlite::Connection;
use tokio::sync::{mpsc, oneshot};
use tracing::Span;

use super::StoreError;

/// What a job reports to its caller once the group's commit is known.
type Completion = Box<dyn FnOnce(Result<(), Arc<rusqlite::Error>>) + Send>;
/// A write job: runs on the writer thread inside the group's transaction
/// (`None` when the transaction could not begin, so the job must not run),
/// and returns how to answer its caller.
type Job = Box<dyn FnOnce(Option<&Connection>) -> Completion + Send>;

/// Runs on the writer thread after each successful group commit, once the
/// callers have their answers.
pub type AfterCommit = Box<dyn FnMut(&Connection) + Send>;

/// Work on the writer's connection outside any transaction (a checkpoint,
/// `VACUUM`), between two group commits.
type Outside = Box<dyn FnOnce(&Connection) + Send>;

enum Message {
    Job(Job),
    Outside(Outside),
    Close,
}

/// Jobs that may wait in the queue before callers feel backpressure.
const QUEUE_DEPTH: usize = 8192;

/// A handle to a database's writer thread. Cheap to clone.
#[derive(Clone)]
pub struct Writer {
    sender: mpsc::Sender<Message>,
    thread: Arc<Mutex<Option<JoinHandle<()>>>>,
}

impl Writer {
    /// Starts the writer thread on `conn`; at most `batch_limit` jobs share a commit.
    ///
    /// # Panics
    /// When the operating system cannot start a thread.
    #[must_use]
    pub fn start(conn: Connection, name: &str, batch_limit: usize) -> Self {
        Self::start_with(conn, name, batch_limit, None)
    }

    /// [`Writer::start`], with `after_commit` run after each successful commit.
    ///
    /// # Panics
    /// When the operating system cannot start a thread.
    #[must_use]
    pub fn start_with(conn: Connection, name: &str, batch_limit: usize, after_commit: Option<AfterCommit>) -> Self {
        let (sender, receiver) = mpsc::channel(QUEUE_DEPTH);
        let thread = std::thread::Builder::new()
            .name(format!("writer-{name}"))
            .spawn({
                // The metrics label, made once: each commit clones a pointer to it.
                let name = ::metrics::SharedString::from_shared(std::sync::Arc::<str>::from(name));
                move || run(&conn, &name, receiver, batch_limit.max(1), after_commit)
            })
            .expect("the operating system refused to start the writer thread");
        Self { sender, thread: Arc::new(Mutex::new(Some(thread))) }
    }

    /// Runs `work` in the next group commit and returns its result once the
    /// group is durable. If `work` fails, only its own changes are undone.
    ///
    /// # Errors
    /// The job's own error, the commit's error, or [`StoreError::Closed`].
    pub async fn write<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let (answer, answered) = oneshot::channel();
        let span = Span::current();
        let job: Job = Box::new(move |conn| {
            let outcome = match conn {
                Some(conn) => span.in_scope(|| in_savepoint(conn, work)),
                None => Err(StoreError::Closed),
            };
            Box::new(move |commit| {
                let result = match commit {
                    Ok(()) => outcome,
                    Err(error) => Err(StoreError::Sqlite(clone_sqlite_error(&error))),
                };
                let _ = answer.send(result);
            })
        });
        self.sender.send(Message::Job(job)).await.map_err(|_| StoreError::Closed)?;
        answered.await.map_err(|_| StoreError::Closed)?
    }

    /// Runs `work` on the writer's connection between two group commits,
    /// outside any transaction (for `PRAGMA wal_checkpoint` or `VACUUM`,
    /// which cannot run inside one). Writes queued meanwhile wait for it.
    ///
    /// # Errors
    /// The work's own error, or [`StoreError::Closed`].
    pub async fn outside<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let (answer, answered) = oneshot::channel();
        let span = Span::current();
        let job: Outside = Box::new(move |conn| {
            let outcome =
                catch_unwind(AssertUnwindSafe(|| span.in_scope(|| work(conn)))).unwrap_or(Err(StoreError::JobPanicked));
            let _ = answer.send(outcome);
        });
        self.sender.send(Message::Outside(job)).await.map_err(|_| StoreError::Closed)?;
        answered.await.map_err(|_| StoreError::Closed)?
    }

    /// How many jobs wait in the queue now.
    #[must_use]
    pub fn queued(&self) -> usize {
        self.sender.max_capacity() - self.sender.capacity()
    }

    /// Finishes every job queued before this call, stops the thread and waits
    /// for it. Later writes fail with [`StoreError::Closed`].
    pub async fn close(&self) {
        let _ = self.sender.send(Message::Close).await;
        join(&self.thread).await;
    }
}

/// Waits, off the async threads, for the thread in `slot` to end (once; later calls return at once).
pub(super) async fn join(slot: &Mutex<Option<std::thread::JoinHandle<()>>>) {
    let thread = slot.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
    if let Some(thread) = thread {
        let _ = tokio::task::spawn_blocking(move || thread.join()).await;
    }
}

fn run(
    conn: &Connection,
    name: &::metrics::SharedString,
    mut receiver: mpsc::Receiver<Message>,
    batch_limit: usize,
    mut after_commit: Option<AfterCommit>,
) {
    let mut batch = Vec::with_capacity(batch_limit);
    let mut closing = false;
    while !closing {
        match receiver.blocking_recv() {
            Some(Message::Job(job)) => batch.push(job),
            Some(Message::Outside(work)) => {
                work(conn);
                continue;
            }
            Some(Message::Close) | None => break,
        }
        let mut outside = None;
        while batch.len() < batch_limit {
            match receiver.try_recv() {
                Ok(Message::Job(job)) => batch.push(job),
                Ok(Message::Outside(work)) => {
                    // After the jobs queued before it, which commit first.
                    outside = Some(work);
                    break;
                }
                Ok(Message::Close) => {
                    closing = true;
                    break;
                }
                Err(_) => break,
            }
        }
        let started = std::time::Instant::now();
        let size = batch.len();
        let committed = commit_group(conn, batch.drain(..));
        // Looked up per commit, not once: the recorder may be installed
        // after the database opened (a no-op without one).
        ::metrics::histogram!("examhall_db_commit_duration_seconds", "database" => name.clone())
            .record(started.elapsed());
        #[allow(clippy::cast_precision_loss)]
        ::metrics::histogram!("examhall_db_commit_batch_size", "database" => name.clone()).record(size as f64);
        if let Some(hook) = after_commit.as_mut().filter(|_| committed) {
            hook(conn);
        }
        if let Some(work) = outside {
            work(conn);
        }
    }
    // Jobs sent after Close are answered with Closed when their channel drops.
    receiver.close();
}

/// Runs one group in one transaction; whether it committed.
fn commit_group(conn: &Connection, jobs: impl Iterator<Item = Job>) -> bool {
    if let Err(error) = conn.execute_batch("BEGIN IMMEDIATE") {
        tracing::error!(%error, "could not begin a write transaction");
        let error = Arc::new(error);
        for job in jobs {
            job(None)(Err(error.clone()));
        }
        return false;
    }
    let completions: Vec<Completion> = jobs.map(|job| job(Some(conn))).collect();
    let commit = conn.execute_batch("COMMIT").map_err(|error| {
        let _ = conn.execute_batch("ROLLBACK");
        tracing::error!(%error, "group commit failed; every write in it was rolled back");
        Arc::new(error)
    });
    let committed = commit.is_ok();
    for complete in completions {
        complete(commit.clone());
    }
    committed
}

/// Runs one job inside its own savepoint, so its failure undoes only its work.
fn in_savepoint<T, F>(conn: &Connection, work: F) -> Result<T, StoreError>
where
    F: FnOnce(&Connection) -> Result<T, StoreError>,
{
    // Cached statements: a group runs hundreds of these, and parsing them
    // each time is a measurable share of a save (docs/benchmarks.md).
    conn.prepare_cached("SAVEPOINT job")?.execute([])?;
    let outcome = catch_unwind(AssertUnwindSafe(|| work(conn))).unwrap_or(Err(StoreError::JobPanicked));
    if outcome.is_err() {
        conn.prepare_cached("ROLLBACK TO job")?.execute([])?;
    }
    conn.prepare_cached("RELEASE job")?.execute([])?;
    outcome
}

/// rusqlite errors are not `Clone`; a failed commit is reported to every job
/// of the group, so each gets an equivalent error.
fn clone_sqlite_error(error: &rusqlite::Error) -> rusqlite::Error {
    match error {
        rusqlite::Error::SqliteFailure(code, message) => rusqlite::Error::SqliteFailure(*code, message.clone()),
        other => rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ERROR),
            Some(other.to_string()),
        ),
    }
}
