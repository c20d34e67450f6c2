//! The checks of `examhall doctor` that need the databases open, run where
//! they are: in the running server (through the admin socket, with the
//! service's own key, environment and permissions) or in the command line
//! when no server runs. Each says PASS, WARN or FAIL, and what to do.
//! The command line adds the checks it can make alone (config, key file,
//! data directory, certificate, disk).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::domain::Timestamp;
use crate::state::AppState;
use crate::store::platform::OrgStatus;
use crate::store::{Database, StoreError, audit, audit_checks, backup_runs, doctor_reports};

pub mod files;

/// How a check came out; the worst decides `doctor`'s exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Nothing to do.
    Pass,
    /// Works, but needs attention before it hurts.
    Warn,
    /// Broken: fix it before the next exam.
    Fail,
}

/// One check's finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    /// What was checked ("database platform", "backup destination").
    pub name: String,
    /// How it came out.
    pub status: Status,
    /// What was found.
    pub detail: String,
    /// What to do, when there is something to do.
    pub fix: Option<String>,
}

impl Check {
    /// A check that passed.
    #[must_use]
    pub fn pass(name: impl Into<String>, detail: impl Into<String>) -> Self {
        Self { name: name.into(), status: Status::Pass, detail: detail.into(), fix: None }
    }

    /// A check that warns, with what to do.
    #[must_use]
    pub fn warn(name: impl Into<String>, detail: impl Into<String>, fix: impl Into<String>) -> Self {
        Self { name: name.into(), status: Status::Warn, detail: detail.into(), fix: Some(fix.into()) }
    }

    /// A check that failed, with what to do.
    #[must_use]
    pub fn fail(name: impl Into<String>, detail: impl Into<String>, fix: impl Into<String>) -> Self {
        Self { name: name.into(), status: Status::Fail, detail: detail.into(), fix: Some(fix.into()) }
    }
}

/// A backup older than this warns (the nightly bundle missed a night or more).
const BACKUP_WARN_HOURS: i64 = 36;
/// A backup older than this fails.
const BACKUP_FAIL_DAYS: i64 = 7;
/// A daily audit check older than this warns (the server was down, or the job stalls).
const AUDIT_CHECK_WARN_HOURS: i64 = 48;
/// How far the newest stored time may lie ahead of the clock before the clock counts as set back.
const CLOCK_SLACK_MINUTES: i64 = 5;

const TAMPERED: &str = "stop and investigate before serving another exam: examhall audit verify names the entry; \
                        docs/operations.md (\"The audit log does not verify\") says what to do";

/// The last report the server made itself, for the status page.
#[derive(Debug, Clone)]
pub struct Report {
    /// When the checks ran.
    pub ran_at: Timestamp,
    /// What they found.
    pub checks: Vec<Check>,
}

/// Every check, the files' and the databases', as the server's own user
/// sees them; the report is kept in `platform.db` for the status page.
///
/// # Errors
/// Storage errors recording the report.
pub async fn run_and_record(state: &AppState) -> Result<Report, StoreError> {
    let now = state.clock().now();
    let mut checks = files::run(state.config(), now);
    checks.extend(run(state).await);
    let json = serde_json::to_string(&checks).map_err(|e| StoreError::WrongState(e.to_string()))?;
    state.registry().platform().db().write(move |conn| doctor_reports::record(conn, now, &json)).await?;
    Ok(Report { ran_at: Timestamp::from_time(now), checks })
}

/// Runs every check now, unless a run is under way (then `None`): a
/// platform admin's "Run the checks now".
///
/// # Errors
/// Storage errors recording the report.
pub async fn run_now(state: &AppState) -> Result<Option<Report>, StoreError> {
    let Ok(turn) = std::sync::Arc::clone(state.doctor_turn()).try_lock_owned() else { return Ok(None) };
    // Its own task, holding the turn: a request that times out (a large
    // database read through, a slow store) leaves the run to finish and
    // record its report, and no second run starts beside it.
    let state = state.clone();
    let run = tokio::spawn(async move {
        let _turn = turn;
        run_and_record(&state).await
    });
    run.await.map_err(|_| StoreError::JobPanicked)?.map(Some)
}

/// The last report the server recorded, if any.
///
/// # Errors
/// Storage errors.
pub async fn latest(state: &AppState) -> Result<Option<Report>, StoreError> {
    let stored = state.registry().platform().db().read(doctor_reports::latest).await?;
    Ok(stored.map(|stored| Report {
        ran_at: stored.ran_at,
        // Written by this module: a report it cannot read is shown as none.
        checks: serde_json::from_str(&stored.checks).unwrap_or_default(),
    }))
}

