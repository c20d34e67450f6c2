//! Retention, as an org admin sets it and the server carries it out: the
//! policy (never below the platform's `retention.minimum_days`), legal
//! holds, the plan of what is due, and the purge, by hand (`examhall
//! retention apply`) or daily by the server. Each change and each purge is
//! audited (`retention.policy`, `retention.hold`, `retention.release`,
//! `retention.purge`).

use std::collections::HashMap;

use time::OffsetDateTime;

use super::Actor;
use super::org_file::OrgFile;
use crate::backup::s3::S3Destination;
use crate::config::Config;
use crate::domain::{ExamId, OrgId};
use crate::state::AppState;
use crate::store::backup_runs;
use crate::store::retention::{self, Due, Hold, Policy, Purged, StoredPolicy};
use crate::store::{Database, StoreError, audit};

/// The longest reason a hold may carry.
pub const MAX_REASON: usize = 500;

/// An organization's retention, as its page and `retention show` present it.
#[derive(Debug, Clone)]
pub struct Overview {
    /// The policy, if one was set.
    pub policy: Option<StoredPolicy>,
    /// The platform's floor.
    pub minimum_days: u32,
    /// Holds, with their exams' titles.
    pub holds: Vec<(Hold, String)>,
    /// What is due now (held ones included, marked).
    pub plan: Vec<Due>,
    /// The last purges, newest first.
    pub purged: Vec<Purged>,
    /// Published exams that could be held, (id, title), latest first.
    pub exams: Vec<(ExamId, String)>,
    /// Bundles a purge now would delete from their destination (files), when IT opted in.
    pub expired_bundles: Vec<String>,
}

/// The organization's retention at `now`, under `config`.
///
/// # Errors
/// Storage errors.
pub async fn overview(file: OrgFile<'_>, config: &Config, now: OffsetDateTime) -> Result<Overview, StoreError> {
    let late_window = config.exams.save_rules().late_window;
    let minimum_days = config.retention.minimum_days;
    let delete_expired = config.backup.delete_expired;
    file.read(move |conn| {
        let policy = retention::policy(conn)?;
        let plan = match &policy {
            Some(stored) => retention::plan(conn, &stored.policy, now, late_window)?,
            None => Vec::new(),
        };
        let titles = titles(conn)?;
        let holds = retention::holds(conn)?
            .into_iter()
            .map(|hold| {
                let title = titles.iter().find(|(id, _)| *id == hold.exam).map(|(_, t)| t.clone()).unwrap_or_default();
                (hold, title)
            })
            .collect();
        let expired_bundles = match (&policy, delete_expired) {
            (Some(stored), true) => {
                backup_runs::expired(conn, now, stored.policy.exam_days)?.into_iter().map(|b| b.file).collect()
            }
            _ => Vec::new(),
        };
        let purged = retention::purged(conn, 50)?;
        Ok(Overview { policy, minimum_days, holds, plan, purged, exams: titles, expired_bundles })
    })
    .await
}

fn titles(conn: &rusqlite::Connection) -> Result<Vec<(ExamId, String)>, StoreError> {
    let mut statement =
        conn.prepare("SELECT id, title FROM exams WHERE status = 'published' ORDER BY closes_at DESC, id")?;
    let rows = statement.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Whether `policy` keeps to the platform's `minimum` days and keeps
/// evidence no longer than the exam it belongs to; if not, the setting at
/// fault (`evidence_days`, `exam_days`) and why.
///
/// # Errors
/// The setting at fault and the reason.
pub fn check_policy(policy: &Policy, minimum: u32) -> Result<(), (&'static str, String)> {
    for (field, what, days) in
        [("evidence_days", "Integrity evidence", policy.evidence_days), ("exam_days", "Exam data", policy.exam_days)]
    {
        if days.is_some_and(|d| d < minimum) {
            return Err((
                field,
                format!("{what} must be kept at least {minimum} days after an exam closes (the platform's minimum)"),
            ));
        }
        if days.is_some_and(|d| d > retention::MAX_DAYS) {
            return Err((
                field,
                format!(
                    "{what} can be kept at most {} days; to keep it for good, keep it indefinitely",
                    retention::MAX_DAYS
                ),
            ));
        }
    }
    if let (Some(evidence), Some(exam)) = (policy.evidence_days, policy.exam_days)
        && evidence > exam
    {
        return Err((
            "evidence_days",
            "Integrity evidence goes with its exam, so it cannot be kept longer than the exam".into(),
        ));
    }
    Ok(())
}

/// One setting of a policy change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Days {
    /// Left as it is.
    Unchanged,
    /// Kept indefinitely.
    Forever,
    /// Kept this many days after the exam closed.
    Days(u32),
}

