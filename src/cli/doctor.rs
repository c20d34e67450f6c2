//! `examhall doctor`: is this appliance ready for an exam? Checks the
//! config, the key file, the data directory, the certificate and the disk
//! here, then asks the running server (or, when none runs, this process
//! holding the data directory) to check every database, audit log and
//! backup ([`crate::service::doctor`]). Each check prints PASS, WARN or
//! FAIL with what to do; the exit code is 0, 1 or 2 for the worst.

use serde::Serialize;
use tokio::net::UnixStream;

use super::CliError;
use crate::admin::{self, Outcome, client};
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::service::doctor::files as doctor_files;
use crate::service::doctor::{Check, Status};

/// Options of `examhall doctor`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print one JSON object (`status`, and `checks` with `name`, `status`,
    /// `detail`, `fix`) for monitoring systems.
    #[arg(long)]
    pub json: bool,
}

/// Runs the checks on `config` (or reports why it could not be loaded,
/// naming `file`) and prints them.
pub async fn run(config: Result<Config, CliError>, file: &str, args: &Args) -> Result<(), CliError> {
    let checks = match config {
        Err(error) => vec![Check::fail("config", format!("{file}: {}", error.message()), error.hint_text())],
        Ok(config) => {
            let mut checks = vec![Check::pass("config", format!("{file}: valid"))];
            checks.extend(doctor_files::run(&config, SystemClock.now()));
            let serving = UnixStream::connect(config.data().admin_socket()).await.is_ok();
            if serving {
                checks.push(Check::pass(
                    "server",
                    "a server is running on this data directory; it made the checks below",
                ));
                // The server holds the key (perhaps from a systemd credential this shell cannot read).
                if !config.master_key_file().exists() {
                    for check in checks.iter_mut().filter(|c| c.name == "master key" && c.status == Status::Fail) {
                        *check = Check::pass("master key", "no key file here: the running server holds the key");
                    }
                }
            } else {
                checks.push(Check::warn(
                    "server",
                    "no server is running on this data directory: nobody can reach examhall",
                    "start it: systemctl start examhall",
                ));
            }
            // Only a data directory this user owns is opened: one opened as
            // root would leave files the service user cannot open.
            if checks.iter().any(|c| c.name == "data directory" && c.status != Status::Fail) {
                checks.extend(databases(&config).await);
            } else {
                checks.push(Check::fail(
                    "databases",
                    "not checked: the data directory failed above",
                    "fix the data directory first, or run doctor as the service user",
                ));
            }
            checks
        }
    };
    let worst = checks.iter().map(|check| check.status).max().unwrap_or(Status::Pass);
    if args.json {
        #[derive(Serialize)]
        struct Report<'a> {
            status: Status,
            checks: &'a [Check],
        }
        let report = serde_json::to_string_pretty(&Report { status: worst, checks: &checks })
            .map_err(|error| CliError::new(error.to_string()))?;
        println!("{report}");
    } else {
        print(&checks);
    }
    match worst {
        Status::Pass => Ok(()),
        Status::Warn => Err(CliError::quiet(1)),
        Status::Fail => Err(CliError::quiet(2)),
    }
}

fn print(checks: &[Check]) {
    let width = checks.iter().map(|check| check.name.len()).max().unwrap_or(0);
    for check in checks {
        let label = match check.status {
            Status::Pass => "PASS",
            Status::Warn => "WARN",
            Status::Fail => "FAIL",
        };
        println!("{label}  {:width$}  {}", check.name, check.detail);
        if let Some(fix) = &check.fix {
            println!("      {:width$}  what to do: {fix}", "");
        }
    }
    let count = |status| checks.iter().filter(|check| check.status == status).count();
    println!(
        "\n{} passed, {} warning(s), {} failure(s)",
        count(Status::Pass),
        count(Status::Warn),
        count(Status::Fail)
    );
}

/// The checks of the databases, made where they are open.
async fn databases(config: &Config) -> Vec<Check> {
    match client::submit(config, admin::Command::Doctor).await {
        Ok(Outcome::Doctor { checks }) => checks,
        Ok(other) => vec![Check::fail(
            "databases",
            super::unexpected(&other).message(),
            "run the command line of the same version as the server",
        )],
        Err(failure) => vec![Check::fail(
            "databases",
            format!("cannot be opened: {}", failure.message),
            failure.hint.unwrap_or_else(|| "run examhall audit verify --platform for details".to_owned()),
        )],
    }
}
