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
use crate::domain::{ExamId, OrgId, Timestamp};
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
    /// The platform's floor for audit entries.
    pub audit_minimum_days: u32,
    /// Audit entries the policy says are past their time, if any.
    pub audit_due: Option<AuditDue>,
    /// Holds, with their exams' titles.
    pub holds: Vec<Hold>,
    /// What is due now (held ones included, marked).
    pub plan: Vec<Due>,
    /// The last purges, newest first.
    pub purged: Vec<Purged>,
    /// Published exams that could be held, (id, title), latest first.
    pub exams: Vec<(ExamId, String)>,
    /// Bundles a purge now would delete from their destination (files), when
    /// IT opted in: those expired already, and those of the exams it purges.
    pub expired_bundles: Vec<String>,
}

/// The organization's retention at `now`, under `config`.
///
/// # Errors
/// Storage errors.
pub async fn overview(file: OrgFile<'_>, config: &Config, now: OffsetDateTime) -> Result<Overview, StoreError> {
    let late_window = config.exams.save_rules().late_window;
    let (minimum_days, audit_minimum_days) = (config.retention.minimum_days, config.retention.audit_minimum_days);
    let delete_expired = config.backup.delete_expired;
    file.read(move |conn| {
        let policy = retention::policy(conn)?;
        let plan = match &policy {
            Some(stored) => retention::plan(conn, &stored.policy, now, late_window)?,
            None => Vec::new(),
        };
        let holds = retention::holds(conn)?;
        let mut expired_bundles = Vec::new();
        if let (Some(stored), true) = (&policy, delete_expired) {
            expired_bundles
                .extend(backup_runs::expired(conn, now, stored.policy.exam_days)?.into_iter().map(|b| b.file));
            // And those the purges due now make expire.
            for due in plan.iter().filter(|d| d.kind == retention::Kind::Exam && d.held.is_none()) {
                expired_bundles.extend(backup_runs::bundles_of(conn, due.exam)?.into_iter().map(|b| b.file));
            }
        }
        let purged = retention::purged(conn, 50)?;
        let audit_due = match policy.as_ref().and_then(|p| p.policy.audit_days) {
            Some(days) => audit_due(conn, now, days)?,
            None => None,
        };
        Ok(Overview {
            policy,
            minimum_days,
            audit_minimum_days,
            audit_due,
            holds,
            plan,
            purged,
            exams: titles(conn)?,
            expired_bundles,
        })
    })
    .await
}

/// Audit entries past their time: those written before `before`.
#[derive(Debug, Clone, Copy)]
pub struct AuditDue {
    /// Entries written before this are emptied.
    pub before: Timestamp,
    /// How many would be emptied now.
    pub entries: u64,
}

fn audit_due(conn: &rusqlite::Connection, now: OffsetDateTime, days: u32) -> Result<Option<AuditDue>, StoreError> {
    let before = now - time::Duration::days(i64::from(days));
    Ok(audit::trim::all_due(conn, before)?
        .map(|due| AuditDue { before: Timestamp::from_time(before), entries: u64::try_from(due.entries).unwrap_or(0) }))
}

