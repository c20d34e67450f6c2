//! The drill's report: what ran, how fast the server answered each kind of
//! request, what failed (with the server's words), what was retried, the
//! server's CPU and memory, and the lost count. Printed for people, and
//! written as JSON for scripts (`--json`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::Ordering;
use std::time::Duration;

use serde::Serialize;

use super::procfs::ProcessUse;
use super::sitting::Outcome;
use super::stats::Kind;
use super::verify::Verification;
use super::{Shared, SignIn};

/// Latency of one kind of request, in milliseconds.
#[derive(Debug, Clone, Serialize)]
pub struct Latency {
    /// Requests answered.
    pub count: u64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Slowest.
    pub max: f64,
}

/// One kind of error.
#[derive(Debug, Clone, Serialize)]
pub struct Errors {
    /// How many.
    pub count: u64,
    /// A few of the server's answers (or why there was none).
    pub samples: Vec<String>,
}

/// The CPU and memory the server and the drill used, as sampled.
#[derive(Debug, Clone, Default)]
pub struct Used {
    /// The server's (`--server-pid`).
    pub server: Option<ProcessUse>,
    /// The drill's own process.
    pub drill: Option<ProcessUse>,
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The server drilled.
    pub url: String,
    /// The drill organization.
    pub org: String,
    /// Simulated students.
    pub students: usize,
    /// From publishing to the common deadline, in seconds.
    pub duration_secs: f64,
    /// Students arrived over this many seconds.
    pub ramp_secs: f64,
    /// `link` or `password`.
    pub sign_in: &'static str,
    /// Share left to the automatic submission.
    pub auto_submit_share: f64,
    /// Share that lost the network once.
    pub offline_share: f64,
    /// The seed of everyone's typing.
    pub seed: u64,
    /// Seconds the set-up took (before the exam opened).
    pub setup_secs: f64,
    /// Students who signed in, and who started.
    pub signed_in: u64,
    /// Students whose attempt started.
    pub started: u64,
    /// The students' requests (sign-in to receipt).
    pub requests: u64,
    /// Of those, per second of the exam.
    pub requests_per_sec: f64,
    /// Save batches acknowledged.
    pub saves: u64,
    /// Of those, per second of the exam.
    pub saves_per_sec: f64,
    /// Items acknowledged.
    pub items: u64,
    /// Bytes sent in save batches, per batch.
    pub bytes_per_save: f64,
    /// Latency per kind of request.
    pub latency_ms: BTreeMap<&'static str, Latency>,
    /// Errors in all: answers the browser would not expect, requests that failed for good.
    pub errors: u64,
    /// Errors by kind.
    pub errors_by_kind: BTreeMap<String, Errors>,
    /// 503 answers waited out (`Retry-After`) and retried: not errors.
    pub retried_503: u64,
    /// 429 answers waited out and retried: not errors.
    pub retried_429: u64,
    /// Requests that got no answer (a restart, a dropped connection) and were retried: not errors.
    pub retried_unanswered: u64,
    /// Network outages the students went through.
    pub outages: u64,
    /// Integrity events queued.
    pub integrity_events: u64,
    /// Candidate links the admin reissued for students whose first one was spent without an answer.
    pub links_reissued: u64,
    /// Attempts the admin moved for students whose start was answered but never heard.
    pub attempts_moved: u64,
    /// Students submitted, by whom, and the lost count.
    #[serde(flatten)]
    pub verification: Verification,
    /// The server's CPU and memory, when sampled (`--server-pid`).
    pub server: Option<ProcessUse>,
    /// The drill's own CPU and memory: on the server's host, it takes its share of the cores.
    pub drill_process: Option<ProcessUse>,
    /// 0 lost, 0 errors, every student submitted.
    pub passed: bool,
}

impl Report {
    /// The report of a drill that ran.
    #[must_use]
    pub(super) fn new(
        shared: &Shared,
        setup: Duration,
        outcomes: &[Outcome],
        verification: Verification,
        used: Used,
    ) -> Self {
        let (plan, stats) = (&shared.plan, &shared.stats);
        let latencies = stats.latencies();
        let staff = latencies.get(&Kind::Staff).map_or(0, super::stats::Histogram::count);
        let latency_ms = Kind::ALL
            .iter()
            .filter_map(|kind| {
                let h = latencies.get(kind)?;
                let latency = Latency {
                    count: h.count(),
                    p50: h.percentile_ms(0.5),
                    p95: h.percentile_ms(0.95),
                    p99: h.percentile_ms(0.99),
                    max: h.max_ms(),
                };
                Some((kind.name(), latency))
            })
            .collect();
        let errors_by_kind: BTreeMap<String, Errors> =
            stats.errors().into_iter().map(|(kind, e)| (kind, Errors { count: e.count, samples: e.samples })).collect();
        let load = |counter: &std::sync::atomic::AtomicU64| counter.load(Ordering::Relaxed);
        let seconds = plan.duration.as_secs_f64();
        #[allow(clippy::cast_precision_loss, reason = "counts well below 2^52")]
        let per = |n: u64, of: f64| if of > 0.0 { n as f64 / of } else { 0.0 };
        let requests = load(&stats.requests).saturating_sub(staff);
        let saves = load(&stats.saves);
        let errors = errors_by_kind.values().map(|e| e.count).sum();
        let passed = errors == 0
            && verification.lost == 0
            && verification.unsubmitted == 0
            && verification.unverified == 0
            && verification.failed.is_none()
            && verification.submitted == outcomes.len();
        Self {
            url: plan.target.base.clone(),
            org: plan.org.clone(),
            students: plan.students,
            duration_secs: seconds,
            ramp_secs: plan.ramp.as_secs_f64(),
            sign_in: match plan.sign_in {
                SignIn::Link => "link",
                SignIn::Password => "password",
            },
            auto_submit_share: plan.auto_submit_share,
            offline_share: plan.offline_share,
            seed: plan.seed,
            setup_secs: setup.as_secs_f64(),
            signed_in: load(&stats.signed_in),
            started: load(&stats.started),
            requests,
            requests_per_sec: per(requests, seconds),
            saves,
            saves_per_sec: per(saves, seconds),
            items: load(&stats.items),
            bytes_per_save: per(load(&stats.save_bytes), per(saves, 1.0)),
            latency_ms,
            errors,
            errors_by_kind,
            retried_503: load(&stats.retried_503),
            retried_429: load(&stats.retried_429),
            retried_unanswered: load(&stats.network_failures),
            outages: load(&stats.outages),
            integrity_events: load(&stats.events),
            links_reissued: load(&stats.links_reissued),
            attempts_moved: load(&stats.attempts_moved),
            verification,
            server: used.server,
            drill_process: used.drill,
            passed,
        }
    }

