//! The organization databases a running server has open.
//!
//! Databases open on first use (an organization created from the command
//! line while the server runs is picked up on its first request) and stay
//! open until shutdown, when every writer finishes its queue.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::RwLock;

use super::platform::{OrgStatus, Platform};
use super::{Database, StoreError};
use crate::domain::OrgId;

/// The platform database and the open organization databases.
#[derive(Clone)]
pub struct Registry {
    platform: Platform,
    open: Arc<RwLock<HashMap<OrgId, Database>>>,
}

impl Registry {
    /// A registry over `platform`, with no organization open yet.
    #[must_use]
    pub fn new(platform: Platform) -> Self {
        Self { platform, open: Arc::default() }
    }

    /// The platform database.
    #[must_use]
    pub fn platform(&self) -> &Platform {
        &self.platform
    }

    /// The database of organization `id`, opened if needed.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown organization; open errors.
    pub async fn org(&self, id: OrgId) -> Result<Database, StoreError> {
        if let Some(db) = self.open.read().await.get(&id) {
            return Ok(db.clone());
        }
        let mut open = self.open.write().await;
        if let Some(db) = open.get(&id) {
            return Ok(db.clone());
        }
        let db = self.platform.open_org(id).await?;
        open.insert(id, db.clone());
        Ok(db)
    }

    /// Opens every active organization; the server is ready when this returns.
    ///
    /// # Errors
    /// The first organization that does not open; the server then stays not-ready.
    pub async fn open_all(&self) -> Result<usize, StoreError> {
        let orgs = self.platform.list_orgs().await?;
        let mut count = 0;
        for org in orgs.into_iter().filter(|org| org.status == OrgStatus::Active) {
            self.org(org.id).await?;
            count += 1;
        }
        Ok(count)
    }

    /// The organization databases open now.
    pub async fn open_orgs(&self) -> Vec<Database> {
        self.open.read().await.values().cloned().collect()
    }

    /// Finishes every queued write and stops every writer.
    pub async fn close_all(&self) {
        let open: Vec<Database> = self.open.write().await.drain().map(|(_, db)| db).collect();
        for db in open {
            db.close().await;
        }
        self.platform.db().close().await;
    }
}
