//! What the live monitor shows of each attempt's log besides its status:
//! signal counts by severity, the latest visible-test results the student
//! ran, and characters typed per minute (the sparkline). Deriving them reads
//! the whole log, so they are derived by one background worker at a time,
//! never on a save's or a monitor's path. An attempt is derived again when a
//! monitor shows it after a save that may raise a signal (an event, a large
//! change: [`Summaries::notable`]), and otherwise at most once per
//! [`MAX_AGE`] while it saves (typing speed). Held in memory, bounded; after
//! a restart each is derived again the first time a monitor shows it.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use time::{Duration, OffsetDateTime};
use tokio::sync::mpsc;

use crate::domain::{AttemptId, ExamId, OrgId, UserId};

/// How stale a summary may grow while its attempt keeps saving.
pub const MAX_AGE: Duration = Duration::seconds(60);

/// Minutes the activity covers, ending at the summary's time.
pub const ACTIVITY_MINUTES: usize = 30;

/// Summaries kept; past it, all are dropped and derived again as monitors ask.
const CAPACITY: usize = 100_000;

/// Attempts waiting for the worker; past it, a request is dropped and asked again later.
const QUEUE: usize = 10_000;

/// Signal counts, by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Low.
    pub low: u32,
    /// Medium.
    pub medium: u32,
    /// High.
    pub high: u32,
}

/// The latest visible-test results the student ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TestsRun {
    /// Tests passed.
    pub passed: u32,
    /// Tests run.
    pub total: u32,
}

/// One attempt's summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// The server's time it was derived at.
    pub at: OffsetDateTime,
    /// Signal counts.
    pub signals: Counts,
    /// The latest visible-test run, if any.
    pub tests: Option<TestsRun>,
    /// Characters typed in each of the last [`ACTIVITY_MINUTES`] minutes
    /// (server time), oldest first, the last ending at `at`.
    pub activity: Vec<u32>,
}

/// An attempt to summarise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Job {
    /// Its organization.
    pub org: OrgId,
    /// Its exam.
    pub exam: ExamId,
    /// The attempt.
    pub attempt: AttemptId,
    /// Its student, whose monitor row shows the summary.
    pub student: UserId,
}

/// The summaries, and the queue of attempts waiting for the worker.
pub struct Summaries {
    kept: Mutex<HashMap<AttemptId, Arc<Summary>>>,
    waiting: Mutex<HashSet<AttemptId>>,
    /// Attempts that saved something that may raise a signal since their
    /// summary was asked for.
    dirty: Mutex<HashSet<AttemptId>>,
    queue: mpsc::Sender<Job>,
    jobs: Mutex<Option<mpsc::Receiver<Job>>>,
}

impl Default for Summaries {
    fn default() -> Self {
        let (queue, jobs) = mpsc::channel(QUEUE);
        Self {
            kept: Mutex::new(HashMap::new()),
            waiting: Mutex::new(HashSet::new()),
            dirty: Mutex::new(HashSet::new()),
            queue,
            jobs: Mutex::new(Some(jobs)),
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Summaries {
    /// Notes that `attempt` saved something that may raise a signal: the
    /// next monitor to show it asks for a new summary at once.
    pub fn notable(&self, attempt: AttemptId) {
        let mut dirty = lock(&self.dirty);
        if dirty.len() >= CAPACITY {
            dirty.clear();
        }
        dirty.insert(attempt);
    }

    /// The attempt's latest summary, if derived; asks the worker for a new
    /// one when there is none, when the attempt saved something notable
    /// since, or when it is older than [`MAX_AGE`] and the attempt saved
    /// since (`last_save`).
    pub fn latest(&self, job: Job, last_save: Option<OffsetDateTime>, now: OffsetDateTime) -> Option<Arc<Summary>> {
        let kept = lock(&self.kept).get(&job.attempt).cloned();
        let aged = kept.as_ref().is_none_or(|s| last_save.is_some_and(|saved| saved > s.at) && now - s.at >= MAX_AGE);
        let stale = lock(&self.dirty).remove(&job.attempt) || aged;
        if stale && lock(&self.waiting).insert(job.attempt) && self.queue.try_send(job).is_err() {
            // The queue is full: asked again the next time a monitor shows it.
            lock(&self.waiting).remove(&job.attempt);
        }
        kept
    }

    /// Keeps a summary the worker derived.
    pub fn keep(&self, attempt: AttemptId, summary: Summary) {
        let mut kept = lock(&self.kept);
        if kept.len() >= CAPACITY && !kept.contains_key(&attempt) {
            kept.clear();
        }
        kept.insert(attempt, Arc::new(summary));
        lock(&self.waiting).remove(&attempt);
    }

    /// Forgets that `attempt` waits (the worker could not derive it).
    pub fn give_up(&self, attempt: AttemptId) {
        lock(&self.waiting).remove(&attempt);
    }

    /// The queue's receiving end, for the one worker; `None` after the first call.
    pub fn jobs(&self) -> Option<mpsc::Receiver<Job>> {
        lock(&self.jobs).take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job() -> Job {
        Job {
            org: OrgId::generate(),
            exam: ExamId::generate(),
            attempt: AttemptId::generate(),
            student: UserId::generate(),
        }
    }

    fn summary(at: OffsetDateTime) -> Summary {
        Summary { at, signals: Counts::default(), tests: None, activity: vec![0; ACTIVITY_MINUTES] }
    }

    #[test]
    fn an_attempt_is_asked_for_once_and_again_only_when_it_saved_and_its_summary_aged() {
        let summaries = Summaries::default();
        let mut jobs = summaries.jobs().unwrap();
        let (one, t0) = (job(), OffsetDateTime::UNIX_EPOCH);
        assert!(summaries.latest(one, None, t0).is_none());
        assert!(summaries.latest(one, None, t0).is_none());
        assert_eq!(jobs.try_recv().ok(), Some(one));
        assert!(jobs.try_recv().is_err(), "asked once while it waits");
        summaries.keep(one.attempt, summary(t0));
        let saved = Some(t0 + Duration::seconds(5));
        assert!(summaries.latest(one, saved, t0 + Duration::seconds(30)).is_some());
        assert!(jobs.try_recv().is_err(), "young enough");
        assert!(summaries.latest(one, None, t0 + Duration::seconds(90)).is_some());
        assert!(jobs.try_recv().is_err(), "old, but nothing saved since");
        summaries.latest(one, saved, t0 + Duration::seconds(61));
        assert_eq!(jobs.try_recv().ok(), Some(one), "saved since and a minute old");
        summaries.keep(one.attempt, summary(t0 + Duration::seconds(61)));
        summaries.notable(one.attempt);
        summaries.latest(one, saved, t0 + Duration::seconds(62));
        assert_eq!(jobs.try_recv().ok(), Some(one), "a notable save: at once");
    }
}
