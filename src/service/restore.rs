//! Restoring a bundle: an exam into its organization (the same one, or
//! that organization made again on a new appliance), or a whole
//! organization onto an appliance that does not have it.
//!
//! Everything is checked before anything is written: the signature by a
//! trusted key, every member's hash and row count ([`backup::read`]), the
//! schema version, and each audit entry's own hash and, between entries
//! that follow each other, its link. The file is opened once and read from
//! that one handle each time, and the write pass checks it again, so a file
//! changed in between stops the restore. Then, in one transaction:
//!
//! - an organization not on this appliance is made with every row of the
//!   bundle before its platform record exists (a failure leaves nothing);
//! - into an organization that is here, an exam that is not there any more
//!   comes back with what it needs that is missing, never a role; a bundle
//!   whose moment the organization's audit chain already holds (it is the
//!   same organization, later) changes nothing, and neither does one
//!   restored before; anything else is refused, since restoring would bring
//!   back what was deliberately changed;
//! - refused while an exam of the organization is open (to its last
//!   deadline and the late window), checked in that same transaction, so
//!   students' saves never wait behind it.
//!
//! Audited in the same transaction as `backup.restore` (what was added, or
//! that nothing changed), and as `org.restore` in the platform log when the
//! organization was made. One restore runs at a time.

use std::collections::BTreeMap;
use std::io::{Read as _, Seek as _};
use std::path::PathBuf;
use std::sync::Arc;

use rusqlite::Connection;

use super::Actor;
use crate::backup::{self, Kind, Manifest, Opened, RowsError};
use crate::domain::{OrgId, OrgName, OrgSlug};
use crate::signing::PublicKey;
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::audit::{self, AuditEvent, AuditHead};
use crate::store::platform::Organization;
use crate::store::restore::{Restored, Restorer, Target, checked_audit_entry};

/// An officer's identities, as the bundle's decryption takes them.
pub type Identities = Vec<Box<dyn age::Identity + Send + Sync>>;

/// One restore at a time: two at once of the same organization would race
/// to make it.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Why a restore did not happen; nothing was written in any case.
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    /// The bundle failed a check.
    #[error(transparent)]
    Bundle(#[from] backup::ReadError),
    /// The bundle is sound but was written with another database schema.
    #[error(transparent)]
    Schema(#[from] SchemaMismatch),
    /// The bundle is sound but cannot go here (another organization, an
    /// exam open), or the data refused it.
    #[error(transparent)]
    Refused(#[from] StoreError),
}

/// A bundle whose rows are of another database schema than this
/// examhall's. A restore puts rows back as they are; it cannot bring rows
/// of an older schema up to date (a migration's Rust steps and rewritten
/// tables work on a whole database, not on rows arriving one at a time).
#[derive(Debug, Clone, thiserror::Error)]
pub enum SchemaMismatch {
    /// Written by an older examhall.
    #[error(
        "the bundle was written by examhall {made_by} with database schema version {found}, older than this \
         examhall's ({here}): a restore cannot bring its rows up to date"
    )]
    Older {
        /// The bundle's schema version.
        found: u32,
        /// This examhall's.
        here: u32,
        /// The examhall version that wrote it, as its manifest says.
        made_by: String,
    },
    /// Written by a newer examhall.
    #[error(
        "the bundle holds schema version {found} and this examhall's is {here}: restore it with the examhall \
         version that made it ({made_by})"
    )]
    Newer {
        /// The bundle's schema version.
        found: u32,
        /// This examhall's.
        here: u32,
        /// The examhall version that wrote it, as its manifest says.
        made_by: String,
    },
}

impl SchemaMismatch {
    /// What IT can do about it.
    #[must_use]
    pub fn hint(&self) -> String {
        match self {
            Self::Older { made_by, .. } => format!(
                "restore it with examhall {made_by}, the version that wrote it (on a spare appliance or data \
                 directory of that version), then upgrade that examhall to this version: upgrading migrates the \
                 restored data with everything else"
            ),
            Self::Newer { .. } => "install the examhall version that wrote the bundle, or a newer one".to_owned(),
        }
    }
}

/// Whether this examhall can restore the rows of a bundle with `manifest`:
/// only a bundle of its own database schema.
///
/// # Errors
/// [`SchemaMismatch`] for an older or a newer schema.
pub fn schema_fits(manifest: &Manifest) -> Result<(), SchemaMismatch> {
    let here = u32::try_from(crate::store::migrations::ORG.len()).unwrap_or(u32::MAX);
    let (found, made_by) = (manifest.schema_version, manifest.examhall_version.clone());
    match found.cmp(&here) {
        std::cmp::Ordering::Equal => Ok(()),
        std::cmp::Ordering::Less => Err(SchemaMismatch::Older { found, here, made_by }),
        std::cmp::Ordering::Greater => Err(SchemaMismatch::Newer { found, here, made_by }),
    }
}

