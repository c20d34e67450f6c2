//! The organization databases a running server has open, and those it
//! refuses to serve.
//!
//! Databases open on first use (an organization created from the command
//! line while the server runs is picked up on its first request) and stay
//! open until shutdown, when every writer finishes its queue and the last
//! audit heads are anchored. An organization whose file fails a check at open
//! ([`Refusal`]) is refused, logged, and tried again when its anchor changes
//! (`examhall audit accept-head`) or after [`RECHECK_EVERY`] (the right file
//! put back); the other organizations are served meanwhile.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::open_once::OpenOnce;
use super::org_refusal::Refusal;
use super::platform::{OrgStatus, Platform};
use super::{Database, StoreError, migrations};
use crate::domain::OrgId;
use crate::store::audit::AuditHead;

/// How long a refusal stands before the file is looked at again, unless the
/// organization's anchor changes first.
pub const RECHECK_EVERY: Duration = Duration::from_secs(30);

/// The platform database and the open organization databases.
#[derive(Clone)]
pub struct Registry {
    platform: Platform,
    open: Arc<OpenOnce<OrgId, Database>>,
    refused: Arc<Mutex<HashMap<OrgId, Refused>>>,
    /// Whether each organization is in service, as last read or set. Only
    /// the process holding the data directory changes it, through
    /// [`Registry::set_active`], so it is read from `platform.db` once. Only
    /// organizations that exist are held: the ids come from cookies and
    /// links anyone can send.
    active: Arc<Mutex<HashMap<OrgId, bool>>>,
}

/// A refusal and what it was decided on.
struct Refused {
    refusal: Refusal,
    anchored: Option<AuditHead>,
    checked: Instant,
}

impl Registry {
    /// A registry over `platform`, with no organization open yet.
    #[must_use]
    pub fn new(platform: Platform) -> Self {
        Self { platform, open: Arc::default(), refused: Arc::default(), active: Arc::default() }
    }

    /// The platform database.
    #[must_use]
    pub fn platform(&self) -> &Platform {
        &self.platform
    }

    /// The database of organization `id`, opened if needed.
    ///
    /// # Errors
    /// [`StoreError::OrgRefused`] for an organization whose file failed a
    /// check; [`StoreError::NotFound`] for an unknown one; open errors.
    pub async fn org(&self, id: OrgId) -> Result<Database, StoreError> {
        if let Some(db) = self.open.get(&id) {
            return Ok(db);
        }
        if let Some(refusal) = self.standing_refusal(id).await? {
            return Err(StoreError::OrgRefused(Box::new(refusal)));
        }
        // Only callers of this one organization wait while it opens (and
        // perhaps migrates, copying its file first); the others are served.
        self.open.get_or_open(id, StoreError::Closed, || self.open_now(id)).await
    }

    /// Opens organization `id` and records whether it is refused.
    async fn open_now(&self, id: OrgId) -> Result<Database, StoreError> {
        match self.platform.open_org(id).await {
            Ok(db) => {
                if self.lock_refused().remove(&id).is_some() {
                    tracing::warn!(org = %id, "organization served again after a refusal");
                }
                Ok(db)
            }
            Err(StoreError::OrgRefused(refusal)) => {
                let anchored = self.platform.anchored_head(id).await?;
                let before = self
                    .lock_refused()
                    .insert(id, Refused { refusal: (*refusal).clone(), anchored, checked: Instant::now() });
                if before.is_none_or(|b| b.refusal != *refusal) {
                    tracing::error!(
                        org = %refusal.slug,
                        id = %id,
                        problem = %refusal,
                        what_to_do = %refusal.what_to_do(),
                        "refusing to serve an organization until IT investigates; its users get 503"
                    );
                }
                Err(StoreError::OrgRefused(refusal))
            }
            Err(other) => Err(other),
        }
    }