fn titles(conn: &rusqlite::Connection) -> Result<Vec<(ExamId, String)>, StoreError> {
    let mut statement =
        conn.prepare("SELECT id, title FROM exams WHERE status = 'published' ORDER BY closes_at DESC, id")?;
    let rows = statement.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Whether `policy` keeps to the platform's minimum days (`minimum` for
/// exams, `audit_minimum` for audit entries) and keeps evidence no longer
/// than the exam it belongs to.
///
/// # Errors
/// [`StoreError::Invalid`] naming the setting at fault (`evidence_days`,
/// `exam_days`, `audit_days`), and why.
fn check_policy(policy: &Policy, minimum: u32, audit_minimum: u32) -> Result<(), StoreError> {
    let floor = u32::try_from(audit::trim::FLOOR_DAYS).unwrap_or(u32::MAX);
    let audit_minimum = audit_minimum.max(floor);
    if policy.audit_days.is_some_and(|d| d < audit_minimum) {
        return Err(StoreError::invalid(
            "audit_days",
            format!("Audit entries must be kept at least {audit_minimum} days (the platform's minimum)"),
        ));
    }
    if policy.audit_days.is_some_and(|d| d > retention::MAX_DAYS) {
        return Err(StoreError::invalid(
            "audit_days",
            format!(
                "Audit entries can be kept at most {} days; to keep them for good, keep them indefinitely",
                retention::MAX_DAYS
            ),
        ));
    }
    for (field, what, days) in
        [("evidence_days", "Integrity evidence", policy.evidence_days), ("exam_days", "Exam data", policy.exam_days)]
    {
        if days.is_some_and(|d| d < minimum) {
            return Err(StoreError::invalid(
                field,
                format!("{what} must be kept at least {minimum} days after an exam closes (the platform's minimum)"),
            ));
        }
        if days.is_some_and(|d| d > retention::MAX_DAYS) {
            return Err(StoreError::invalid(
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
        return Err(StoreError::invalid(
            "evidence_days",
            "Integrity evidence goes with its exam, so it cannot be kept longer than the exam",
        ));
    }
    Ok(())
}

/// One setting of a policy change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Days {
    /// Left as it is.
    #[default]
    Unchanged,
    /// Kept indefinitely.
    Forever,
    /// Kept this many days after the exam closed.
    Days(u32),
}

/// A change of policy: each setting, or [`Days::Unchanged`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Change {
    /// Integrity evidence.
    pub evidence: Days,
    /// The whole exam.
    pub exam: Days,
    /// Audit entries.
    pub audit: Days,
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

/// Sets `org`'s policy for `actor`: each setting that is not
/// [`Days::Unchanged`], the others left as they are, read, checked, written
/// and audited (with the settings before) in one transaction, so a change
/// saved meanwhile is never undone unseen. Returns the policy now in force.
///
/// # Errors
/// [`StoreError::Invalid`] naming the setting below the platform's minimum,
/// above [`retention::MAX_DAYS`], or keeping evidence longer than the exam it
/// belongs to; storage errors.
pub async fn set_policy(state: &AppState, actor: &Actor, org: OrgId, change: Change) -> Result<Policy, StoreError> {
    let (minimum, audit_minimum) = (state.config().retention.minimum_days, state.config().retention.audit_minimum_days);
    let (now, db) = (state.clock().now(), state.registry().org(org).await?);
    let event = actor.event("retention.policy");
    db.write(move |conn| {
        let before = retention::policy(conn)?.map(|p| p.policy).unwrap_or_default();
        let policy = Policy {
            evidence_days: change.evidence.over(before.evidence_days),
            exam_days: change.exam.over(before.exam_days),
            audit_days: change.audit.over(before.audit_days),
        };
        check_policy(&policy, minimum, audit_minimum)?;
        retention::set_policy(conn, &policy, &event.actor_label, now)?;
        let details = serde_json::json!({
            "evidence_days": policy.evidence_days, "exam_days": policy.exam_days, "audit_days": policy.audit_days,
            "before": {
                "evidence_days": before.evidence_days, "exam_days": before.exam_days, "audit_days": before.audit_days,
            },
        });
        audit::append(conn, &event.details(details), now)?;
        Ok(policy)
    })
    .await
}

/// Puts `exam` of `org` on legal hold; `false` when it was held already.
///
/// # Errors
/// [`StoreError::NotFound`] for an exam not of `org`; [`StoreError::Invalid`]
/// (`reason`) for a reason that is empty, longer than [`MAX_REASON`] or has
/// control characters; storage errors.
pub async fn hold(state: &AppState, actor: &Actor, org: OrgId, exam: ExamId, reason: &str) -> Result<bool, StoreError> {
    let reason = super::text::lines("reason", "reason", reason, 1, MAX_REASON)?;
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
    /// Audit entries emptied, past their retention.
    pub audit_emptied: u64,
    /// People erased at the organization's request now that no exam holds
    /// them back (their pseudonyms).
    pub erased: Vec<String>,
}

/// Purges everything `org`'s policy says is due at the clock's now, for
/// `actor`: exam by exam, the edit and event log in chunks, then the rest
/// with its audit entry in one transaction, each transaction checking again
/// that the exam is still due and not held; then a passive checkpoint folds
/// what of the WAL it can into the file, so the overwritten pages replace
/// the old ones there too, without waiting for anyone (the rest follows
/// with the next automatic checkpoint). The file is not compacted (`VACUUM`
/// would build a copy of the whole database in memory, or in a plaintext
/// temporary file): the freed pages are reused.
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
    let mut applied = Applied::default();
    let Some((policy, plan)) = planned else {
        applied.erased = erase_requested(&db, actor, now).await?;
        return Ok(applied);
    };
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
            // Never waits, so no save of the organization stalls behind it:
            // with a read or a checkpoint under way the WAL is left to later
            // checkpoints, which fold it in.
            if !crate::store::connection::empty_wal_if_idle(conn)? {
                tracing::info!("the WAL was busy after the purge and is folded into the file later");
            }
            Ok(())
        })
        .await?;
    }
    applied.erased = erase_requested(&db, actor, now).await?;
    if let Some(days) = policy.audit_days {
        applied.audit_emptied = empty_old_audit_entries(&db, actor, now, days).await?;
    }
    if state.config().backup.delete_expired {
        delete_expired_bundles(state, &db, actor, org, policy.exam_days, now, &mut applied).await?;
    }
    Ok(applied)
}