impl Days {
    fn over(self, current: Option<u32>) -> Option<u32> {
        match self {
            Self::Unchanged => current,
            Self::Forever => None,
            Self::Days(days) => Some(days),
        }
    }
}

/// Changes the settings of `org`'s policy that are not [`Days::Unchanged`];
/// returns the policy now in force.
///
/// # Errors
/// See [`set_policy`].
pub async fn change_policy(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    evidence: Days,
    exam: Days,
) -> Result<Policy, StoreError> {
    let db = state.registry().org(org).await?;
    let current = db.read(retention::policy).await?.map(|p| p.policy).unwrap_or_default();
    let policy =
        Policy { evidence_days: evidence.over(current.evidence_days), exam_days: exam.over(current.exam_days) };
    set_policy(state, actor, org, policy.clone()).await?;
    Ok(policy)
}

/// Sets `org`'s policy for `actor`.
///
/// # Errors
/// [`StoreError::WrongState`] for days below the platform's minimum, or
/// evidence kept longer than the exam it belongs to; storage errors.
pub async fn set_policy(state: &AppState, actor: &Actor, org: OrgId, policy: Policy) -> Result<(), StoreError> {
    check_policy(&policy, state.config().retention.minimum_days)
        .map_err(|(_, message)| StoreError::WrongState(message))?;
    let (now, db) = (state.clock().now(), state.registry().org(org).await?);
    let event = actor.event("retention.policy");
    db.write(move |conn| {
        let before = retention::policy(conn)?.map(|p| p.policy).unwrap_or_default();
        retention::set_policy(conn, &policy, &event.actor_label, now)?;
        let details = serde_json::json!({
            "evidence_days": policy.evidence_days, "exam_days": policy.exam_days,
            "before": {"evidence_days": before.evidence_days, "exam_days": before.exam_days},
        });
        audit::append(conn, &event.details(details), now)?;
        Ok(())
    })
    .await
}

/// Puts `exam` of `org` on legal hold; `false` when it was held already.
///
/// # Errors
/// [`StoreError::NotFound`] for an exam not of `org`; [`StoreError::WrongState`]
/// for an empty or overlong reason; storage errors.
pub async fn hold(state: &AppState, actor: &Actor, org: OrgId, exam: ExamId, reason: &str) -> Result<bool, StoreError> {
    let reason = reason.trim().to_owned();
    if reason.is_empty() || reason.chars().count() > MAX_REASON {
        return Err(StoreError::WrongState(format!(
            "a legal hold needs a reason of 1 to {MAX_REASON} characters (the dispute it is for)"
        )));
    }
    let (now, db) = (state.clock().now(), state.registry().org(org).await?);
    let event = actor.event("retention.hold").target(exam.to_string());
    db.write(move |conn| {
        exam_exists(conn, exam)?;
        let added = retention::hold(conn, exam, &reason, &event.actor_label, now)?;
        if added {
            audit::append(conn, &event.details(serde_json::json!({ "reason": reason })), now)?;
        }
        Ok(added)
    })
    .await
}

/// Releases `exam`'s hold; `false` when it had none.
///
/// # Errors
/// [`StoreError::NotFound`] for an exam not of `org`; storage errors.
pub async fn release(state: &AppState, actor: &Actor, org: OrgId, exam: ExamId) -> Result<bool, StoreError> {
    let (now, db) = (state.clock().now(), state.registry().org(org).await?);
    let event = actor.event("retention.release").target(exam.to_string());
    db.write(move |conn| {
        exam_exists(conn, exam)?;
        let released = retention::release(conn, exam)?;
        if released {
            audit::append(conn, &event, now)?;
        }
        Ok(released)
    })
    .await
}

fn exam_exists(conn: &rusqlite::Connection, exam: ExamId) -> Result<(), StoreError> {
    let found: bool = conn.query_row("SELECT EXISTS (SELECT 1 FROM exams WHERE id = ?1)", [exam], |r| r.get(0))?;
    if found { Ok(()) } else { Err(StoreError::NotFound(format!("exam {exam}"))) }
}

/// What a purge run did.
#[derive(Debug, Clone, Default)]
pub struct Applied {
    /// Purges done, each with what it deleted.
    pub purged: Vec<(Due, retention::Deleted)>,
    /// Purges the policy calls for that a legal hold stopped.
    pub held: Vec<Due>,
    /// Expired bundles deleted from their destination (file names), when IT opted in.
    pub bundles_deleted: Vec<String>,
    /// Expired bundles that could not be deleted, with why.
    pub bundles_left: Vec<(String, String)>,
}

