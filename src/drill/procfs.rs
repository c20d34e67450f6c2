//! The server's CPU and memory while a drill runs, when it runs on this
//! host (`--server-pid`), and the drill's own (it shares the host's cores
//! with a server on the same host): read once a second from
//! `/proc/PID/stat` and `/proc/PID/status`, as `top` would.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use tokio::time::Instant;

/// Clock ticks per second of `/proc/PID/stat` (USER_HZ, 100 on Linux's
/// usual architectures).
const TICKS_PER_SECOND: f64 = 100.0;

/// What was seen of a process.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ProcessUse {
    /// Its process id.
    pub pid: u32,
    /// Seconds sampled.
    pub samples: u64,
    /// CPU used over the drill, in percent of one core.
    pub cpu_percent_mean: f64,
    /// The busiest second.
    pub cpu_percent_max: f64,
    /// Resident memory at its largest, in MB.
    pub rss_mb_max: f64,
    /// Resident memory at the last sample, in MB.
    pub rss_mb_last: f64,
    /// Set when the process went away during the drill (a crash, a restart).
    pub ended: bool,
}

/// The latest sample, for the progress line.
#[derive(Clone, Default)]
pub struct Latest(Arc<Mutex<Option<(f64, f64)>>>);

impl Latest {
    /// ` server 85% 212 MB`, or nothing when not sampled.
    #[must_use]
    pub fn line(&self) -> String {
        match *self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner) {
            Some((cpu, rss)) => format!("  server {cpu:.0}% {rss:.0} MB"),
            None => String::new(),
        }
    }
}

/// Samples a process until the drill ends.
pub struct Sampler {
    task: Option<tokio::task::JoinHandle<ProcessUse>>,
    stop: Arc<tokio::sync::Notify>,
    latest: Latest,
}

impl Sampler {
    /// Starts sampling `pid` (nothing without one), at most until `hard_stop`.
    #[must_use]
    pub fn start(pid: Option<u32>, hard_stop: Instant) -> Self {
        let (stop, latest) = (Arc::new(tokio::sync::Notify::new()), Latest::default());
        let task = pid.map(|pid| tokio::spawn(sample(pid, hard_stop, Arc::clone(&stop), latest.clone())));
        Self { task, stop, latest }
    }

    /// The latest sample's handle.
    #[must_use]
    pub fn latest(&self) -> Latest {
        self.latest.clone()
    }

    /// Stops sampling; what was seen.
    pub async fn finish(self) -> Option<ProcessUse> {
        self.stop.notify_one();
        self.task?.await.ok()
    }
}

async fn sample(pid: u32, hard_stop: Instant, stop: Arc<tokio::sync::Notify>, latest: Latest) -> ProcessUse {
    let mut seen = ProcessUse { pid, ..ProcessUse::default() };
    let Some(mut before) = cpu_ticks(pid) else {
        seen.ended = true;
        return seen;
    };
    let (began, mut at) = (Instant::now(), Instant::now());
    let first = before;
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.tick().await;
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            () = stop.notified() => break,
            () = tokio::time::sleep_until(hard_stop) => break,
        }
        let (Some(ticks), Some(rss)) = (cpu_ticks(pid), rss_mb(pid)) else {
            seen.ended = true;
            break;
        };
        #[allow(clippy::cast_precision_loss, reason = "ticks well below 2^52")]
        let cpu = (ticks - before) as f64 / TICKS_PER_SECOND / at.elapsed().as_secs_f64() * 100.0;
        (before, at) = (ticks, Instant::now());
        seen.samples += 1;
        seen.cpu_percent_max = seen.cpu_percent_max.max(cpu);
        seen.rss_mb_max = seen.rss_mb_max.max(rss);
        seen.rss_mb_last = rss;
        #[allow(clippy::cast_precision_loss, reason = "ticks well below 2^52")]
        let mean = (ticks - first) as f64 / TICKS_PER_SECOND / began.elapsed().as_secs_f64() * 100.0;
        seen.cpu_percent_mean = mean;
        *latest.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some((cpu, rss));
    }
    seen
}

/// User plus system time of `pid`, in clock ticks: fields 14 and 15 of
/// `/proc/PID/stat`, counted after the command name's closing parenthesis
/// (the name may hold spaces).
fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_cpu_ticks(&stat)
}

fn parse_cpu_ticks(stat: &str) -> Option<u64> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // After the name: state is field 3, so utime (14) and stime (15) are at 11 and 12.
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

/// Resident memory of `pid` in MB, from `VmRSS` of `/proc/PID/status`.
fn rss_mb(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    parse_rss_mb(&status)
}

fn parse_rss_mb(status: &str) -> Option<f64> {
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_time_and_memory_are_read_as_proc_writes_them() {
        let stat = "4242 (examhall serve) S 1 4242 4242 0 -1 4194560 1 0 0 0 250 50 0 0 20 0 9 0 100 1 2";
        assert_eq!(parse_cpu_ticks(stat), Some(300));
        assert_eq!(parse_rss_mb("Name:\texamhall\nVmRSS:\t  204800 kB\n"), Some(200.0));
        assert_eq!(parse_rss_mb("Name:\texamhall\n"), None);
    }

    #[test]
    fn this_process_can_be_read() {
        let me = std::process::id();
        assert!(cpu_ticks(me).is_some() && rss_mb(me).is_some_and(|mb| mb > 0.0));
    }
}
