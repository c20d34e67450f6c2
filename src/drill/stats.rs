//! What a drill counts while it runs: requests by kind with their latency,
//! errors with a few of their bodies, retries apart from errors, and the
//! students' progress, shown on a live line on standard error.

use std::collections::BTreeMap;
use std::io::IsTerminal as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::Shared;

/// The kinds of request a report tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// Redeeming a candidate link or signing in with a password.
    SignIn,
    /// A student's whole wait to be signed in: from the first try to the
    /// answer that let them in, 503s waited out included.
    SignInWait,
    /// Opening the exam's landing page.
    Open,
    /// Starting (binding the browser).
    Start,
    /// A batch of items while the exam runs.
    Save,
    /// The same saves, those sent while another student's sign-in was
    /// under way: how the signed-in fare during a sign-in storm.
    SaveDuringSignIn,
    /// An empty batch with the commitment, after 15 s without a save.
    Heartbeat,
    /// A save sent in the second before or after the common deadline.
    Deadline,
    /// Handing in.
    Submit,
    /// Fetching the receipt after the deadline.
    Receipt,
    /// The admin's set-up and read-back.
    Staff,
}

impl Kind {
    /// Every kind, in report order.
    pub const ALL: [Self; 11] = [
        Self::SignIn,
        Self::SignInWait,
        Self::Open,
        Self::Start,
        Self::Save,
        Self::SaveDuringSignIn,
        Self::Heartbeat,
        Self::Deadline,
        Self::Submit,
        Self::Receipt,
        Self::Staff,
    ];

    /// Its name in the report.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::SignIn => "sign_in",
            Self::SignInWait => "sign_in_wait",
            Self::Open => "open",
            Self::Start => "start",
            Self::Save => "save",
            Self::SaveDuringSignIn => "save_during_sign_in",
            Self::Heartbeat => "heartbeat",
            Self::Deadline => "deadline_burst",
            Self::Submit => "submit",
            Self::Receipt => "receipt",
            Self::Staff => "staff",
        }
    }
}

/// Latencies in microseconds, in buckets about 3% wide (32 per power of
/// two): bounded memory however long the drill, percentiles within 3%.
#[derive(Debug, Clone)]
pub struct Histogram {
    buckets: Vec<u64>,
    count: u64,
    max: u64,
}

const SUB_BUCKETS: u64 = 32;

impl Default for Histogram {
    fn default() -> Self {
        Self { buckets: vec![0; 64 * 32], count: 0, max: 0 }
    }
}

impl Histogram {
    fn bucket(micros: u64) -> usize {
        if micros < SUB_BUCKETS {
            return usize::try_from(micros).unwrap_or(0);
        }
        let exponent = u64::from(micros.ilog2());
        let mantissa = (micros >> (exponent - 5)) & (SUB_BUCKETS - 1);
        usize::try_from((exponent - 4) * SUB_BUCKETS + mantissa).unwrap_or(usize::MAX)
    }

    /// The middle of bucket `index`, in microseconds.
    fn middle(index: usize) -> u64 {
        let index = index as u64;
        if index < SUB_BUCKETS {
            return index;
        }
        let (exponent, mantissa) = (index / SUB_BUCKETS + 4, index % SUB_BUCKETS);
        let low = (SUB_BUCKETS + mantissa) << (exponent - 5);
        low + (1 << (exponent - 5)) / 2
    }

    /// Records one latency.
    pub fn record(&mut self, latency: Duration) {
        let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        let index = Self::bucket(micros).min(self.buckets.len() - 1);
        self.buckets[index] += 1;
        self.count += 1;
        self.max = self.max.max(micros);
    }

    /// How many were recorded.
    #[must_use]
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The latency below which `share` of them fall, in milliseconds.
    #[must_use]
    pub fn percentile_ms(&self, share: f64) -> f64 {
        if self.count == 0 {
            return 0.0;
        }
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
        let rank = ((share * self.count as f64).ceil() as u64).clamp(1, self.count);
        let mut seen = 0;
        for (index, n) in self.buckets.iter().enumerate() {
            seen += n;
            if seen >= rank {
                return micros_to_ms(Self::middle(index).min(self.max));
            }
        }
        micros_to_ms(self.max)
    }

