//! Opening an organization's database, and the checks that decide whether
//! it is served: the file is there, opens with the organization's key,
//! records the organization's id, and its audit chain still holds the head
//! `platform.db` anchored. Each check runs before anything changes the file
//! (migrations included). Also: accepting a rolled-back file's head after
//! investigation, the one way back into service for it.

use std::path::PathBuf;

use rusqlite::{Connection, OptionalExtension};
use time::OffsetDateTime;

use super::anchors;
use super::keys::DatabaseKey;
use super::org_refusal::{self, Refusal, RefusalReason};
use super::platform::Platform;
use super::{Database, StoreError, connection, migrations};
use crate::clock::rfc3339;
use crate::domain::OrgId;
use crate::store::audit::{self, Actor, AuditEvent, AuditHead, Checkpoint};

/// What `platform.db` holds about one organization's file.
pub(super) struct Record {
    slug: String,
    pub(super) key: DatabaseKey,
    /// During a rekey, the next key, still wrapped: unwrapped only to settle
    /// a rekey a crash interrupted ([`Platform::settle_rekey`]).
    pub(super) next_wrapped: Option<Vec<u8>>,
    anchored: Option<AuditHead>,
    pub(super) path: PathBuf,
    /// Every session in the file ends when it opens ([`super::organizations::end_sessions_at_open`]).
    end_sessions: bool,
}

impl Record {
    fn refuse(&self, org: OrgId, reason: RefusalReason) -> StoreError {
        StoreError::OrgRefused(Box::new(Refusal { org, slug: self.slug.clone(), file: self.path.clone(), reason }))
    }

    /// Opens the file with the organization's key and checks that it is the
    /// organization's own; nothing is changed.
    fn open_own_file(&self, org: OrgId) -> Result<Connection, StoreError> {
        if !self.path.exists() {
            return Err(self.refuse(org, RefusalReason::Missing));
        }
        let conn = match connection::open(&self.path, &self.key, false) {
            Err(StoreError::WrongKey { .. }) => return Err(self.refuse(org, RefusalReason::NotItsKey)),
            other => other?,
        };
        org_refusal::check_identity(&conn, org)?.map_err(|reason| self.refuse(org, reason))?;
        Ok(conn)
    }

    /// Runs pending migrations; a log too damaged to upgrade is a refusal.
    fn migrate(&self, org: OrgId, conn: &mut Connection) -> Result<(), StoreError> {
        migrations::run(conn, &self.path, migrations::ORG).map_err(|error| match error {
            StoreError::AuditNotIntact { seq, what } => self.refuse(org, RefusalReason::AuditNotIntact { seq, what }),
            other => other,
        })
    }
}

impl Platform {
    /// Opens organization `id`'s database to serve it: settles a rekey a crash
    /// interrupted, checks the file (see
    /// the module documentation), runs pending migrations, anchors its head
    /// in `platform.db` when the anchor lags, and starts its writer, which
    /// anchors each later head after its commit.
    ///
    /// # Errors
    /// [`StoreError::OrgRefused`] when a check fails; [`StoreError::NotFound`],
    /// [`StoreError::KeyUnwrap`], storage errors.
    pub async fn open_org(&self, id: OrgId) -> Result<Database, StoreError> {
        let record = self.settle_rekey(id).await?;
        let (options, anchors) = (self.options, self.anchors.clone());
        let (anchored, end_sessions) = (record.anchored, record.end_sessions);
        let (db, head) = tokio::task::spawn_blocking(move || {
            let mut conn = record.open_own_file(id)?;
            org_refusal::check_anchor(&conn, record.anchored.as_ref())?.map_err(|reason| record.refuse(id, reason))?;
            record.migrate(id, &mut conn)?;
            if record.end_sessions {
                super::organizations::end_all_sessions(&conn)?;
            }
            let head = audit::head(&conn)?.unwrap_or(AuditHead::EMPTY);
            let hook = anchors::hook(id, head, anchors);
            Ok::<_, StoreError>((Database::start(conn, &record.path, &record.key, options, Some(hook)), head))
        })
        .await
        .map_err(|_| StoreError::JobPanicked)??;
        if end_sessions {
            // After the file's own commit: cleared too early, a crash would keep the sessions.
            let cleared = self
                .db()
                .write(move |conn| {
                    conn.execute("UPDATE organizations SET end_sessions_at_open = 0 WHERE id = ?1", [id])?;
                    Ok(())
                })
                .await;
            if let Err(error) = cleared {
                db.close().await;
                return Err(error);
            }
        }
        if anchored != Some(head) {
            // After the file's own commits: the first anchoring of this
            // organization, or a head moved by a migration or the command line.
            let now = rfc3339(crate::clock::Clock::now(&crate::clock::SystemClock));
            let recorded = self.db().write(move |conn| anchors::record(conn, id, &head, &now)).await;
            if let Err(error) = recorded {
                db.close().await;
                return Err(error);
            }
        }
        Ok(db)
    }

