//! Restoring a bundle: an exam into its organization (the same one, or
//! that organization made again on a new appliance), or a whole
//! organization onto an appliance that does not have it.
//!
//! Everything is checked before anything is written: the signature by a
//! trusted key, every member's hash and row count ([`backup::read`]), the
//! schema version, and each audit entry's own hash and, between entries
//! that follow each other, its link. Then the rows go in through one write
//! transaction (only adding; see [`crate::store::restore`]); an organization
//! that is not on this appliance is made with its rows before its platform
//! record exists, so a failure leaves no organization behind. The restore
//! is refused while an exam of the organization is open, so students'
//! saves never wait behind it. Audited as `backup.restore` in the
//! organization (with what was added, or that nothing changed), and as
//! `org.restore` in the platform log when the organization was made.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::Actor;
use crate::backup::{self, Manifest, RowsError};
use crate::domain::{OrgId, OrgName, OrgSlug};
use crate::signing::PublicKey;
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::audit;
use crate::store::platform::Organization;
use crate::store::restore::{Restored, Restorer, checked_audit_entry};

/// An officer's identities, as the bundle's decryption takes them.
pub type Identities = Vec<Box<dyn age::Identity + Send + Sync>>;

/// Why a restore did not happen; nothing was written in any case.
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    /// The bundle failed a check.
    #[error(transparent)]
    Bundle(#[from] backup::ReadError),
    /// The bundle is sound but cannot go here (another organization, another
    /// schema, an exam open), or the data refused it.
    #[error(transparent)]
    Refused(#[from] StoreError),
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
    /// Rows that were there already.
    pub present: u64,
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
    let platform = state.registry().platform();
    let mut trusted = platform.signing_public_keys().await?;
    trusted.extend(trust);
    let identities = std::sync::Arc::new(identities);
    let (manifest, sha256) = {
        let (bundle, identities) = (file.clone(), std::sync::Arc::clone(&identities));
        tokio::task::spawn_blocking(move || check(&bundle, &identities, &trusted))
            .await
            .map_err(|_| StoreError::JobPanicked)??
    };
    let (org_id, existing) = target(state, &manifest, into.as_ref()).await?;
    let now = state.clock().now();
    let write_rows = rows_into(file, identities, manifest.clone(), sha256.clone(), now);
    let (org, created, (done, digest)) = if let Some(org) = existing {
        refuse_while_open(state, &org).await?;
        let db = state.registry().org(org.id).await?;
        let filled = db.write(write_rows).await?;
        (org, false, filled)
    } else {
        let slug = OrgSlug::parse(&manifest.organization.slug).map_err(|e| StoreError::WrongState(e.0))?;
        let name = OrgName::parse(&manifest.organization.name).map_err(|e| StoreError::WrongState(e.0))?;
        let event = actor.event("org.restore").details(serde_json::json!({ "bundle_sha256": sha256 }));
        let made = platform.create_org_filled(org_id, slug, name, event, now, write_rows).await;
        let (org, filled) = made.map_err(|error| match error {
            StoreError::Taken(_) => StoreError::WrongState(format!(
                "this appliance has another organization with the slug {} (another id): the bundle is not of it",
                manifest.organization.slug
            )),
            other => other,
        })?;
        (org, true, filled)
    };
    let details = serde_json::json!({
        "bundle_sha256": sha256,
        "kind": manifest.kind,
        "made_at": manifest.created_at,
        "bundle_audit_head": manifest.audit_head,
        "added": done.added,
        "present": done.present,
        "nothing_changed": done.added.is_empty(),
        "audit_entries_kept_aside_sha256": digest,
    });
    let mut event = actor.event("backup.restore").details(details);
    if let Some(exam) = &manifest.exam {
        event = event.target(exam.id.clone());
    }
    let db = state.registry().org(org.id).await?;
    db.write(move |conn| audit::append(conn, &event, now)).await?;
    Ok(Outcome { org, created, manifest, added: done.added, present: done.present })
}

/// The organization the bundle goes back into: its id, and the organization
/// when this appliance has it. Refuses another schema, or `into` naming
/// another organization than the bundle's.
async fn target(
    state: &AppState,
    manifest: &Manifest,
    into: Option<&OrgSlug>,
) -> Result<(OrgId, Option<Organization>), RestoreError> {
    let supported = u32::try_from(crate::store::migrations::ORG.len()).unwrap_or(u32::MAX);
    if manifest.schema_version != supported {
        return Err(StoreError::WrongState(format!(
            "the bundle holds schema version {} and this examhall's is {supported}: restore it with the examhall \
             version that made it ({})",
            manifest.schema_version, manifest.examhall_version
        ))
        .into());
    }
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

/// The write that puts the bundle's rows into an organization's database,
/// in the caller's transaction: the rows added, and the digest of the audit
/// entries kept aside.
fn rows_into(
    bundle: PathBuf,
    identities: std::sync::Arc<Identities>,
    manifest: Manifest,
    sha256: String,
    now: time::OffsetDateTime,
) -> impl FnOnce(&rusqlite::Connection) -> Result<(Restored, String), StoreError> + Send + 'static {
    move |conn| {
        let exam = manifest.exam.as_ref().map(|exam| exam.id.as_str());
        let mut restorer = Restorer::new(conn, &manifest.organization.id, &sha256, exam, now)?;
        let input = std::fs::File::open(&bundle).map_err(StoreError::io("open", bundle.clone()))?;
        backup::for_each_row(std::io::BufReader::new(input), &identities, &manifest, |table, row| {
            restorer.row(table, row)
        })
        .map_err(|error| match error {
            RowsError::Bundle(error) => StoreError::WrongState(error.to_string()),
            RowsError::Each(error) => error,
        })?;
        let dangling: Option<String> =
            conn.query_row("SELECT \"table\" FROM pragma_foreign_key_check LIMIT 1", [], |r| r.get(0)).ok();
        if let Some(table) = dangling {
            return Err(StoreError::WrongState(format!(
                "rows of {table} would refer to rows that are missing; nothing was restored"
            )));
        }
        Ok(restorer.finish())
    }
}

/// The checks before anything is written: the bundle whole and trusted, and
/// its audit entries each matching its hash and linked to the one before it.
/// Returns the manifest and the bundle file's SHA-256.
fn check(
    file: &std::path::Path,
    identities: &Identities,
    trusted: &[PublicKey],
) -> Result<(Manifest, String), RestoreError> {
    use sha2::Digest as _;
    let open = || {
        std::fs::File::open(file)
            .map(std::io::BufReader::new)
            .map_err(|e| StoreError::WrongState(format!("cannot open {}: {e}", file.display())))
    };
    let sha256 = {
        use std::io::Read as _;
        let (mut input, mut hash, mut buffer) = (open()?, sha2::Sha256::new(), vec![0u8; 256 * 1024]);
        loop {
            let read = input
                .read(&mut buffer)
                .map_err(|e| StoreError::WrongState(format!("cannot read {}: {e}", file.display())))?;
            if read == 0 {
                break hex::encode(hash.finalize());
            }
            hash.update(&buffer[..read]);
        }
    };
    let opened = backup::read(open()?, identities, trusted)?;
    let mut last: Option<(i64, Vec<u8>)> = None;
    backup::for_each_row(open()?, identities, &opened.manifest, |table, row| {
        if table != "audit_log" {
            return Ok(());
        }
        let (seq, prev, hash) = checked_audit_entry(&row)?;
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
    Ok((opened.manifest, sha256))
}

/// Refuses while an exam of `org` is open: a restore holds the organization's
/// writer, and students' saves must never wait behind it.
async fn refuse_while_open(state: &AppState, org: &Organization) -> Result<(), StoreError> {
    let now = crate::clock::rfc3339(state.clock().now());
    let db = state.registry().org(org.id).await?;
    let open: Option<String> = db
        .read(move |conn| {
            use rusqlite::OptionalExtension as _;
            Ok(conn
                .query_row(
                    "SELECT title FROM exams WHERE status = 'published' AND opens_at <= ?1 AND closes_at > ?1 LIMIT 1",
                    [now],
                    |r| r.get(0),
                )
                .optional()?)
        })
        .await?;
    match open {
        Some(title) => Err(StoreError::WrongState(format!(
            "the exam \"{title}\" of {} is open now: restore after it closes, so no student's save waits behind it",
            org.slug
        ))),
        None => Ok(()),
    }
}