/// Purges everything `org`'s policy says is due at the clock's now, for
/// `actor`: exam by exam, the edit and event log in chunks, then the rest
/// with its audit entry in one transaction, each transaction checking again
/// that the exam is still due and not held; then the WAL is folded into the
/// file, so the overwritten pages replace the old ones there too. The file
/// is not compacted (`VACUUM` would build a copy of the whole database in
/// memory, or in a plaintext temporary file): the freed pages are reused.
///
/// # Errors
/// Storage errors; the purges done before one fails stay done and audited.
pub async fn apply(state: &AppState, actor: &Actor, org: OrgId) -> Result<Applied, StoreError> {
    let (now, late_window) = (state.clock().now(), state.config().exams.save_rules().late_window);
    let db = state.registry().org(org).await?;
    let planned = db
        .read(move |conn| {
            let Some(stored) = retention::policy(conn)? else { return Ok(None) };
            let plan = retention::plan(conn, &stored.policy, now, late_window)?;
            Ok(Some((stored.policy, plan)))
        })
        .await?;
    let Some((policy, plan)) = planned else { return Ok(Applied::default()) };
    let mut applied = Applied::default();
    for due in plan {
        if due.held.is_some() {
            applied.held.push(due);
            continue;
        }
        if let Some(deleted) = purge_one(&db, actor, &due, now, late_window).await? {
            applied.purged.push((due, deleted));
        }
    }
    if !applied.purged.is_empty() {
        db.outside(|conn| {
            // Busy when a reader still holds old frames: they are folded in
            // by a later checkpoint, and were overwritten in the WAL already.
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
            Ok(())
        })
        .await?;
    }
    if state.config().backup.delete_expired {
        let destinations = Destinations::of(state, org).await?;
        delete_expired_bundles(&db, actor, &destinations, policy.exam_days, now, &mut applied).await?;
    }
    Ok(applied)
}

async fn purge_one(
    db: &Database,
    actor: &Actor,
    due: &Due,
    now: OffsetDateTime,
    late_window: time::Duration,
) -> Result<Option<retention::Deleted>, StoreError> {
    let (exam, kind) = (due.exam, due.kind);
    let mut logged = 0u64;
    loop {
        let chunk = db.write(move |conn| retention::purge_log_chunk(conn, exam, kind, now, late_window)).await?;
        // A hold set or the policy changed since the plan: nothing more goes.
        let Some(deleted) = chunk else { return Ok(None) };
        logged += u64::try_from(deleted).unwrap_or(0);
        if deleted < retention::LOG_CHUNK {
            break;
        }
    }
    let event = actor.event("retention.purge").target(exam.to_string());
    let (title, closed_at) = (due.title.clone(), due.closed_at);
    db.write(move |conn| {
        let Some(deleted) = retention::purge(conn, exam, kind, now, late_window, logged)? else { return Ok(None) };
        let rows: HashMap<&str, u64> = deleted.rows.iter().copied().collect();
        let details = serde_json::json!({
            "kind": kind.as_str(), "title": title, "closed_at": closed_at, "days": deleted.days, "rows": rows,
        });
        audit::append(conn, &event.details(details), now)?;
        Ok(Some(deleted))
    })
    .await
}

/// Where this organization's bundles may be deleted from: files of its own
/// names in the configured folder, and objects under the configured bucket
/// and prefix. A record pointing anywhere else (a folder configured before,
/// or a row restored from another appliance) is left alone and reported.
struct Destinations {
    folder: std::path::PathBuf,
    names: String,
    s3: Result<Option<S3Destination>, String>,
}

impl Destinations {
    async fn of(state: &AppState, org: OrgId) -> Result<Self, StoreError> {
        let slug = super::organizations::find(state, org).await?.slug;
        let s3 = state.config().backup.s3.as_ref().map(S3Destination::new).transpose();
        Ok(Self { folder: state.config().backup_dir(), names: format!("examhall-{slug}-"), s3 })
    }