    /// Whether organization `id` exists and is in service.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn is_active(&self, id: OrgId) -> Result<bool, StoreError> {
        if let Some(active) = self.lock_active().get(&id) {
            return Ok(*active);
        }
        let active = self.platform.is_active(id).await?;
        // `false` may be an id that names no organization: not held, so
        // made-up ids cannot grow the map (a deactivated one is read again).
        if active {
            self.lock_active().insert(id, true);
        }
        Ok(active)
    }

    /// How many organizations' status is held: at most the organizations
    /// that exist.
    #[must_use]
    pub fn statuses_held(&self) -> usize {
        self.lock_active().len()
    }

    /// Records that existing organization `id` was switched on or off; call
    /// after the change committed in `platform.db`.
    pub fn set_active(&self, id: OrgId, active: bool) {
        self.lock_active().insert(id, active);
    }

    fn lock_active(&self) -> std::sync::MutexGuard<'_, HashMap<OrgId, bool>> {
        self.active.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The refusal of `id` while it stands: neither its anchor changed nor
    /// [`RECHECK_EVERY`] passed since it was decided.
    async fn standing_refusal(&self, id: OrgId) -> Result<Option<Refusal>, StoreError> {
        let Some((anchored, checked)) = self.lock_refused().get(&id).map(|r| (r.anchored, r.checked)) else {
            return Ok(None);
        };
        if checked.elapsed() >= RECHECK_EVERY || self.platform.anchored_head(id).await? != anchored {
            return Ok(None);
        }
        Ok(self.lock_refused().get(&id).map(|r| r.refusal.clone()))
    }

    /// Whether organization `id` is refused now (without looking again).
    #[must_use]
    pub fn is_refused(&self, id: OrgId) -> bool {
        self.lock_refused().contains_key(&id)
    }

    /// How many organizations are refused now.
    #[must_use]
    pub fn refused_count(&self) -> usize {
        self.lock_refused().len()
    }

    /// Opens every active organization; the server is ready when this
    /// returns. A refused organization is logged and left out; once the rest
    /// are open, the copies taken before migrating the files that opened are
    /// removed (the server started on the new version), and audit heads are
    /// anchored in the background from now on. Returns the organizations
    /// served.
    ///
    /// # Errors
    /// The first organization that does not open for another reason than a
    /// refusal; the server then stays not-ready.
    pub async fn open_all(&self) -> Result<usize, StoreError> {
        let orgs = self.platform.list_orgs().await?;
        let mut served = Vec::new();
        for org in orgs.into_iter().filter(|org| org.status == OrgStatus::Active) {
            match self.org(org.id).await {
                Ok(_) => served.push(org.id),
                Err(StoreError::OrgRefused(_)) => {}
                Err(other) => return Err(other),
            }
        }
        let mut files = vec![self.platform.data_dir().platform_db()];
        files.extend(served.iter().map(|id| self.platform.data_dir().org_db(*id)));
        for file in files {
            for copy in migrations::prune_copies(&file) {
                tracing::info!(
                    copy = %copy.display(),
                    "removed a copy taken before migrating: the server started on the new version"
                );
            }
        }
        let (anchors, platform_db) = (self.platform.anchors().clone(), self.platform.db().clone());
        tokio::spawn(async move { anchors.run(platform_db).await });
        Ok(served.len())
    }

    /// The organization databases open now, with their organizations.
    #[must_use]
    pub fn open_orgs(&self) -> Vec<(OrgId, Database)> {
        self.open.entries()
    }

    /// Stops opening organizations (later callers get
    /// [`StoreError::Closed`]), waits for the opens in flight, finishes every
    /// queued write, stops every writer, anchors the last audit heads and
    /// closes `platform.db`.
    pub async fn close_all(&self) {
        for db in self.open.close().await {
            db.close().await;
        }
        self.platform.close().await;
    }

    fn lock_refused(&self) -> std::sync::MutexGuard<'_, HashMap<OrgId, Refused>> {
        self.refused.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