/// Runs the checks that need the databases.
pub async fn run(state: &AppState) -> Vec<Check> {
    let mut checks = Vec::new();
    let orgs = match state.registry().platform().list_orgs().await {
        Ok(orgs) => orgs,
        Err(error) => {
            checks.push(Check::fail("database platform", error.to_string(), "run examhall audit verify --platform"));
            return checks;
        }
    };
    let mut newest = Vec::new();
    let platform = state.registry().platform().db().clone();
    let (check, at) = database(&platform, "platform").await;
    checks.extend(check);
    newest.extend(at);
    let mut open = Vec::new();
    for org in &orgs {
        let name = format!("database {}", org.slug);
        if org.status != OrgStatus::Active {
            checks.push(Check::pass(name, "deactivated: not opened, not checked"));
            continue;
        }
        match state.registry().org(org.id).await {
            Ok(db) => {
                let (check, at) = database(&db, org.slug.as_str()).await;
                checks.extend(check);
                newest.extend(at);
                open.push((org.slug.to_string(), db));
            }
            Err(error) => {
                let fix = error
                    .hint()
                    .unwrap_or_else(|| "see docs/operations.md, \"An organization does not open\"".to_owned());
                checks.push(Check::fail(name, error.to_string(), fix));
            }
        }
    }
    checks.push(daily_audit_check(state).await);
    checks.push(clock(state.clock().now(), newest.iter().max()));
    if !state.config().backup.recipients.is_empty() {
        checks.push(destination(state).await);
        for (slug, db) in &open {
            checks.push(last_backup(state, slug, db).await);
        }
    }
    checks
}

/// One database: every page's HMAC (`PRAGMA cipher_integrity_check`), then
/// its audit log; also the newest time its log holds, for the clock check.
async fn database(db: &Database, label: &str) -> (Vec<Check>, Option<Timestamp>) {
    let name = format!("database {label}");
    let found = db
        .read(|conn| {
            let mut statement = conn.prepare("PRAGMA cipher_integrity_check")?;
            let problems = statement.query_map([], |row| row.get::<_, String>(0))?.collect::<Result<Vec<_>, _>>()?;
            let verification = audit::verify(conn, None)?;
            let newest: Option<Timestamp> =
                conn.query_row("SELECT max(at) FROM audit_log", [], |row| row.get(0)).unwrap_or(None);
            Ok((problems, verification, newest))
        })
        .await;
    let (problems, verification, newest) = match found {
        Ok(found) => found,
        Err(error) => {
            let fix = "restore it from its last backup bundle (docs/operations.md, \"Restore\")";
            return (vec![Check::fail(name, format!("cannot be read: {error}"), fix)], None);
        }
    };
    let mut checks = Vec::new();
    if problems.is_empty() {
        checks.push(Check::pass(&name, format!("{} opens with its key; every page is intact", db.path().display())));
    } else {
        let shown = problems.iter().take(3).cloned().collect::<Vec<_>>().join("; ");
        checks.push(Check::fail(
            &name,
            format!("{} damaged page(s): {shown}", problems.len()),
            "stop the server, keep a copy of the file for investigation, and restore it from its last backup bundle (docs/operations.md, \"Restore\")",
        ));
    }
    let log = format!("audit log {label}");
    checks.push(match &verification.problem {
        None => Check::pass(log, format!("{} entries verify", verification.entries)),
        Some(problem) => Check::fail(log, format!("entry {}: {}", problem.seq, problem.what), TAMPERED),
    });
    (checks, newest)
}

/// The server's own daily verification of every log, as last recorded.
async fn daily_audit_check(state: &AppState) -> Check {
    const NAME: &str = "daily audit check";
    let now = state.clock().now();
    let checks = match state.registry().platform().db().read(audit_checks::list).await {
        Ok(checks) => checks,
        Err(error) => return Check::fail(NAME, error.to_string(), "run examhall audit verify --platform"),
    };
    if let Some(broken) = checks.iter().find(|check| !check.intact) {
        let problem = broken.problem.clone().unwrap_or_default();
        return Check::fail(
            NAME,
            format!("the check of {} on {} found: {problem}", broken.scope, broken.checked_at),
            TAMPERED,
        );
    }
    let Some(oldest) = checks.iter().map(|check| check.checked_at.time()).min() else {
        // The logs were just verified above; the server's own check starts a minute after it does.
        return Check::pass(
            NAME,
            "none recorded yet: the server checks every log a minute after it starts, then daily",
        );
    };
    if now - oldest > time::Duration::hours(AUDIT_CHECK_WARN_HOURS) {
        return Check::warn(
            NAME,
            format!("the oldest of the last checks ran {}", Timestamp::from_time(oldest)),
            "the server checks daily while it runs; check that it has been running (systemctl status examhall)",
        );
    }
    Check::pass(NAME, format!("{} log(s) whole at their last check", checks.len()))
}