    /// Checks organization `id`'s file as opening it would (its own file,
    /// holding the head `platform.db` anchored), without migrating it or
    /// anchoring anything: for the command line beside a running server.
    ///
    /// # Errors
    /// [`StoreError::OrgRefused`] when a check fails; storage errors.
    pub async fn check_org(&self, id: OrgId) -> Result<(), StoreError> {
        let record = self.record(id).await?;
        tokio::task::spawn_blocking(move || {
            let conn = record.open_own_file(id)?;
            org_refusal::check_anchor(&conn, record.anchored.as_ref())?.map_err(|reason| record.refuse(id, reason))
        })
        .await
        .map_err(|_| StoreError::JobPanicked)?
    }

    /// Runs `work` on organization `id`'s file as it is: the file must be
    /// the organization's own, but is neither migrated nor checked against
    /// its anchor, so that `examhall audit verify` can look at a refused one.
    ///
    /// # Errors
    /// [`StoreError::OrgRefused`] for a file that is not the organization's;
    /// storage errors and those of `work`.
    pub async fn inspect_org<T: Send + 'static>(
        &self,
        id: OrgId,
        work: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let record = self.record(id).await?;
        tokio::task::spawn_blocking(move || work(&record.open_own_file(id)?))
            .await
            .map_err(|_| StoreError::JobPanicked)?
    }

    /// The head `platform.db` anchored for organization `id`, if any.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn anchored_head(&self, id: OrgId) -> Result<Option<AuditHead>, StoreError> {
        self.db().read(move |conn| anchors::read(conn, id)).await
    }

    /// Accepts organization `id`'s file as it is, after IT investigated why
    /// its audit chain no longer holds the anchored head: migrates it, then
    /// in one transaction of the organization appends an `accept`
    /// checkpoint naming the anchored head (by `actor`, for `reason`); then,
    /// after that commit, anchors the new head and records
    /// `org.accept_head` in the platform log, in one platform transaction.
    /// Returns `None` when the file is not behind (nothing to accept).
    ///
    /// # Errors
    /// [`StoreError::OrgRefused`] for a file that is not the organization's
    /// own or whose log is damaged; storage errors.
    pub async fn accept_head(
        &self,
        id: OrgId,
        actor: &Actor,
        reason: &str,
        now: OffsetDateTime,
    ) -> Result<Option<Checkpoint>, StoreError> {
        let record = self.record(id).await?;
        let Some(anchored) = record.anchored else { return Ok(None) };
        let (org_actor, org_reason) = (actor.clone(), reason.to_owned());
        let checkpoint = tokio::task::spawn_blocking(move || {
            let mut conn = record.open_own_file(id)?;
            record.migrate(id, &mut conn)?;
            let tx = conn.transaction()?;
            let checkpoint = audit::checkpoint::accept(&tx, &org_actor, &org_reason, now, &anchored).map_err(
                |error| match error {
                    StoreError::AuditNotIntact { seq, what } => {
                        record.refuse(id, RefusalReason::AuditNotIntact { seq, what })
                    }
                    other => other,
                },
            )?;
            tx.commit()?;
            Ok::<_, StoreError>(checkpoint)
        })
        .await
        .map_err(|_| StoreError::JobPanicked)??;
        let Some(checkpoint) = checkpoint else { return Ok(None) };
        let head = checkpoint.head();
        let details = serde_json::json!({
            "reason": reason,
            "old_head": checkpoint.old_head.to_string(),
            "new_head": head.to_string(),
        });
        let event = AuditEvent::by(actor, "org.accept_head").target(id.to_string()).details(details);
        let at = rfc3339(now);
        self.db()
            .write(move |conn| {
                anchors::record(conn, id, &head, &at)?;
                audit::append(conn, &event, now).map(|_| ())
            })
            .await?;
        Ok(Some(checkpoint))
    }

    /// Writes the organizations' waiting heads (see [`anchors`]), then
    /// closes `platform.db`. The command line calls this instead of closing
    /// the database itself.
    pub async fn close(&self) {
        if let Err(error) = self.anchors.flush(self.db()).await {
            tracing::error!(%error, "could not record audit heads in platform.db");
        }
        self.db().close().await;
    }

    /// The waiting heads, for the server's background writer.
    #[must_use]
    pub fn anchors(&self) -> &std::sync::Arc<anchors::Anchors> {
        &self.anchors
    }

    /// What `platform.db` holds about organization `id`, its key unwrapped.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown organization;
    /// [`StoreError::KeyUnwrap`], storage errors.
    pub(super) async fn record(&self, id: OrgId) -> Result<Record, StoreError> {
        let (slug, wrapped, next_wrapped, end_sessions, anchored) = self
            .db()
            .read(move |conn| {
                type Row = (String, Vec<u8>, Option<Vec<u8>>, bool);
                let found: Option<Row> = conn
                    .query_row(
                        "SELECT slug, wrapped_key, next_wrapped_key, end_sessions_at_open
                         FROM organizations WHERE id = ?1",
                        [id],
                        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
                    )
                    .optional()?;
                let (slug, wrapped, next, end) =
                    found.ok_or_else(|| StoreError::NotFound(format!("organization {id}")))?;
                Ok((slug, wrapped, next, end, anchors::read(conn, id)?))
            })
            .await?;
        let key = self.master.unwrap(&wrapped, &id.to_string())?;
        Ok(Record { slug, key, next_wrapped, anchored, path: self.data_dir().org_db(id), end_sessions })
    }
}
