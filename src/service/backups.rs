//! Backing up an exam or a whole organization to a bundle
//! ([`crate::backup`]): rows read in one read transaction while students
//! save, streamed through tar, zstd and age into a hidden file beside its
//! final name, synced, then renamed, so a bundle under its final name is
//! always whole. Audited in the organization's log (`backup.exam`,
//! `backup.org`).

use std::io::BufWriter;
use std::path::{Path, PathBuf};

use super::Actor;
use crate::backup::s3::S3Destination;
use crate::backup::{self, BundleWriter, ExamRef, Kind, Manifest, OrgRef};
use crate::domain::ExamId;
use crate::state::AppState;
use crate::store::audit::{self, Outcome as AuditOutcome};
use crate::store::backup::{Scope, dump};
use crate::store::backup_runs::{self, Ended, Reason};
use crate::store::platform::Organization;
use crate::store::{Database, StoreError};

/// A bundle written.
#[derive(Debug, Clone)]
pub struct Made {
    /// Its file.
    pub file: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
    /// Its SHA-256, in hex.
    pub sha256: String,
    /// Its manifest.
    pub manifest: Manifest,
}

/// Backs up `scope` of `org` into a new bundle in `to` (the configured
/// folder when `None`), for `actor` and `reason`; the run is recorded
/// whether it succeeds or fails (what `backup list` shows, and what the
/// background job retries).
///
/// # Errors
/// [`StoreError::WrongState`] when no recipient is configured or one is not a
/// public key; [`StoreError::NotFound`] for an exam not of `org`; storage
/// and file errors (nothing is left under the bundle's name).
pub async fn back_up(
    state: &AppState,
    actor: &Actor,
    org: &Organization,
    scope: Scope,
    to: Option<PathBuf>,
    reason: Reason,
) -> Result<Made, StoreError> {
    let now = state.clock().now();
    let db = state.registry().org(org.id).await?;
    let made = write_bundle(state, &db, org, scope, to, now).await;
    let exam = match scope {
        Scope::Exam(exam) => Some(exam),
        Scope::Organization => None,
    };
    let action = if exam.is_some() { "backup.exam" } else { "backup.org" };
    let mut event = actor.event(action);
    if let Some(exam) = exam {
        event = event.target(exam.to_string());
    }
    let (ended, event) = match &made {
        Ok(made) => {
            let name = made.file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let details = serde_json::json!({
                "file": name,
                "bytes": made.bytes,
                "sha256": made.sha256,
                "reason": reason.as_str(),
                "members": made.manifest.members.len(),
                "rows": made.manifest.rows_by_table(),
                "audit_head": made.manifest.audit_head,
            });
            let file = made.file.display().to_string();
            (Ended::Ok { file, bytes: made.bytes, sha256: made.sha256.clone() }, event.details(details))
        }
        // A bundle of an exam that is not there is no run of anything.
        Err(StoreError::NotFound(_)) => return made,
        Err(error) => {
            let details = serde_json::json!({ "reason": reason.as_str(), "error": error.to_string() });
            (Ended::Failed(error.to_string()), event.outcome(AuditOutcome::Failure).details(details))
        }
    };
    db.write(move |conn| {
        backup_runs::record(conn, exam, reason, now, &ended)?;
        audit::append(conn, &event, now)
    })
    .await?;
    made
}

/// Writes the bundle of `scope` into `to` (or the configured folder).
async fn write_bundle(
    state: &AppState,
    db: &Database,
    org: &Organization,
    scope: Scope,
    to: Option<PathBuf>,
    now: time::OffsetDateTime,
) -> Result<Made, StoreError> {
    let recipients = backup::parse_recipients(&state.config().backup.recipients).map_err(StoreError::WrongState)?;
    if recipients.is_empty() {
        return Err(StoreError::WrongState(
            "no backup recipients are configured, so no one could read a bundle: add the backup officers' public \
             keys to [backup] recipients in the config (age-keygen makes a key pair; keep the private half offline)"
                .to_owned(),
        ));
    }
    let key = state.registry().platform().signing_key(now).await?;
    // To a bucket: written whole into the staging folder first, then uploaded.
    if let (None, Some(config)) = (&to, &state.config().backup.s3) {
        let s3 = S3Destination::new(config).map_err(StoreError::WrongState)?;
        let staging = state.config().data().staging();
        let written = write_into(db, org, scope, &staging, recipients, key, now).await?;
        return upload(&s3, written).await;
    }
    // Only the default folder is made here: a configured one (an off-site
    // share) or one named on the command line must exist, so an unmounted
    // share is an error, not a folder quietly filling the server's own disk.
    let folder = match to.or_else(|| state.config().backup.dir.clone()) {
        Some(folder) if !folder.is_dir() => {
            return Err(StoreError::WrongState(format!(
                "the backup folder {} does not exist (is the off-site share mounted?)",
                folder.display()
            )));
        }
        Some(folder) => folder,
        None => {
            let folder = state.config().backup_dir();
            std::fs::create_dir_all(&folder).map_err(StoreError::io("create the backup folder", &folder))?;
            folder
        }
    };
    write_into(db, org, scope, &folder, recipients, key, now).await
}