/// The clock must not lie behind what the databases already hold: a clock
/// set back would stamp saves and audit entries out of order.
fn clock(now: OffsetDateTime, newest: Option<&Timestamp>) -> Check {
    const NAME: &str = "clock";
    let fix = "set the clock right and keep it synchronised (timedatectl set-ntp true), then restart examhall";
    if now.year() < 2025 {
        return Check::fail(
            NAME,
            format!("the system clock says {now}, before this version of examhall was made"),
            fix,
        );
    }
    match newest {
        Some(newest) if newest.time() > now + time::Duration::minutes(CLOCK_SLACK_MINUTES) => Check::fail(
            NAME,
            format!("the system clock ({}) is behind the newest audit entry ({newest})", Timestamp::from_time(now)),
            fix,
        ),
        _ => Check::pass(NAME, format!("{} is after every stored time", Timestamp::from_time(now))),
    }
}

/// The configured destination takes a test object, which is then removed.
async fn destination(state: &AppState) -> Check {
    const NAME: &str = "backup destination";
    let probed =
        tokio::time::timeout(super::backup_destination::PROBE_TIMEOUT, super::backup_destination::probe(state)).await;
    let Ok(probed) = probed else {
        let seconds = super::backup_destination::PROBE_TIMEOUT.as_secs();
        return Check::fail(
            NAME,
            format!("no answer within {seconds} s"),
            "check the bucket's address and the network to it: backups fail until it answers",
        );
    };
    match probed {
        Ok(probe) => match probe.left_behind {
            None => Check::pass(NAME, format!("{} took a test object, which was then removed", probe.place)),
            Some(left) => Check::warn(
                NAME,
                format!("{} took a test object, which could not be removed: {left}", probe.place),
                "remove it by hand; without the right to delete (as advised), this is expected",
            ),
        },
        Err(error) => Check::fail(
            NAME,
            error.to_string(),
            "mount the share, or fix the bucket's address and credentials: backups fail until then",
        ),
    }
}

/// How old an organization's newest good bundle is.
async fn last_backup(state: &AppState, slug: &str, db: &Database) -> Check {
    let name = format!("last backup {slug}");
    let now = state.clock().now();
    let nightly = state.config().backup.nightly;
    match db.read(backup_runs::last_good).await {
        Err(error) => Check::fail(name, error.to_string(), "run examhall backup list --org SLUG"),
        Ok(None) => Check::warn(
            name,
            "no good backup yet",
            format!("run examhall backup org --org {slug}, and check examhall backup list --org {slug} for errors"),
        ),
        Ok(Some(at)) => {
            let age = now - at.time();
            let fix = format!(
                "examhall backup list --org {slug} shows the last error; fix it, then run examhall backup org --org {slug}"
            );
            if nightly && age > time::Duration::days(BACKUP_FAIL_DAYS) {
                Check::fail(name, format!("the newest good bundle is from {at}, {} days ago", age.whole_days()), fix)
            } else if nightly && age > time::Duration::hours(BACKUP_WARN_HOURS) {
                Check::warn(name, format!("the newest good bundle is from {at}, {} hours ago", age.whole_hours()), fix)
            } else {
                Check::pass(name, format!("the newest good bundle is from {at}"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> OffsetDateTime {
        OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).unwrap()
    }

    #[test]
    fn a_clock_behind_the_newest_stored_time_fails_and_a_little_drift_passes() {
        let newest = Timestamp::from_time(at("2026-12-07T10:00:00Z"));
        assert_eq!(clock(at("2026-12-07T09:00:00Z"), Some(&newest)).status, Status::Fail);
        assert_eq!(clock(at("2026-12-07T09:58:00Z"), Some(&newest)).status, Status::Pass);
        assert_eq!(clock(at("2026-12-07T11:00:00Z"), Some(&newest)).status, Status::Pass);
        assert_eq!(clock(at("2026-12-07T11:00:00Z"), None).status, Status::Pass);
        assert_eq!(clock(at("1970-01-01T00:00:00Z"), None).status, Status::Fail);
    }

    #[test]
    fn the_worst_status_orders_last() {
        assert!(Status::Pass < Status::Warn && Status::Warn < Status::Fail);
    }
}
