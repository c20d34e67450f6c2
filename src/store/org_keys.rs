//! An organization's database key: replaced (`examhall keys rekey-org`) or
//! destroyed with its files (`examhall org erase`, crypto-erase).
//!
//! Both run in the process holding the data directory while the
//! organization's database is not open. A rekey records the new key wrapped
//! (`next_wrapped_key`) before the file re-encrypted under it replaces the
//! old one ([`reencrypt`]), and promotes it after; opening the organization
//! finishes or undoes a rekey a crash interrupted (`Platform::settle_rekey`),
//! keeping whichever key opens the file.

use std::path::PathBuf;

use rusqlite::params;
use time::OffsetDateTime;

use super::connection::overwriting;
use super::keys::DatabaseKey;
use super::org_open::Record;
use super::platform::Platform;
use super::{StoreError, audit, migrations, reencrypt};
use crate::domain::OrgId;
use crate::failpoint;
use crate::store::audit::AuditEvent;

/// What an erase removed, and what it could not.
#[derive(Debug, Default)]
pub struct Erased {
    /// Files of the organization removed.
    pub removed: Vec<PathBuf>,
    /// Copies of `platform.db` taken before a migration, removed: they may
    /// hold the organization's key.
    pub copies: Vec<PathBuf>,
    /// Files left behind, with why: unreadable now that the key is gone, but
    /// IT should remove them.
    pub left: Vec<(PathBuf, std::io::Error)>,
}

impl Platform {
    /// Re-encrypts organization `id`'s database under a new random key and
    /// appends `event` (`org.rekey`) to the platform log; the old key opens
    /// nothing afterwards (copies taken before a migration are removed too).
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown organization; storage errors.
    /// Before the file is replaced nothing changed.
    pub async fn rekey_org(&self, id: OrgId, event: AuditEvent, now: OffsetDateTime) -> Result<(), StoreError> {
        let old = self.settle_rekey(id).await?.key;
        let new = DatabaseKey::generate();
        let wrapped = self.master.wrap(&new, &id.to_string());
        self.db()
            .write(move |conn| {
                conn.execute("UPDATE organizations SET next_wrapped_key = ?2 WHERE id = ?1", params![id, wrapped])?;
                Ok(())
            })
            .await?;
        failpoint::hit("rekey-org:next-key-recorded");
        let path = self.data_dir().org_db(id);
        let replaced = tokio::task::spawn_blocking(move || {
            let copy = reencrypt::write_copy(&path, &old, &new, |_| Ok(()))?;
            failpoint::hit("rekey-org:copy-written");
            reencrypt::swap_in(&copy, &path)
        })
        .await
        .map_err(|_| StoreError::JobPanicked)?;
        if let Err(error) = replaced {
            // The rename may have happened before the error (a failed
            // directory sync): keep whichever key opens the file now.
            self.settle_rekey(id).await?;
            return Err(error);
        }
        failpoint::hit("rekey-org:file-replaced");
        self.promote_next_key(id, event.target(id.to_string()), now).await
    }

    /// Organization `id`'s record, after finishing or undoing a rekey that a
    /// crash interrupted: the key that opens its file stays. Nothing to do
    /// (the usual case: one read) when no rekey was under way, or when
    /// neither key opens the file (opening then refuses it as not its key).
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown organization;
    /// [`StoreError::KeyUnwrap`], storage errors.
    pub(super) async fn settle_rekey(&self, id: OrgId) -> Result<Record, StoreError> {
        let record = self.record(id).await?;
        let Some(wrapped) = &record.next_wrapped else { return Ok(record) };
        let next = self.master.unwrap(wrapped, &id.to_string())?;
        let (record, opener) = tokio::task::spawn_blocking(move || {
            let path = &record.path;
            let _ = reencrypt::remove_if_there(&reencrypt::next_path(path));
            let opener = if reencrypt::opens(path, &record.key) {
                Some(false)
            } else {
                reencrypt::opens(path, &next).then_some(true)
            };
            (record, opener)
        })
        .await
        .map_err(|_| StoreError::JobPanicked)?;
        match opener {
            Some(false) => {
                tracing::warn!(org = %id, "undid a rekey that stopped before the file was replaced");
                self.forget_next_key(id).await?;
            }
            Some(true) => {
                tracing::warn!(org = %id, "finished a rekey that stopped after the file was replaced");
                let event = AuditEvent::new("system", "examhall", "org.rekey")
                    .target(id.to_string())
                    .details(serde_json::json!({ "finished_after_interruption": true }));
                self.promote_next_key(id, event, crate::clock::Clock::now(&crate::clock::SystemClock)).await?;
            }
            None => return Ok(record),
        }
        self.record(id).await
    }

