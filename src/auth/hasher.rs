//! The server's password hashing: a few dedicated threads, each reusing one
//! preallocated argon2 workspace, fed by a bounded queue that serves client
//! addresses in turn.
//!
//! Why not tokio's blocking pool: each argon2 run needs 19 MiB, and spread
//! over hundreds of short-lived blocking threads (each with its own malloc
//! arena, which keeps freed memory) a burst of sign-ins took the process to
//! gigabytes. Here memory is `threads x 19 MiB`, allocated on a thread's
//! first job and kept. When the queue is full the caller is told to come back
//! later (503 with `Retry-After`) instead of waiting without bound; and since
//! the queue takes one job per address in turn, a flood from a few addresses
//! delays someone elsewhere by a few hashes at most.

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, Ipv4Addr};
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use super::password::{self, NewPassword, Workspace};
use super::rate_limit::address_group;

/// The most threads chosen automatically (each holds 19 MiB).
const MAX_AUTO_THREADS: usize = 4;
/// Seconds a caller is asked to wait when the queue is full.
pub const RETRY_AFTER_SECS: u64 = 1;

type Job = Box<dyn FnOnce(&mut Workspace) + Send>;

/// Why a hash was not computed.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    /// The queue (or this address's share of it) is full.
    #[error("password checks are queued to capacity")]
    Busy,
    /// The job panicked or the pool stopped.
    #[error("the password hashing pool failed")]
    Failed,
}

#[derive(Default)]
struct Queue {
    /// Waiting jobs per address group.
    jobs: HashMap<IpAddr, VecDeque<Job>>,
    /// Address groups with waiting jobs, in serving order.
    turns: VecDeque<IpAddr>,
    waiting: usize,
    closed: bool,
}

impl Queue {
    fn pop(&mut self) -> Option<Job> {
        let group = self.turns.pop_front()?;
        let jobs = self.jobs.get_mut(&group)?;
        let job = jobs.pop_front();
        if jobs.is_empty() {
            self.jobs.remove(&group);
        } else {
            self.turns.push_back(group);
        }
        self.waiting -= 1;
        job
    }
}

struct Shared {
    queue: Mutex<Queue>,
    ready: Condvar,
    capacity: usize,
    per_address: usize,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A fixed pool of hashing threads. Dropping it stops them once their
/// queue is empty.
pub struct HashPool {
    shared: Arc<Shared>,
    threads: usize,
}

impl HashPool {
    /// Starts `threads` threads (0: the available cores, at most 4) at nice
    /// value `niceness` (see [`yield_to_the_rest`]) with a queue of `queue`
    /// jobs, of which one address may hold a quarter.
    ///
    /// # Panics
    /// When the operating system refuses to start a thread.
    #[must_use]
    pub fn start(threads: usize, queue: usize, niceness: i32) -> Self {
        let threads = if threads == 0 {
            std::thread::available_parallelism().map_or(2, std::num::NonZero::get).min(MAX_AUTO_THREADS)
        } else {
            threads
        };
        let capacity = queue.max(1);
        let shared = Arc::new(Shared {
            queue: Mutex::new(Queue::default()),
            ready: Condvar::new(),
            capacity,
            per_address: (capacity / 4).max(1),
        });
        for index in 0..threads {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name(format!("examhall-hash-{index}"))
                .spawn(move || {
                    yield_to_the_rest(niceness);
                    work(&shared);
                })
                .expect("a password hashing thread");
        }
        Self { shared, threads }
    }

    /// How many threads hash.
    #[must_use]
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Jobs waiting for a thread now.
    #[must_use]
    pub fn waiting(&self) -> usize {
        self.shared.lock().waiting
    }