    /// The slowest, in milliseconds.
    #[must_use]
    pub fn max_ms(&self) -> f64 {
        micros_to_ms(self.max)
    }
}

#[allow(clippy::cast_precision_loss, reason = "a latency in ms fits an f64's 52 bits")]
fn micros_to_ms(micros: u64) -> f64 {
    micros as f64 / 1000.0
}

/// One kind of error: how often, and the first few bodies.
#[derive(Debug, Clone, Default)]
pub struct ErrorCount {
    /// How many.
    pub count: u64,
    /// Up to [`SAMPLES`] of them, as the server answered.
    pub samples: Vec<String>,
}

/// How many bodies of each kind of error the report keeps.
pub const SAMPLES: usize = 3;

/// The drill's counters, shared by every student task.
#[derive(Debug, Default)]
pub struct Stats {
    /// Students signed in.
    pub signed_in: AtomicU64,
    /// Sign-ins on their way now (sent, not yet answered for good).
    pub signing_in: AtomicU64,
    /// Students whose attempt started.
    pub started: AtomicU64,
    /// Students typing now.
    pub typing: AtomicU64,
    /// Students without network now.
    pub offline: AtomicU64,
    /// Students done: submitted, or at the deadline with nothing left to send.
    pub done: AtomicU64,
    /// Students whose submission the server confirmed (their own, or the receipt at the deadline).
    pub submitted: AtomicU64,
    /// Every request sent.
    pub requests: AtomicU64,
    /// Save batches (items, not heartbeats) the server acknowledged.
    pub saves: AtomicU64,
    /// Items the server acknowledged.
    pub items: AtomicU64,
    /// Bytes of save batches sent.
    pub save_bytes: AtomicU64,
    /// 503 answers waited out and retried.
    pub retried_503: AtomicU64,
    /// 429 answers waited out and retried.
    pub retried_429: AtomicU64,
    /// Requests that got no answer (refused, reset, timed out) and were tried again.
    pub network_failures: AtomicU64,
    /// Network outages the students went through.
    pub outages: AtomicU64,
    /// Integrity events queued.
    pub events: AtomicU64,
    /// Candidate links reissued by the admin for a student stuck at sign-in.
    pub links_reissued: AtomicU64,
    /// Attempts moved by the admin for a student who lost its binding.
    pub attempts_moved: AtomicU64,
    latencies: Mutex<BTreeMap<Kind, Histogram>>,
    errors: Mutex<BTreeMap<String, ErrorCount>>,
}