/// Uploads a bundle written into the staging folder, then removes it there
/// (whether or not the upload succeeded: it is encrypted, but the staging
/// folder is no place to keep bundles; a crash leaves it for the next start
/// to remove).
async fn upload(s3: &S3Destination, written: Made) -> Result<Made, StoreError> {
    // Removed when this ends, however it ends (a failure, or the task dropped at shutdown).
    let staged = tempfile::TempPath::try_from_path(&written.file).map_err(StoreError::io("stage", &written.file))?;
    let name = written.file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let uploaded = s3.upload(&staged, &name, written.bytes, &written.sha256).await;
    drop(staged);
    let location = uploaded.map_err(StoreError::WrongState)?;
    Ok(Made { file: location, ..written })
}

/// Writes the bundle of `scope` into `folder`, under its final name once whole.
async fn write_into(
    db: &Database,
    org: &Organization,
    scope: Scope,
    folder: &Path,
    recipients: Vec<Box<dyn age::Recipient + Send>>,
    key: crate::signing::SigningKey,
    now: time::OffsetDateTime,
) -> Result<Made, StoreError> {
    let stamp = now
        .format(&time::macros::format_description!("[year][month][day]T[hour][minute][second]Z"))
        .unwrap_or_default();
    let name = match scope {
        Scope::Exam(exam) => format!("examhall-{}-exam-{exam}-{stamp}.tar.zst.age", org.slug),
        Scope::Organization => format!("examhall-{}-org-{stamp}.tar.zst.age", org.slug),
    };
    let partial = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".partial")
        .tempfile_in(folder)
        .map_err(StoreError::io("create a file in", &folder))?;
    let output = partial.reopen().map_err(StoreError::io("open", partial.path().to_owned()))?;
    let head = Manifest {
        format: backup::FORMAT_NAME.to_owned(),
        format_version: backup::FORMAT_VERSION,
        kind: match scope {
            Scope::Exam(_) => Kind::Exam,
            Scope::Organization => Kind::Organization,
        },
        organization: OrgRef { id: org.id.to_string(), slug: org.slug.to_string(), name: org.name.clone() },
        exam: None,
        created_at: crate::clock::rfc3339(now),
        examhall_version: crate::version::APP.to_owned(),
        schema_version: 0,
        audit_head: String::new(),
        signing_key: String::new(),
        members: Vec::new(),
    };
    let (manifest, bytes, sha256) = db
        .read(move |conn| {
            let mut head = head;
            if let Scope::Exam(exam) = scope {
                head.exam = Some(exam_ref(conn, exam)?);
            }
            let path = || PathBuf::from("the backup");
            let mut bundle =
                BundleWriter::new(BufWriter::new(output), &recipients).map_err(StoreError::io("write", path()))?;
            let dumped = dump(conn, scope, &mut bundle)?;
            head.schema_version = dumped.schema_version;
            head.audit_head = dumped.audit_head;
            let written = bundle.finish(head, &key).map_err(StoreError::io("write", path()))?;
            let file = written.output.into_inner().map_err(|e| StoreError::io("write", path())(e.into_error()))?;
            file.sync_all().map_err(StoreError::io("sync", path()))?;
            Ok((written.manifest, written.bytes, written.sha256))
        })
        .await?;
    let file = folder.join(&name);
    partial.persist_noclobber(&file).map_err(|e| StoreError::io("name", &file)(e.error))?;
    // Durable: a crash right after leaves the bundle or nothing.
    let _ = crate::store::reencrypt::sync_dir(&file);
    Ok(Made { file, bytes, sha256, manifest })
}

/// The exam's id and title, or NotFound when it is not of this organization.
fn exam_ref(conn: &rusqlite::Connection, exam: ExamId) -> Result<ExamRef, StoreError> {
    use rusqlite::OptionalExtension as _;
    let title: Option<String> =
        conn.query_row("SELECT title FROM exams WHERE id = ?1", [exam.to_string()], |r| r.get(0)).optional()?;
    let title = title.ok_or_else(|| StoreError::NotFound(format!("exam {exam} in this organization")))?;
    Ok(ExamRef { id: exam.to_string(), title })
}