    /// Runs `job` on a hashing thread with its workspace, queued behind the
    /// jobs of other addresses in turn. `client` is whose request it is.
    ///
    /// # Errors
    /// [`HashError::Busy`] when the queue or the client's share is full;
    /// [`HashError::Failed`] when the job panicked.
    pub async fn run<T: Send + 'static>(
        &self,
        client: Option<IpAddr>,
        job: impl FnOnce(&mut Workspace) -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let group = client.map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), address_group);
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |workspace| {
            let _ = reply.send(job(workspace));
        });
        {
            let mut queue = self.shared.lock();
            let mine = queue.jobs.get(&group).map_or(0, VecDeque::len);
            if queue.waiting >= self.shared.capacity || mine >= self.shared.per_address {
                return Err(HashError::Busy);
            }
            if mine == 0 {
                queue.turns.push_back(group);
            }
            queue.jobs.entry(group).or_default().push_back(job);
            queue.waiting += 1;
        }
        self.shared.ready.notify_one();
        answer.await.map_err(|_| HashError::Failed)
    }

    /// Whether `password` matches `stored` (see [`password::verify`]).
    ///
    /// # Errors
    /// See [`HashPool::run`].
    pub async fn verify(
        &self,
        client: Option<IpAddr>,
        password: String,
        stored: Option<String>,
    ) -> Result<bool, HashError> {
        let password = zeroize::Zeroizing::new(password);
        self.run(client, move |workspace| password::verify_in(&password, stored.as_deref(), workspace)).await
    }

    /// [`HashPool::verify`], and the password's hash at the current setting
    /// when it matched a hash made with an earlier one (see
    /// [`password::verify_upgrading_in`]).
    ///
    /// # Errors
    /// See [`HashPool::run`].
    pub async fn verify_upgrading(
        &self,
        client: Option<IpAddr>,
        password: String,
        stored: Option<String>,
    ) -> Result<(bool, Option<String>), HashError> {
        let password = zeroize::Zeroizing::new(password);
        self.run(client, move |workspace| password::verify_upgrading_in(&password, stored.as_deref(), workspace)).await
    }

    /// The stored form of `password`.
    ///
    /// # Errors
    /// See [`HashPool::run`].
    pub async fn hash(&self, client: Option<IpAddr>, password: NewPassword) -> Result<String, HashError> {
        self.run(client, move |workspace| password.hash_in(workspace)).await
    }
}

impl Drop for HashPool {
    fn drop(&mut self) {
        self.shared.lock().closed = true;
        self.shared.ready.notify_all();
    }
}

/// Lowers the calling thread's priority by `niceness` below the server's
/// own (capped at 19, the lowest; never raised). The scheduler weighs a
/// thread at nice 10 about a tenth of one at 0 (`auth.hash_niceness`, 10 by
/// default), so while a sign-in storm keeps every core hashing, the
/// students already in still get their saves answered at once; when nothing
/// else runs, hashing has every core to itself. Linux keeps a nice value per
/// thread, so only the hashing threads are lowered.
fn yield_to_the_rest(niceness: i32) {
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{getpriority_process, setpriority_process};
        let me = Some(rustix::thread::gettid());
        let lowered = getpriority_process(me).and_then(|now| setpriority_process(me, (now + niceness).min(19)));
        if let Err(error) = lowered {
            tracing::warn!(%error, "password hashing runs at the server's priority: a sign-in storm may slow saves");
        }
    }
    // Elsewhere the setting has no effect (examhall is served from Linux).
    #[cfg(not(target_os = "linux"))]
    let _ = niceness;
}