    /// Deletes one bundle; one already gone counts as deleted.
    async fn delete(&self, bundle: &backup_runs::Expired) -> Result<(), String> {
        if bundle.file.starts_with("s3://") {
            return match &self.s3 {
                Ok(Some(s3)) => s3.delete(&bundle.file).await,
                Ok(None) => Err("[backup.s3] is no longer configured".to_owned()),
                Err(why) => Err(why.clone()),
            };
        }
        let path = std::path::Path::new(&bundle.file);
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let ours = path.parent() == Some(self.folder.as_path())
            && name.starts_with(&self.names)
            && name.ends_with(".tar.zst.age");
        if !ours {
            return Err(format!("not one of this organization's bundles in {}; left alone", self.folder.display()));
        }
        match std::fs::metadata(path) {
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(error) => return Err(error.to_string()),
            Ok(found) if found.len() != bundle.bytes => {
                return Err(format!("{} bytes, not the {} written; left alone", found.len(), bundle.bytes));
            }
            Ok(_) => {}
        }
        std::fs::remove_file(path).map_err(|error| error.to_string())
    }
}

/// Deletes the bundles that hold only what the policy says is gone (see
/// [`backup_runs::expired`]) from `destinations`, each recorded as deleted,
/// and audits the lot (`backup.delete_expired`, with the files' names and
/// those that could not be deleted, and why). A bundle already gone counts
/// as deleted; one that cannot be deleted is tried again by the next run.
async fn delete_expired_bundles(
    db: &Database,
    actor: &Actor,
    destinations: &Destinations,
    exam_days: Option<u32>,
    now: OffsetDateTime,
    applied: &mut Applied,
) -> Result<(), StoreError> {
    let expired = db.read(move |conn| backup_runs::expired(conn, now, exam_days)).await?;
    let mut deleted = Vec::new();
    for bundle in expired {
        let name = std::path::Path::new(&bundle.file)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match destinations.delete(&bundle).await {
            Ok(()) => deleted.push((bundle.run, name)),
            Err(why) => applied.bundles_left.push((name, why)),
        }
    }
    if deleted.is_empty() && applied.bundles_left.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = deleted.iter().map(|(_, name)| name.clone()).collect();
    let left: Vec<serde_json::Value> =
        applied.bundles_left.iter().map(|(file, why)| serde_json::json!({ "file": file, "why": why })).collect();
    let event = actor
        .event("backup.delete_expired")
        .details(serde_json::json!({ "files": names, "count": names.len(), "left": left }));
    let runs: Vec<String> = deleted.into_iter().map(|(run, _)| run).collect();
    db.write(move |conn| {
        for run in &runs {
            backup_runs::mark_deleted(conn, run, now)?;
        }
        audit::append(conn, &event, now).map(drop)
    })
    .await?;
    applied.bundles_deleted = names;
    Ok(())
}

/// How long the daily purge waits after a failure before it tries again.
const RETRY_AFTER_FAILURE: time::Duration = time::Duration::hours(1);

/// Purges, once a day from `retention.utc_hour`, what every active
/// organization's policy says is due; checks every `every`.
pub async fn run_daily_every(state: AppState, every: std::time::Duration) {
    let config = state.config().retention.clone();
    if !config.automatic {
        return;
    }
    let mut done_on: HashMap<OrgId, time::Date> = HashMap::new();
    let mut failed_at: HashMap<OrgId, OffsetDateTime> = HashMap::new();
    let mut ticker = tokio::time::interval(every);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        let now = state.clock().now();
        if now.hour() < config.utc_hour {
            continue;
        }
        for (org, _) in state.registry().open_orgs() {
            let waiting = failed_at.get(&org).is_some_and(|at| now < *at + RETRY_AFTER_FAILURE);
            if done_on.get(&org) == Some(&now.date()) || waiting {
                continue;
            }
            let system = Actor::audited(audit::Actor::system());
            match run_for(&state, &system, org).await {
                Ok(()) => {
                    done_on.insert(org, now.date());
                    failed_at.remove(&org);
                }
                Err(StoreError::Closed) => return,
                Err(error) => {
                    failed_at.insert(org, now);
                    tracing::error!(org = %org, %error, "the daily retention purge failed; it is tried again in an hour");
                }
            }
        }
    }
}

async fn run_for(state: &AppState, system: &Actor, org: OrgId) -> Result<(), StoreError> {
    let found = super::organizations::find(state, org).await?;
    if found.status != crate::store::platform::OrgStatus::Active {
        return Ok(());
    }
    let applied = apply(state, system, org).await?;
    for (file, why) in &applied.bundles_left {
        tracing::warn!(org = %found.slug, file, why, "an expired bundle could not be deleted; tried again tomorrow");
    }
    for (due, deleted) in &applied.purged {
        let rows = deleted.total();
        tracing::info!(org = %found.slug, exam = %due.exam, kind = due.kind.as_str(), rows, "purged under the retention policy");
    }

    Ok(())
}