impl Stats {
    /// Counts one request of `kind` that took `took` and was answered
    /// with `status` (`None`: no answer). 503 and 429 answers are counted
    /// apart; the latency is kept of every other answer.
    pub fn request(&self, kind: Kind, took: Duration, status: Option<u16>) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        match status {
            Some(503) => self.retried_503.fetch_add(1, Ordering::Relaxed),
            Some(429) => self.retried_429.fetch_add(1, Ordering::Relaxed),
            Some(_) => 0,
            None => self.network_failures.fetch_add(1, Ordering::Relaxed),
        };
        if answered(status) {
            self.latency(kind, took);
        }
    }

    /// Keeps `took` as a latency of `kind`, without counting a request: a
    /// request's own, or one seen from a second angle.
    pub fn latency(&self, kind: Kind, took: Duration) {
        let mut latencies = self.latencies.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        latencies.entry(kind).or_default().record(took);
    }

    /// Counts an error of `kind` ("save 500"), keeping a few `detail`s.
    pub fn error(&self, kind: &str, detail: impl Into<String>) {
        let mut errors = self.errors.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let entry = errors.entry(kind.to_owned()).or_default();
        entry.count += 1;
        if entry.samples.len() < SAMPLES {
            entry.samples.push(detail.into().chars().take(500).collect());
        }
    }

    /// Counts an answer the browser would not expect: its status and body.
    pub fn unexpected(&self, kind: Kind, status: u16, body: &str) {
        self.error(&format!("{} {status}", kind.name()), body);
    }

    /// The latencies recorded, by kind.
    #[must_use]
    pub fn latencies(&self) -> BTreeMap<Kind, Histogram> {
        self.latencies.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// The errors counted, by kind.
    #[must_use]
    pub fn errors(&self) -> BTreeMap<String, ErrorCount> {
        self.errors.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// How many errors in all.
    #[must_use]
    pub fn error_count(&self) -> u64 {
        self.errors.lock().unwrap_or_else(std::sync::PoisonError::into_inner).values().map(|e| e.count).sum()
    }
}

/// Whether an answer with `status` has a latency worth keeping: the server
/// answered, and not with 503 or 429 (retries, counted apart).
#[must_use]
pub fn answered(status: Option<u16>) -> bool {
    status.is_some_and(|status| !matches!(status, 429 | 503))
}

/// Prints the progress line every second on a terminal (every 5 s, one
/// line each, otherwise) until aborted.
pub async fn progress(shared: std::sync::Arc<Shared>, server: super::procfs::Latest) {
    let terminal = std::io::stderr().is_terminal();
    let every = if terminal { Duration::from_secs(1) } else { Duration::from_secs(5) };
    let began = tokio::time::Instant::now();
    let mut saves_before = 0;
    let mut announced_start = false;
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        let stats = &shared.stats;
        let saves = stats.saves.load(Ordering::Relaxed);
        #[allow(clippy::cast_precision_loss, reason = "counts well below 2^52")]
        let rate = (saves - saves_before) as f64 / every.as_secs_f64();
        saves_before = saves;
        let started = stats.started.load(Ordering::Relaxed);
        let line = format!(
            "drill {:>5}s  signed in {}/{n}  started {started}  typing {}  offline {}  submitted {}  saves/s {rate:.0}  503 retries {}  errors {}{}",
            began.elapsed().as_secs(),
            stats.signed_in.load(Ordering::Relaxed),
            stats.typing.load(Ordering::Relaxed),
            stats.offline.load(Ordering::Relaxed),
            stats.submitted.load(Ordering::Relaxed),
            stats.retried_503.load(Ordering::Relaxed),
            stats.error_count(),
            server.line(),
            n = shared.plan.students,
        );
        if terminal {
            eprint!("\r{line}\x1b[K");
        } else {
            eprintln!("{line}");
        }
        if !announced_start && started == shared.plan.students as u64 {
            announced_start = true;
            if terminal {
                eprintln!();
            }
            eprintln!("drill: all {started} students started");
        }
    }
}

/// Ends the progress line.
pub fn progress_done(shared: &Shared) {
    if std::io::stderr().is_terminal() {
        eprintln!();
    }
    eprintln!(
        "drill: every student is done ({} submitted); reading every attempt back",
        shared.stats.submitted.load(Ordering::Relaxed)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_fall_within_the_buckets_width() {
        let mut histogram = Histogram::default();
        for ms in 1..=1000 {
            histogram.record(Duration::from_millis(ms));
        }
        for (share, expected) in [(0.5, 500.0), (0.95, 950.0), (0.99, 990.0)] {
            let found = histogram.percentile_ms(share);
            assert!((found - expected).abs() / expected < 0.03, "p{share}: {found} for {expected}");
        }
        assert!((histogram.max_ms() - 1000.0).abs() < f64::EPSILON);
        assert_eq!(histogram.count(), 1000);
        assert!(Histogram::default().percentile_ms(0.5).abs() < f64::EPSILON);
    }

    #[test]
    fn buckets_cover_every_latency_in_order() {
        let mut previous = 0;
        for micros in (0..2_000_000u64).step_by(997).chain([u64::MAX / 2]) {
            let bucket = Histogram::bucket(micros);
            assert!(bucket >= previous, "{micros}");
            previous = bucket;
            let middle = Histogram::middle(bucket);
            assert!(micros < 32 || middle.abs_diff(micros) * 32 <= micros, "{micros} in a bucket around {middle}");
        }
        assert!(Histogram::bucket(u64::MAX / 2) < 64 * 32);
    }
}
