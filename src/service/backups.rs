//! Backing up an exam or a whole organization to a bundle
//! ([`crate::backup`]): rows read in one read transaction while students
//! save, streamed through tar, zstd and age into a hidden file beside its
//! final name, synced, then renamed, so a bundle under its final name is
//! always whole. Audited in the organization's log (`backup.exam`,
//! `backup.org`).

use std::io::BufWriter;
use std::path::{Path, PathBuf};

use super::Actor;
use crate::backup::{self, BundleWriter, ExamRef, Kind, Manifest, OrgRef};
use crate::domain::ExamId;
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::audit;
use crate::store::backup::{Scope, dump};
use crate::store::platform::Organization;

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
/// folder when `None`), for `actor`.
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
) -> Result<Made, StoreError> {
    let recipients = backup::parse_recipients(&state.config().backup.recipients).map_err(StoreError::WrongState)?;
    if recipients.is_empty() {
        return Err(StoreError::WrongState(
            "no backup recipients are configured, so no one could read a bundle: add the backup officers' public \
             keys to [backup] recipients in the config (age-keygen makes a key pair; keep the private half offline)"
                .to_owned(),
        ));
    }
    let now = state.clock().now();
    let platform = state.registry().platform();
    let key = platform.signing_key(now).await?;
    let folder = to.unwrap_or_else(|| state.config().backup_dir());
    std::fs::create_dir_all(&folder).map_err(StoreError::io("create the backup folder", &folder))?;
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
        .tempfile_in(&folder)
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
    let db = state.registry().org(org.id).await?;
    let written = db
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
    let (manifest, bytes, sha256) = written;
    let file = folder.join(&name);
    partial.persist_noclobber(&file).map_err(|e| StoreError::io("name", &file)(e.error))?;
    sync_folder(&folder);
    let action = match scope {
        Scope::Exam(_) => "backup.exam",
        Scope::Organization => "backup.org",
    };
    let target = manifest.exam.as_ref().map(|exam| exam.id.clone());
    let details = serde_json::json!({
        "file": name,
        "bytes": bytes,
        "sha256": sha256,
        "members": manifest.members.len(),
        "rows": manifest.rows_by_table(),
        "audit_head": manifest.audit_head,
    });
    let mut event = actor.event(action).details(details);
    if let Some(target) = target {
        event = event.target(target);
    }
    db.write(move |conn| audit::append(conn, &event, now)).await?;
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

/// Makes the rename durable: a crash right after leaves the bundle or nothing.
fn sync_folder(folder: &Path) {
    if let Ok(dir) = std::fs::File::open(folder) {
        let _ = dir.sync_all();
    }
}
