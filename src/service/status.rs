//! The platform's state for its administrator and IT: the version, the
//! served certificate and when it expires, each database's size, and the
//! last daily check of every audit log, which this module also runs.

use std::collections::HashMap;
use std::time::Duration;

use crate::domain::{OrgId, Timestamp};
use crate::state::AppState;
use crate::store::audit_checks::{self, AuditCheck};
use crate::store::platform::OrgStatus;
use crate::store::{StoreError, audit};

/// The scope of the platform's own log in [`audit_checks`].
pub const PLATFORM: &str = "platform";

/// One organization as the status page shows it.
#[derive(Debug, Clone)]
pub struct OrgState {
    /// Its id.
    pub id: OrgId,
    /// Its slug.
    pub slug: String,
    /// Whether it is in service.
    pub active: bool,
    /// Its database file's size (with its write-ahead log), in bytes.
    pub bytes: u64,
    /// Its audit log's last check.
    pub audit: Option<AuditCheck>,
}

/// The served certificate.
#[derive(Debug, Clone)]
pub struct Certificate {
    /// SHA-256 of the certificate, hex.
    pub fingerprint: String,
    /// When it stops being valid.
    pub not_after: Timestamp,
    /// Days until then (negative once expired).
    pub days_left: i64,
}

/// The platform's state.
#[derive(Debug, Clone)]
pub struct Status {
    /// The version line (`examhall --version`).
    pub version: String,
    /// The certificate, or why it cannot be read.
    pub certificate: Result<Certificate, String>,
    /// `platform.db`'s size, in bytes.
    pub platform_bytes: u64,
    /// The platform log's last check.
    pub platform_audit: Option<AuditCheck>,
    /// Each organization.
    pub orgs: Vec<OrgState>,
}

fn size(path: &std::path::Path) -> u64 {
    let wal = path.with_extension("db-wal");
    [path, wal.as_path()].iter().filter_map(|p| std::fs::metadata(p).ok()).map(|m| m.len()).sum()
}

/// The platform's state at the clock's now.
///
/// # Errors
/// Storage errors.
pub async fn status(state: &AppState) -> Result<Status, StoreError> {
    let now = state.clock().now();
    let platform = state.registry().platform();
    let mut checks: HashMap<String, AuditCheck> =
        platform.db().read(audit_checks::list).await?.into_iter().map(|c| (c.scope.clone(), c)).collect();
    let data = state.config().data();
    let (cert_file, _) = state.config().tls_files();
    let certificate = crate::tls::not_after_of_file(&cert_file)
        .and_then(|not_after| Ok((not_after, crate::tls::fingerprint_of_file(&cert_file)?)))
        .map(|(not_after, fingerprint)| Certificate {
            fingerprint,
            not_after: Timestamp::from_time(not_after),
            days_left: (not_after - now).whole_days(),
        })
        .map_err(|error| error.to_string());
    let orgs = platform
        .list_orgs()
        .await?
        .into_iter()
        .map(|org| OrgState {
            id: org.id,
            slug: org.slug.to_string(),
            active: org.status == OrgStatus::Active,
            bytes: size(&data.org_db(org.id)),
            audit: checks.remove(&org.id.to_string()),
        })
        .collect();
    Ok(Status {
        version: crate::version::long(),
        certificate,
        platform_bytes: size(&data.platform_db()),
        platform_audit: checks.remove(PLATFORM),
        orgs,
    })
}

/// Checks every audit log now (the platform's, and each open
/// organization's: an organization whose file was refused is not open, and
/// the refusal is what IT sees) and records each result; logs an error for
/// a log that is not intact. Returns how many logs were not intact.
///
/// # Errors
/// Storage errors.
pub async fn check_audit_logs(state: &AppState) -> Result<usize, StoreError> {
    let now = state.clock().now();
    let platform = state.registry().platform();
    let mut results = vec![(PLATFORM.to_owned(), platform.db().read(|conn| audit::verify(conn, None)).await?)];
    for (id, db) in state.registry().open_orgs() {
        results.push((id.to_string(), db.read(|conn| audit::verify(conn, None)).await?));
    }
    let broken = results.iter().filter(|(_, v)| !v.is_intact()).count();
    for (scope, verification) in &results {
        if let Some(problem) = &verification.problem {
            tracing::error!(
                scope,
                seq = problem.seq,
                what = problem.what,
                "the daily audit check found a log that is not intact; run examhall audit verify"
            );
        }
    }
    platform
        .db()
        .write(move |conn| {
            for (scope, verification) in &results {
                audit_checks::record(conn, scope, now, verification)?;
            }
            Ok(())
        })
        .await?;
    Ok(broken)
}

/// Checks every audit log a minute after the server starts, then once a day.
pub async fn run_daily(state: AppState) {
    tokio::time::sleep(Duration::from_secs(60)).await;
    let mut ticker = tokio::time::interval(Duration::from_secs(24 * 60 * 60));
    let mut first = true;
    loop {
        ticker.tick().await;
        let result = check_audit_logs(&state).await;
        if !matches!(result, Err(StoreError::Closed)) {
            // A log found not intact is a failed check, as the status page says.
            crate::telemetry::job_done(
                "audit_check",
                &result.as_ref().map_err(|_| ()).and_then(|broken| if *broken == 0 { Ok(()) } else { Err(()) }),
            );
        }
        match result {
            Ok(_) => {}
            Err(StoreError::Closed) => return,
            Err(error) => tracing::error!(%error, "the daily audit check failed; it runs again tomorrow"),
        }
        // And, from the day after the start on (not in the minute after a
        // restart, perhaps during an exam: it reads every page of every
        // database), the doctor's checks, whose report the status page shows.
        if !first {
            doctor_checks(&state).await;
        }
        first = false;
    }
}

/// The doctor's checks, after any run a platform admin started.
async fn doctor_checks(state: &AppState) {
    let _turn = state.doctor_turn().lock().await;
    match super::doctor::run_and_record(state).await {
        Ok(report) => {
            let failed = report.checks.iter().filter(|c| c.status == super::doctor::Status::Fail).count();
            if failed > 0 {
                tracing::error!(failed, "the daily doctor's checks found failures; run examhall doctor");
            }
        }
        Err(StoreError::Closed) => {}
        Err(error) => tracing::error!(%error, "the daily doctor's checks could not be recorded"),
    }
}