/// One hashing thread: takes jobs until the pool is dropped and drained.
/// The workspace is allocated at the first job and reused for every job
/// after; a job that panics costs only its own answer.
fn work(shared: &Shared) {
    let mut workspace: Option<Workspace> = None;
    loop {
        let job = {
            let mut queue = shared.lock();
            loop {
                if let Some(job) = queue.pop() {
                    break job;
                }
                if queue.closed {
                    return;
                }
                queue = shared.ready.wait(queue).unwrap_or_else(std::sync::PoisonError::into_inner);
            }
        };
        let space = workspace.get_or_insert_with(Workspace::new);
        if std::panic::catch_unwind(AssertUnwindSafe(|| job(space))).is_err() {
            workspace = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> Option<IpAddr> {
        text.parse().ok()
    }

    #[tokio::test]
    async fn hashes_and_checks_on_the_pool_in_the_stored_format() {
        let pool = HashPool::start(1, 8, 0);
        let new = NewPassword::parse("lantern-orbit-walnut").unwrap();
        let hash = pool.hash(ip("192.0.2.1"), new).await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=9216,t=4,p=1$"), "{hash}");
        assert!(pool.verify(None, "lantern-orbit-walnut".to_owned(), Some(hash.clone())).await.unwrap());
        assert!(!pool.verify(None, "lantern-orbit-walnuts".to_owned(), Some(hash)).await.unwrap());
        assert!(!pool.verify(None, "anything".to_owned(), None).await.unwrap());
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn hashing_threads_run_nicer_than_the_rest_of_the_server() {
        use rustix::process::getpriority_process;
        let nice_here = || getpriority_process(Some(rustix::thread::gettid())).unwrap();
        let before = nice_here();
        let pool = HashPool::start(2, 8, 10);
        let hashing = pool.run(None, move |_| nice_here()).await.unwrap();
        assert_eq!(hashing, (before + 10).min(19), "the hashing thread yields");
        assert_eq!(nice_here(), before, "the caller's thread keeps its priority");
    }

    #[tokio::test]
    async fn a_full_queue_answers_busy_and_one_address_cannot_take_it_all() {
        let pool = Arc::new(HashPool::start(1, 8, 0));
        let (started, on_start) = tokio::sync::oneshot::channel::<()>();
        let (release, released) = std::sync::mpsc::channel::<()>();
        let blocker = {
            let pool = Arc::clone(&pool);
            tokio::spawn(async move {
                pool.run(ip("192.0.2.9"), move |_| {
                    let _ = started.send(());
                    released.recv().ok()
                })
                .await
            })
        };
        on_start.await.unwrap();
        let queued: Vec<_> = (0..2)
            .map(|_| {
                let pool = Arc::clone(&pool);
                tokio::spawn(async move { pool.run(ip("192.0.2.1"), |_| 1).await })
            })
            .collect();
        while pool.shared.lock().waiting < 2 {
            tokio::task::yield_now().await;
        }
        let refused = pool.run(ip("192.0.2.1"), |_| 1).await;
        assert!(matches!(refused, Err(HashError::Busy)), "one address holds at most a quarter of the queue");
        let elsewhere = {
            let pool = Arc::clone(&pool);
            tokio::spawn(async move { pool.run(ip("198.51.100.7"), |_| 2).await })
        };
        while pool.shared.lock().waiting < 3 {
            tokio::task::yield_now().await;
        }
        release.send(()).unwrap();
        blocker.await.unwrap().unwrap();
        assert_eq!(elsewhere.await.unwrap().unwrap(), 2, "another address is still served");
        for handle in queued {
            assert_eq!(handle.await.unwrap().unwrap(), 1);
        }
    }

    #[tokio::test]
    async fn addresses_are_served_in_turn_not_in_arrival_order() {
        let mut queue = Queue::default();
        let order = Arc::new(Mutex::new(Vec::new()));
        let push = |queue: &mut Queue, group: &str, tag: u8| {
            let group: IpAddr = group.parse().unwrap();
            let order = Arc::clone(&order);
            if !queue.jobs.contains_key(&group) {
                queue.turns.push_back(group);
            }
            queue.jobs.entry(group).or_default().push_back(Box::new(move |_| order.lock().unwrap().push(tag)));
            queue.waiting += 1;
        };
        for tag in 0..3 {
            push(&mut queue, "192.0.2.1", tag);
        }
        push(&mut queue, "198.51.100.7", 9);
        let mut workspace = Workspace::new();
        while let Some(job) = queue.pop() {
            job(&mut workspace);
        }
        assert_eq!(*order.lock().unwrap(), vec![0, 9, 1, 2]);
        assert_eq!(queue.waiting, 0);
    }

    #[tokio::test]
    async fn a_panicking_job_fails_alone_and_the_thread_keeps_serving() {
        let pool = HashPool::start(1, 4, 0);
        let failed = pool.run(None, |_| -> u8 { panic!("boom") }).await;
        assert!(matches!(failed, Err(HashError::Failed)));
        assert_eq!(pool.run(None, |_| 7).await.unwrap(), 7);
    }
}