/// Completes the erasures the purges made possible: the pseudonyms. A
/// failure is logged and leaves the requests for the next run; the rest of
/// the purge goes on.
async fn erase_requested(db: &Database, actor: &Actor, now: OffsetDateTime) -> Result<Vec<String>, StoreError> {
    match super::erasure::complete_requested(db, actor, now).await {
        Err(StoreError::Closed) => Err(StoreError::Closed),
        Err(error) => {
            tracing::error!(%error, "the requested erasures failed; the next purge tries again");
            Ok(Vec::new())
        }
        done => done,
    }
}

/// Empties the audit entries written more than `days` before `now` through
/// a trim checkpoint, whose entry records what went and why; the number
/// emptied.
async fn empty_old_audit_entries(
    db: &Database,
    actor: &Actor,
    now: OffsetDateTime,
    days: u32,
) -> Result<u64, StoreError> {
    let before = now - time::Duration::days(i64::from(days));
    let actor = audit::Actor { id: actor.id.clone(), label: actor.label.clone() };
    let reason = format!(
        "retention: audit entries are kept {days} days; entries written before {} emptied",
        Timestamp::from_time(before)
    );
    let mut emptied = 0u64;
    // Chunk after chunk, each its own transaction, so saves never wait long.
    loop {
        let (actor, reason) = (actor.clone(), reason.clone());
        let chunk = db
            .write(move |conn| {
                let Some(due) = audit::trim::trim_due(conn, before)? else { return Ok(None) };
                audit::trim::trim(conn, &actor, &reason, now, before)?;
                Ok(Some(due.entries))
            })
            .await?;
        let Some(entries) = chunk else { return Ok(emptied) };
        emptied += u64::try_from(entries).unwrap_or(0);
    }
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
/// names (see [`bundle_of`]) directly in the configured folder, and objects
/// of its own names directly under the configured bucket and prefix (which
/// every organization shares). A record pointing anywhere else (a folder
/// configured before, another organization's object, a row restored from
/// another appliance) is left alone and reported.
struct Destinations {
    folder: std::path::PathBuf,
    slug: String,
    s3: Result<Option<S3Destination>, String>,
}

impl Destinations {
    async fn of(state: &AppState, org: OrgId) -> Result<Self, StoreError> {
        let slug = super::organizations::find(state, org).await?.slug.to_string();
        let s3 = state.config().backup.s3.as_ref().map(S3Destination::new).transpose();
        Ok(Self { folder: state.config().backup_dir(), slug, s3 })
    }

    /// Deletes one bundle; one already gone counts as deleted.
    async fn delete(&self, bundle: &backup_runs::Expired) -> Result<(), String> {
        let path = std::path::Path::new(&bundle.file);
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if !bundle_of(name, &self.slug) {
            return Err("not one of this organization's bundles; left alone".to_owned());
        }
        if bundle.file.starts_with("s3://") {
            return match &self.s3 {
                Ok(Some(s3)) if s3.location(name).as_os_str() == bundle.file.as_str() => s3.delete(&bundle.file).await,
                Ok(Some(_)) => Err("not under the configured bucket and prefix; left alone".to_owned()),
                Ok(None) => Err("[backup.s3] is no longer configured".to_owned()),
                Err(why) => Err(why.clone()),
            };
        }
        if path.parent() != Some(self.folder.as_path()) {
            return Err(format!("not in {}; left alone", self.folder.display()));
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

/// Whether `name` is the name [`super::backups`] gives a bundle of the
/// organization `slug`: `examhall-SLUG-org-STAMP.tar.zst.age` or
/// `examhall-SLUG-exam-EXAM_ID-STAMP.tar.zst.age`, read whole, so that a
/// slug that begins another (`physics`, `physics-2`) never claims its files.
fn bundle_of(name: &str, slug: &str) -> bool {
    let Some(rest) = name
        .strip_prefix("examhall-")
        .and_then(|n| n.strip_prefix(slug))
        .and_then(|n| n.strip_prefix('-'))
        .and_then(|n| n.strip_suffix(".tar.zst.age"))
    else {
        return false;
    };
    let stamp = match (rest.strip_prefix("org-"), rest.strip_prefix("exam-").and_then(|r| r.rsplit_once('-'))) {
        (Some(stamp), _) => stamp,
        (None, Some((exam, stamp))) if ExamId::parse(exam).is_ok() => stamp,
        _ => return false,
    };
    // `[year][month][day]T[hour][minute][second]Z`.
    let bytes = stamp.as_bytes();
    bytes.len() == 16
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 => *b == b'T',
            15 => *b == b'Z',
            _ => b.is_ascii_digit(),
        })
}

/// Deletes the bundles of `org` that hold only what the policy says is gone
/// (see [`backup_runs::expired`]) from their destinations, each recorded as
/// deleted, and audits the lot (`backup.delete_expired`, with the files'
/// names and those that could not be deleted, and why). A bundle already
/// gone counts as deleted; one that cannot be deleted is tried again by the
/// next run. Nothing expired: no destination is even opened.
async fn delete_expired_bundles(
    state: &AppState,
    db: &Database,
    actor: &Actor,
    org: OrgId,
    exam_days: Option<u32>,
    now: OffsetDateTime,
    applied: &mut Applied,
) -> Result<(), StoreError> {
    let expired = db.read(move |conn| backup_runs::expired(conn, now, exam_days)).await?;
    if expired.is_empty() {
        return Ok(());
    }
    let destinations = Destinations::of(state, org).await?;
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

/// How long the daily purge waits after a failure before it tries again
/// (within the hour it runs in; after that, the next day).
const RETRY_AFTER_FAILURE: time::Duration = time::Duration::minutes(15);

/// Purges, once a day during the hour `retention.utc_hour` (UTC), what every
/// active organization's policy says is due; checks every `every`. Only
/// during that hour: a server started later in the day waits for the next
/// day's, rather than purging at once, in the middle of exams.
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
        if now.hour() != config.utc_hour {
            continue;
        }
        for (org, _) in state.registry().open_orgs() {
            if !purges_now(now, config.utc_hour, done_on.get(&org).copied(), failed_at.get(&org).copied()) {
                continue;
            }
            let system = Actor::audited(audit::Actor::system());
            let result = run_for(&state, &system, org).await;
            if !matches!(result, Err(StoreError::Closed)) {
                crate::telemetry::job_done("retention", &result);
            }
            match result {
                Ok(()) => {
                    done_on.insert(org, now.date());
                    failed_at.remove(&org);
                }
                Err(StoreError::Closed) => return,
                Err(error) => {
                    failed_at.insert(org, now);
                    tracing::error!(org = %org, %error, "the daily retention purge failed; it is tried again in 15 minutes, within its hour");
                }
            }
        }
    }
}

/// Whether the daily purge of an organization runs at `now`: during the
/// hour `utc_hour`, not `done_on` today already, and not within
/// [`RETRY_AFTER_FAILURE`] of a failure (`failed_at`).
fn purges_now(
    now: OffsetDateTime,
    utc_hour: u8,
    done_on: Option<time::Date>,
    failed_at: Option<OffsetDateTime>,
) -> bool {
    now.hour() == utc_hour && done_on != Some(now.date()) && failed_at.is_none_or(|at| now >= at + RETRY_AFTER_FAILURE)
}

async fn run_for(state: &AppState, system: &Actor, org: OrgId) -> Result<(), StoreError> {
    let found = super::organizations::find(state, org).await?;
    if found.status != crate::store::platform::OrgStatus::Active {
        return Ok(());
    }
    let applied = apply(state, system, org).await?;
    for pseudonym in &applied.erased {
        tracing::info!(org = %found.slug, pseudonym, "erased a person at their organization's request");
    }
    for (file, why) in &applied.bundles_left {
        tracing::warn!(org = %found.slug, file, why, "an expired bundle could not be deleted; tried again tomorrow");
    }
    for (due, deleted) in &applied.purged {
        let rows = deleted.total();
        tracing::info!(org = %found.slug, exam = %due.exam, kind = due.kind.as_str(), rows, "purged under the retention policy");
    }

    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bundle_is_this_organizations_only_by_its_whole_name() {
        let exam = ExamId::generate();
        let org = "examhall-physics-org-20260601T020000Z.tar.zst.age";
        assert!(bundle_of(org, "physics"));
        assert!(bundle_of(&format!("examhall-physics-exam-{exam}-20260601T171500Z.tar.zst.age"), "physics"));
        assert!(!bundle_of(org, "phys"), "another organization");
        for other in [
            "examhall-physics-2-org-20260601T020000Z.tar.zst.age".to_owned(),
            "examhall-physics-org-org-20260601T020000Z.tar.zst.age".to_owned(),
            format!("examhall-physics-exam-exam-{exam}-20260601T171500Z.tar.zst.age"),
        ] {
            assert!(!bundle_of(&other, "physics"), "a slug that begins with physics- claims {other}");
        }
        assert!(!bundle_of("examhall-physics-org-20260601T020000Z.tar", "physics"), "not a bundle");
        assert!(!bundle_of("examhall-physics-org-latest.tar.zst.age", "physics"), "no time stamp");
    }

    #[test]
    fn the_daily_purge_runs_only_during_its_hour_once_a_day() {
        use time::macros::datetime;
        let at =
            |hour, minute| datetime!(2026-06-01 00:00 UTC).replace_hour(hour).unwrap().replace_minute(minute).unwrap();
        assert!(!purges_now(at(2, 59), 3, None, None));
        assert!(purges_now(at(3, 0), 3, None, None));
        assert!(purges_now(at(3, 59), 3, None, None));
        assert!(!purges_now(at(10, 0), 3, None, None), "a server started after the hour waits for tomorrow's");
        let today = at(3, 0).date();
        assert!(!purges_now(at(3, 30), 3, Some(today), None), "once a day");
        assert!(purges_now(at(3, 0) + time::Duration::DAY, 3, Some(today), None), "and the next day again");
        let failed = at(3, 5);
        assert!(!purges_now(at(3, 10), 3, None, Some(failed)), "a pause after a failure");
        assert!(purges_now(at(3, 20), 3, None, Some(failed)), "then tried again within the hour");
    }

    #[test]
    fn a_policy_is_refused_on_the_setting_at_fault() {
        let field = |evidence_days, exam_days| match check_policy(
            &Policy { evidence_days, exam_days, audit_days: None },
            30,
            365,
        ) {
            Err(StoreError::Invalid { field, .. }) => Some(field),
            _ => None,
        };
        assert_eq!(field(Some(29), None), Some("evidence_days"));
        assert_eq!(field(None, Some(retention::MAX_DAYS + 1)), Some("exam_days"));
        assert_eq!(field(Some(60), Some(40)), Some("evidence_days"), "evidence kept longer than its exam");
        assert_eq!(field(Some(30), Some(30)), None);
        assert_eq!(field(None, None), None);
    }
}