/// What a restore did.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The organization restored into.
    pub org: Organization,
    /// Whether it was made by this restore.
    pub created: bool,
    /// The bundle's manifest.
    pub manifest: Manifest,
    /// Rows added, by table.
    pub added: BTreeMap<String, u64>,
    /// Rows that were there already (or, for a bundle whose moment is here
    /// already, every row of it).
    pub present: u64,
}

/// A bundle that passed the checks, open for the write.
struct Checked {
    file: std::fs::File,
    opened: Opened,
    sha256: String,
}

/// Restores the bundle in `file` with `identities`, trusting this
/// appliance's keys and `trust` (another appliance's); `into`, when given,
/// must be the bundle's organization.
///
/// # Errors
/// [`RestoreError`], with nothing written.
pub async fn restore(
    state: &AppState,
    actor: &Actor,
    file: PathBuf,
    identities: Identities,
    trust: Option<PublicKey>,
    into: Option<OrgSlug>,
) -> Result<Outcome, RestoreError> {
    let _one = ONE_AT_A_TIME.lock().await;
    let platform = state.registry().platform();
    let mut trusted = platform.signing_public_keys().await?;
    trusted.extend(trust);
    let identities = Arc::new(identities);
    let checked = {
        let identities = Arc::clone(&identities);
        tokio::task::spawn_blocking(move || check(&file, &identities, &trusted))
            .await
            .map_err(|_| StoreError::JobPanicked)??
    };
    let manifest = checked.opened.manifest.clone();
    let (org_id, existing) = target(state, &manifest, into.as_ref()).await?;
    let now = state.clock().now();
    let late_window = state.config().exams.save_rules().late_window;
    let event = actor.event("backup.restore");
    let (org, created, done) = if let Some(org) = existing {
        let db = state.registry().org(org.id).await?;
        let write = move |conn: &Connection| {
            if let Some(title) = crate::store::restore::an_open_exam(conn, now, late_window)? {
                return Err(StoreError::WrongState(format!(
                    "the exam \"{title}\" is open now (or its last attempt and late window are): restore after it \
                     closes, so no student's save waits behind it"
                )));
            }
            let done = if missing_exam(conn, &checked.opened.manifest)? {
                write_rows(conn, &checked, &identities, Target::Existing, now)?
            } else if holds_already(conn, &checked.opened.manifest)? {
                Restored { present: manifest_rows(&checked.opened.manifest), ..Restored::default() }
            } else {
                return Err(StoreError::WrongState(
                    "this organization is here and has moved on from the bundle in another way (its audit log does \
                     not hold the bundle's moment): restoring would bring back what was deliberately changed since. \
                     Read the bundle with the age tool and restore what is needed by hand"
                        .to_owned(),
                ));
            };
            audit::append(conn, &restore_event(event, &checked, &done), now)?;
            Ok(done)
        };
        (org.clone(), false, db.write(write).await?)
    } else {
        let slug = OrgSlug::parse(&manifest.organization.slug).map_err(|e| StoreError::WrongState(e.0))?;
        let name = OrgName::parse(&manifest.organization.name).map_err(|e| StoreError::WrongState(e.0))?;
        let made_event = actor.event("org.restore").details(serde_json::json!({ "bundle_sha256": checked.sha256 }));
        let write = move |conn: &Connection| {
            let done = write_rows(conn, &checked, &identities, Target::Fresh, now)?;
            audit::append(conn, &restore_event(event, &checked, &done), now)?;
            Ok(done)
        };
        let made = platform.create_org_filled(org_id, slug, name, made_event, now, write).await;
        let (org, done) = made.map_err(|error| match error {
            StoreError::Taken(_) => StoreError::WrongState(format!(
                "this appliance has another organization with the slug {} (another id), or a file of an \
                 organization being made: the bundle is not of it",
                manifest.organization.slug
            )),
            other => other,
        })?;
        (org, true, done)
    };
    Ok(Outcome { org, created, manifest, added: done.added, present: done.present })
}

/// The organization the bundle goes back into: its id, and the organization
/// when this appliance has it. Refuses another schema ([`schema_fits`]), or
/// `into` naming another organization than the bundle's.
async fn target(
    state: &AppState,
    manifest: &Manifest,
    into: Option<&OrgSlug>,
) -> Result<(OrgId, Option<Organization>), RestoreError> {
    schema_fits(manifest)?;
    let org_id = OrgId::parse(&manifest.organization.id)
        .map_err(|_| backup::ReadError::Damaged("the manifest's organization id is not an id".to_owned()))?;
    let existing = state.registry().platform().org_by_id(org_id).await?;
    let named = |slug: &OrgSlug| match &existing {
        Some(org) => &org.slug == slug,
        None => slug.as_str() == manifest.organization.slug,
    };
    if let Some(slug) = into
        && !named(slug)
    {
        return Err(StoreError::WrongState(format!(
            "the bundle is of organization {} ({}), not of {slug}: an exam goes back only into its own organization",
            manifest.organization.slug, manifest.organization.id
        ))
        .into());
    }
    Ok((org_id, existing))
}