/// The background job started beside the deadline sweeper: every `every`,
/// each open organization's due bundles (closed exams, changed reviews, the
/// nightly one), one at a time, so a backup never competes with another
/// for the disk or a reader. What is due is read from `backup_runs` each
/// time, so a restart or a failure is taken up again at a later look.
/// Idle when automatic backups are off or no recipient is configured.
pub async fn run_due_every(state: AppState, every: std::time::Duration) {
    let config = &state.config().backup;
    if !config.automatic || config.recipients.is_empty() {
        return;
    }
    let mut ticks = tokio::time::interval(every);
    // A long bundle delays the next look rather than bunching looks after it.
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // Organizations whose last pass failed, until when, and after how many
    // failures in a row: the pause holds even when the failure could not be
    // recorded (a full disk), so a failing job never loops.
    let mut paused: std::collections::HashMap<crate::domain::OrgId, (time::OffsetDateTime, u32)> =
        std::collections::HashMap::new();
    loop {
        ticks.tick().await;
        for (org, db) in state.registry().open_orgs() {
            let now = state.clock().now();
            if paused.get(&org).is_some_and(|(until, _)| now < *until) {
                continue;
            }
            let result = run_due(&state, org, &db).await;
            if !matches!(result, Ok(0) | Err(StoreError::Closed)) {
                crate::telemetry::job_done("backup", &result);
            }
            match result {
                Ok(count) => {
                    paused.remove(&org);
                    if count > 0 {
                        tracing::info!(count, "wrote due backups");
                    }
                }
                Err(StoreError::Closed) => return,
                Err(error) => {
                    let failures = paused.get(&org).map_or(1, |(_, n)| n + 1);
                    paused.insert(org, (now + backup_runs::retry_after(failures), failures));
                    tracing::error!(%error, "a due backup failed; the organization's next ones wait");
                }
            }
        }
    }
}

/// Writes every bundle `org` is owed now; returns how many were written.
/// Stops at the first failure (recorded with its run): a full disk or a
/// missing share fails every bundle alike.
async fn run_due(state: &AppState, org: crate::domain::OrgId, db: &Database) -> Result<usize, StoreError> {
    let org = super::organizations::find(state, org).await?;
    // A deactivated organization is kept as it is: its last bundles stand.
    if org.status != crate::store::platform::OrgStatus::Active {
        return Ok(0);
    }
    let now = state.clock().now();
    let late_window = state.config().exams.save_rules().late_window;
    let (nightly, hour) = (state.config().backup.nightly, state.config().backup.nightly_utc_hour);
    let (exams, org_due) = db
        .read(move |conn| {
            let exams = backup_runs::due_exams(conn, now, late_window)?;
            let org_due = nightly && backup_runs::nightly_due(conn, now, hour)?;
            Ok((exams, org_due))
        })
        .await?;
    if exams.is_empty() && !org_due {
        return Ok(0);
    }
    let system = Actor::audited(audit::Actor::system());
    let mut written = 0;
    let jobs = exams.into_iter().map(|(exam, reason)| (Scope::Exam(exam), reason));
    for (scope, reason) in jobs.chain(org_due.then_some((Scope::Organization, Reason::Nightly))) {
        back_up(state, &system, &org, scope, None, reason).await?;
        written += 1;
    }
    Ok(written)
}

/// One exam's backups, as `backup list` and the org admin's page show them.
#[derive(Debug, Clone)]
pub struct ExamBackups {
    /// The exam.
    pub exam: ExamId,
    /// Its title.
    pub title: String,
    /// Its course's code.
    pub course: String,
    /// When it closes.
    pub closes_at: String,
    /// Its last good bundle and last failure.
    pub latest: backup_runs::Latest,
}

/// Every published exam's backups, and the organization's own.
///
/// # Errors
/// Storage errors.
pub async fn status(file: super::org_file::OrgFile<'_>) -> Result<(Vec<ExamBackups>, backup_runs::Latest), StoreError> {
    file.read(|conn| {
        let mut statement = conn.prepare(
            "SELECT e.id, e.title, c.code, e.closes_at FROM exams e JOIN courses c ON c.id = e.course_id
             WHERE e.status = 'published' OR EXISTS (SELECT 1 FROM backup_runs r WHERE r.exam_id = e.id)
             ORDER BY e.closes_at DESC, e.id",
        )?;
        let exams: Vec<(ExamId, String, String, String)> =
            statement.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?.collect::<Result<_, _>>()?;
        let mut rows = Vec::with_capacity(exams.len());
        for (exam, title, course, closes_at) in exams {
            let latest = backup_runs::latest(conn, Some(exam))?;
            rows.push(ExamBackups { exam, title, course, closes_at, latest });
        }
        Ok((rows, backup_runs::latest(conn, None)?))
    })
    .await
}