    async fn forget_next_key(&self, id: OrgId) -> Result<(), StoreError> {
        self.db()
            .write(move |conn| {
                overwriting(conn, |conn| {
                    conn.execute("UPDATE organizations SET next_wrapped_key = NULL WHERE id = ?1", [id])?;
                    Ok(())
                })
            })
            .await
    }

    /// Makes the next key organization `id`'s key, once its file opens with
    /// it only, then removes the copies of the file taken before a migration,
    /// which the old key opens. Shared by a rekey and by finishing one a
    /// crash interrupted.
    async fn promote_next_key(&self, id: OrgId, event: AuditEvent, now: OffsetDateTime) -> Result<(), StoreError> {
        self.db()
            .write(move |conn| {
                // The old wrapped key's bytes are overwritten, not left in a free page.
                overwriting(conn, |conn| {
                    conn.execute(
                        "UPDATE organizations SET wrapped_key = next_wrapped_key, next_wrapped_key = NULL
                         WHERE id = ?1 AND next_wrapped_key IS NOT NULL",
                        [id],
                    )?;
                    Ok(())
                })?;
                audit::append(conn, &event, now)?;
                Ok(())
            })
            .await?;
        for copy in migrations::prune_copies(&self.data_dir().org_db(id)) {
            tracing::info!(copy = %copy.display(), "removed a pre-migration copy under the old key");
        }
        Ok(())
    }

    /// Crypto-erases organization `id`: its wrapped key and records leave
    /// `platform.db` (overwritten, with `secure_delete`) in one transaction
    /// with `event` (`org.erase`) in the platform log, then its files are
    /// removed ([`Platform::remove_keyless_files`]). Once the key is gone no
    /// copy of the files opens again; only backup bundles, encrypted to the
    /// backup officers, still hold its data.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown organization; storage errors.
    pub async fn erase_org(&self, id: OrgId, event: AuditEvent, now: OffsetDateTime) -> Result<Erased, StoreError> {
        self.db()
            .write(move |conn| {
                overwriting(conn, |conn| {
                    conn.execute("DELETE FROM org_audit_anchors WHERE org_id = ?1", [id])?;
                    if conn.execute("DELETE FROM organizations WHERE id = ?1", [id])? == 0 {
                        return Err(StoreError::NotFound(format!("organization {id}")));
                    }
                    Ok(())
                })?;
                audit::append(conn, &event, now)?;
                Ok(())
            })
            .await?;
        failpoint::hit("org-erase:key-destroyed");
        self.remove_keyless_files().await
    }

    /// Removes every file in `orgs/` of an organization `platform.db` has no
    /// record of, and the copies of `platform.db` taken before a migration
    /// (they may still hold such an organization's key): what an erase
    /// interrupted after destroying the key left. Run by every erase, and
    /// by the command line to finish an interrupted one.
    ///
    /// # Errors
    /// Storage errors reading the records.
    pub async fn remove_keyless_files(&self) -> Result<Erased, StoreError> {
        let known: Vec<String> = self
            .db()
            .read(|conn| {
                let mut statement = conn.prepare("SELECT id FROM organizations")?;
                let ids = statement.query_map([], |r| r.get::<_, String>(0))?;
                Ok(ids.collect::<Result<_, _>>()?)
            })
            .await?;
        let dir = self.data_dir().orgs();
        let mut erased = Erased::default();
        // No `orgs/` folder: no organization file to remove.
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            // `<id>.db`, `<id>.db-wal`, `<id>.db.next`, `<id>.db.pre-migration-vN`, ...
            let Some((id, _)) = name.split_once(".db") else { continue };
            if OrgId::parse(id).is_err() || known.iter().any(|k| k == id) {
                continue;
            }
            match std::fs::remove_file(entry.path()) {
                Ok(()) => erased.removed.push(entry.path()),
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                Err(error) => erased.left.push((entry.path(), error)),
            }
        }
        let _ = reencrypt::sync_dir(&dir.join("."));
        erased.copies = migrations::prune_copies(&self.data_dir().platform_db());
        for copy in &erased.copies {
            tracing::info!(copy = %copy.display(), "removed a pre-migration copy of platform.db");
        }
        Ok(erased)
    }
}
