//! Logging: to standard output (journald collects it) and to a daily-rotated
//! file in the configured folder, as text or JSON.
//!
//! What is logged is chosen where it is logged: request spans record the
//! matched route (never the raw path or query, which may carry a link token),
//! and secrets are `secrecy` types that cannot be formatted.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer, fmt};

use crate::config::{LogConfig, LogFormat};

/// Keeps the background log writer alive; dropping it flushes the file.
#[must_use = "dropping the guard stops file logging"]
pub struct LogGuard {
    _file: Option<WorkerGuard>,
}

/// Starts logging to standard output and, when `dir` is given, to
/// `dir/examhall.log.YYYY-MM-DD`, keeping the newest `config.keep_days`
/// files (older ones are removed as the day's file starts). The folder is created 0700 if missing and
/// must be private to this user; log files an earlier run left open to
/// others are made private (0600). New files are private by the umask the
/// command line sets ([`keep_new_files_private`](crate::store::data_dir::keep_new_files_private)).
///
/// # Errors
/// When the log folder cannot be created or is open to other users.
pub fn init(config: &LogConfig, dir: Option<&Path>) -> std::io::Result<LogGuard> {
    let filter = || EnvFilter::try_new(&config.level).unwrap_or_else(|_| EnvFilter::new("info"));
    let json = config.format == LogFormat::Json;
    let stdout = if json {
        fmt::layer().json().with_current_span(true).with_writer(std::io::stdout).with_filter(filter()).boxed()
    } else {
        let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
        fmt::layer().with_ansi(ansi).with_writer(std::io::stdout).with_filter(filter()).boxed()
    };
    let (file, guard) = match dir {
        Some(dir) => {
            crate::store::data_dir::ensure_private_dir(dir).map_err(std::io::Error::other)?;
            make_log_files_private(dir)?;
            let appender = tracing_appender::rolling::Builder::new()
                .rotation(tracing_appender::rolling::Rotation::DAILY)
                .filename_prefix("examhall.log")
                .max_log_files(usize::try_from(config.keep_days).unwrap_or(usize::MAX).max(1))
                .build(dir)
                .map_err(std::io::Error::other)?;
            let (writer, guard) = tracing_appender::non_blocking(appender);
            let layer = if json {
                fmt::layer().json().with_current_span(true).with_writer(writer).with_filter(filter()).boxed()
            } else {
                fmt::layer().with_ansi(false).with_writer(writer).with_filter(filter()).boxed()
            };
            (Some(layer), Some(guard))
        }
        None => (None, None),
    };
    // A second init (tests starting several apps in one process) keeps the first.
    let _ = tracing_subscriber::registry().with(stdout).with(file).try_init();
    Ok(LogGuard { _file: guard })
}

/// The background tasks [`job_done`] counts.
pub const TASKS: [&str; 3] = ["backup", "retention", "audit_check"];

/// Counts one run of background task `task` (one of [`TASKS`]) and its
/// result. The label is `task`, not `job`, which Prometheus keeps for itself.
pub fn job_done<T, E>(task: &'static str, result: &Result<T, E>) {
    let result = if result.is_ok() { "ok" } else { "error" };
    ::metrics::counter!("examhall_background_jobs_total", "task" => task, "result" => result).increment(1);
}

/// Takes group and other permissions off the log files in `dir` (files of an
/// earlier run under a looser umask); other files are left alone.
fn make_log_files_private(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let metadata = entry.metadata()?;
        let is_log = entry.file_name().to_string_lossy().starts_with("examhall.log");
        if is_log && metadata.is_file() && metadata.permissions().mode() & 0o077 != 0 {
            let private = metadata.permissions().mode() & 0o700;
            std::fs::set_permissions(entry.path(), std::fs::Permissions::from_mode(private))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_files_past_the_kept_days_are_removed_at_start() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::set_permissions(dir.path(), std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
        let names = ["2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05"];
        for name in names {
            std::fs::write(dir.path().join(format!("examhall.log.{name}")), "a line\n").unwrap();
            // The appender orders files by when they were made, which no
            // call can set: they are made a little apart.
            #[allow(clippy::disallowed_methods)]
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        std::fs::write(dir.path().join("other.txt"), "not a log\n").unwrap();
        let config = LogConfig { keep_days: 3, ..LogConfig::default() };
        let guard = init(&config, Some(dir.path())).unwrap();
        drop(guard);
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        let logs: Vec<&String> = left.iter().filter(|n| n.starts_with("examhall.log")).collect();
        assert!(logs.len() <= 3, "{left:?}");
        assert!(!left.contains(&"examhall.log.2026-11-01".to_owned()), "the oldest went: {left:?}");
        assert!(left.contains(&"examhall.log.2026-11-05".to_owned()), "the newest stays: {left:?}");
        assert!(left.contains(&"other.txt".to_owned()), "other files stay: {left:?}");
    }
}