/// Whether this organization holds the bundle's moment already: its audit
/// chain holds the bundle's head (it is the same organization, later), or
/// the same bundle's moment was restored here before.
fn holds_already(conn: &Connection, manifest: &Manifest) -> Result<bool, StoreError> {
    let head: AuditHead = manifest
        .audit_head
        .parse()
        .map_err(|_| StoreError::WrongState("the manifest's audit head is not SEQ:HEX".to_owned()))?;
    if head.seq == 0 || audit::locate(conn, &head)?.is_some() {
        return Ok(true);
    }
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM audit_log WHERE action = 'backup.restore'
                        AND json_extract(details, '$.bundle_audit_head') = ?1
                        AND target IS ?2)",
        rusqlite::params![manifest.audit_head, manifest.exam.as_ref().map(|e| e.id.clone())],
        |r| r.get(0),
    )?)
}

/// Whether the bundle is of an exam this organization does not have any more.
fn missing_exam(conn: &Connection, manifest: &Manifest) -> Result<bool, StoreError> {
    let Some(exam) = manifest.exam.as_ref().filter(|_| manifest.kind == Kind::Exam) else { return Ok(false) };
    Ok(!conn.query_row("SELECT EXISTS (SELECT 1 FROM exams WHERE id = ?1)", [&exam.id], |r| r.get(0))?)
}

fn manifest_rows(manifest: &Manifest) -> u64 {
    manifest.members.iter().map(|m| m.rows).sum()
}

/// Puts the bundle's rows into `conn`, reading the checked file again.
fn write_rows(
    conn: &Connection,
    checked: &Checked,
    identities: &Identities,
    target: Target,
    now: time::OffsetDateTime,
) -> Result<Restored, StoreError> {
    let manifest = &checked.opened.manifest;
    let exam = manifest.exam.as_ref().map(|exam| exam.id.as_str());
    let mut restorer = Restorer::new(conn, &manifest.organization.id, &checked.sha256, exam, target, now)?;
    let mut input = &checked.file;
    input.rewind().map_err(|e| StoreError::WrongState(format!("cannot read the bundle again: {e}")))?;
    backup::for_each_row(std::io::BufReader::new(input), identities, &checked.opened, |table, row| {
        restorer.row(table, row)
    })
    .map_err(|error| match error {
        RowsError::Bundle(error) => StoreError::WrongState(error.to_string()),
        RowsError::Each(error) => error,
    })?;
    let (done, digest) = restorer.finish()?;
    Ok(Restored { kept_aside_digest: Some(digest), ..done })
}

/// The restore's own audit entry.
fn restore_event(event: AuditEvent, checked: &Checked, done: &Restored) -> AuditEvent {
    let manifest = &checked.opened.manifest;
    let details = serde_json::json!({
        "bundle_sha256": checked.sha256,
        "kind": manifest.kind,
        "made_at": manifest.created_at,
        "signed_by": checked.opened.signed_by.fingerprint(),
        "bundle_audit_head": manifest.audit_head,
        "added": done.added,
        "present": done.present,
        "nothing_changed": done.added.is_empty(),
        "audit_entries_kept_aside_sha256": done.kept_aside_digest,
    });
    let event = event.details(details);
    match &manifest.exam {
        Some(exam) => event.target(exam.id.clone()),
        None => event,
    }
}

/// The checks before anything is written, all on one open file: its
/// SHA-256, the bundle whole and trusted, and its audit entries each
/// matching its hash and linked to the one before it.
fn check(file: &std::path::Path, identities: &Identities, trusted: &[PublicKey]) -> Result<Checked, RestoreError> {
    use sha2::Digest as _;
    let unreadable = |e: std::io::Error| StoreError::WrongState(format!("cannot read {}: {e}", file.display()));
    let handle = std::fs::File::open(file).map_err(unreadable)?;
    let mut reading = &handle;
    let (mut hash, mut buffer) = (sha2::Sha256::new(), vec![0u8; 256 * 1024]);
    loop {
        let read = reading.read(&mut buffer).map_err(unreadable)?;
        if read == 0 {
            break;
        }
        hash.update(&buffer[..read]);
    }
    let sha256 = hex::encode(hash.finalize());
    reading.rewind().map_err(unreadable)?;
    let opened = backup::read(std::io::BufReader::new(reading), identities, trusted)?;
    reading.rewind().map_err(unreadable)?;
    let mut last: Option<(i64, Vec<u8>)> = None;
    backup::for_each_row_of("audit_log", std::io::BufReader::new(reading), identities, &opened, |_, row| {
        let (seq, prev, hash) = checked_audit_entry(row)?;
        if let Some((last_seq, last_hash)) = &last
            && *last_seq + 1 == seq
            && *last_hash != prev
        {
            return Err(StoreError::WrongState(format!(
                "audit entry {seq} of the bundle is not linked to entry {last_seq}: the log was changed"
            )));
        }
        last = Some((seq, hash));
        Ok(())
    })
    .map_err(|error| match error {
        RowsError::Bundle(error) => RestoreError::Bundle(error),
        RowsError::Each(error) => RestoreError::Refused(error),
    })?;
    Ok(Checked { file: handle, opened, sha256 })
}
