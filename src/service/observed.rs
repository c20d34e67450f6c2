//! The states `/metrics` reports, read when Prometheus scrapes (so none is
//! ever stale): readiness, active exam sessions, each writer's queue, each
//! organization's last good backup, and each audit log's last daily check.

use std::collections::HashMap;

use crate::domain::Timestamp;
use crate::state::AppState;
use crate::store::{audit_checks, backup_runs};

fn seconds(at: &Timestamp) -> f64 {
    // Whole seconds: a timestamp far beyond f64's exact range is no date of ours.
    #[allow(clippy::cast_precision_loss)]
    let seconds = at.time().unix_timestamp() as f64;
    seconds
}

/// Sets the scrape-time gauges from `state`.
pub async fn observe(state: &AppState) {
    use ::metrics::gauge;
    let now = state.clock().now();
    gauge!("examhall_build_info", "version" => crate::version::APP).set(1.0);
    gauge!("examhall_ready").set(if state.is_ready() { 1.0 } else { 0.0 });
    #[allow(clippy::cast_precision_loss)]
    gauge!("examhall_exam_sessions_active").set(state.presence().active(now) as f64);
    let platform = state.registry().platform();
    #[allow(clippy::cast_precision_loss)]
    gauge!("examhall_db_write_queue_depth", "database" => "platform").set(platform.db().queued() as f64);
    let orgs = platform.list_orgs().await.unwrap_or_else(|error| {
        tracing::warn!(%error, "metrics: cannot list organizations");
        Vec::new()
    });
    let slugs: HashMap<String, String> = orgs.iter().map(|org| (org.id.to_string(), org.slug.to_string())).collect();
    let open = state.registry().open_orgs();
    // An organization refused (its file rolled back, damaged) is served no more: say so, not only by its silence.
    for org in orgs.iter().filter(|org| org.status == crate::store::platform::OrgStatus::Active) {
        let served = open.iter().any(|(id, _)| *id == org.id);
        gauge!("examhall_org_open", "org" => org.slug.to_string()).set(if served { 1.0 } else { 0.0 });
    }
    for (id, db) in open {
        let id = id.to_string();
        let slug = slugs.get(&id).cloned().unwrap_or_default();
        gauge!("examhall_org_info", "database" => id.clone(), "org" => slug.clone()).set(1.0);
        #[allow(clippy::cast_precision_loss)]
        gauge!("examhall_db_write_queue_depth", "database" => id).set(db.queued() as f64);
        match db.read(backup_runs::last_good).await {
            Ok(Some(at)) => gauge!("examhall_backup_last_success_timestamp_seconds", "org" => slug).set(seconds(&at)),
            Ok(None) => {}
            Err(error) => tracing::warn!(%error, org = slug, "metrics: cannot read the last backup"),
        }
    }
    match platform.db().read(audit_checks::list).await {
        Ok(checks) => {
            for check in checks {
                let log = if check.scope == super::status::PLATFORM {
                    "platform".to_owned()
                } else {
                    slugs.get(&check.scope).cloned().unwrap_or(check.scope)
                };
                gauge!("examhall_audit_check_intact", "log" => log.clone()).set(if check.intact { 1.0 } else { 0.0 });
                gauge!("examhall_audit_check_timestamp_seconds", "log" => log).set(seconds(&check.checked_at));
            }
        }
        Err(error) => tracing::warn!(%error, "metrics: cannot read the audit checks"),
    }
}