    /// The report for people.
    #[must_use]
    #[allow(clippy::cast_precision_loss, reason = "counts well below 2^52")]
    pub fn text(&self) -> String {
        let mut out = String::new();
        let v = &self.verification;
        let _ = writeln!(
            out,
            "examhall drill: {} students for {:.0} s against {} (organization {}), signing in with {}",
            self.students,
            self.duration_secs,
            self.url,
            self.org,
            if self.sign_in == "link" { "candidate links" } else { "passwords" },
        );
        let _ = writeln!(
            out,
            "  set-up {:.1} s; arrivals over {:.0} s; {:.0}% left to the deadline; {:.0}% lost the network once; seed {}",
            self.setup_secs,
            self.ramp_secs,
            self.auto_submit_share * 100.0,
            self.offline_share * 100.0,
            self.seed,
        );
        let verdict = if self.passed { "PASSED" } else { "FAILED" };
        let _ = writeln!(
            out,
            "\n{verdict}: {} lost ({} acknowledged items), {} errors, {} of {} submitted ({} by the student, {} at the deadline), {} unsubmitted, {} not read back",
            v.lost,
            v.lost_items,
            self.errors,
            v.submitted,
            self.students,
            v.submitted_by_student,
            v.submitted_at_deadline,
            v.unsubmitted,
            v.unverified,
        );
        if let Some(failed) = &v.failed {
            let _ = writeln!(out, "  the read-back failed: {failed}");
        }
        for sample in &v.lost_samples {
            let _ = writeln!(out, "  lost: {sample}");
        }
        let _ = writeln!(
            out,
            "\nrequests {} ({:.1}/s); saves {} ({:.1}/s, {:.1} items and {:.0} bytes each); {} signed in, {} started",
            self.requests,
            self.requests_per_sec,
            self.saves,
            self.saves_per_sec,
            if self.saves == 0 { 0.0 } else { self.items as f64 / self.saves as f64 },
            self.bytes_per_save,
            self.signed_in,
            self.started,
        );
        self.latency_table(&mut out);
        self.retries_errors_and_server(&mut out);
        out
    }

    /// The latency of each kind of request.
    fn latency_table(&self, out: &mut String) {
        let _ = writeln!(out, "\nlatency (ms)             count      p50      p95      p99      max");
        for kind in Kind::ALL {
            if let Some(l) = self.latency_ms.get(kind.name()) {
                let _ = writeln!(
                    out,
                    "  {:<20} {:>7} {:>8.1} {:>8.1} {:>8.1} {:>8.1}",
                    kind.name(),
                    l.count,
                    l.p50,
                    l.p95,
                    l.p99,
                    l.max
                );
            }
        }
    }

    /// What was retried, what failed, and what the server used.
    fn retries_errors_and_server(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "\nretried, not errors: 503 (Retry-After) {}, 429 {}, no answer {}; outages {}, integrity events {}",
            self.retried_503, self.retried_429, self.retried_unanswered, self.outages, self.integrity_events
        );
        if self.links_reissued + self.attempts_moved > 0 {
            let _ = writeln!(
                out,
                "helped by the admin as a proctor would: {} new candidate links, {} attempts moved",
                self.links_reissued, self.attempts_moved
            );
        }
        if self.errors_by_kind.is_empty() {
            let _ = writeln!(out, "errors: none");
        }
        for (kind, errors) in &self.errors_by_kind {
            let _ = writeln!(out, "errors: {kind} ×{}", errors.count);
            for sample in &errors.samples {
                let _ = writeln!(out, "    {sample}");
            }
        }
        match &self.server {
            Some(s) => {
                let _ = writeln!(
                    out,
                    "server (pid {}): CPU {:.0}% of a core on average, {:.0}% at most; resident memory {:.0} MB at most, {:.0} MB at the end{}",
                    s.pid,
                    s.cpu_percent_mean,
                    s.cpu_percent_max,
                    s.rss_mb_max,
                    s.rss_mb_last,
                    if s.ended { " (the process ended during the drill)" } else { "" },
                );
            }
            None => {
                let _ = writeln!(out, "server: not sampled (give --server-pid PID on the server's host)");
            }
        }
        if let Some(d) = &self.drill_process {
            let _ = writeln!(
                out,
                "this drill (pid {}): CPU {:.0}% of a core on average, {:.0}% at most; resident memory {:.0} MB at most",
                d.pid, d.cpu_percent_mean, d.cpu_percent_max, d.rss_mb_max,
            );
        }
    }
}
