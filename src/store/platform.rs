//! The platform database: the organizations this appliance serves, the
//! wrapped keys of their databases, and their anchored audit heads. Opening
//! an organization's database, with its checks, is in `org_open`.

use std::sync::Arc;

use rusqlite::{Connection, OptionalExtension, params};
use time::OffsetDateTime;

use super::anchors::Anchors;
use super::data_dir::DataDir;
use super::database::{Database, OpenOptions};
use super::keys::{DatabaseKey, MasterKey};
use super::{StoreError, connection, migrations};
use crate::domain::{OrgId, OrgName, OrgSlug, Timestamp};
use crate::store::audit::{self, AuditEvent};

/// Whether an organization may be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgStatus {
    /// In service.
    Active,
    /// Switched off by a platform admin; its data is kept.
    Deactivated,
}

impl OrgStatus {
    fn parse(text: &str) -> Self {
        if text == "active" { Self::Active } else { Self::Deactivated }
    }

    /// The stored and displayed form.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Deactivated => "deactivated",
        }
    }
}

/// An organization as the platform knows it.
#[derive(Debug, Clone)]
pub struct Organization {
    /// Its identifier and database file name.
    pub id: OrgId,
    /// Its short name.
    pub slug: OrgSlug,
    /// Its display name.
    pub name: String,
    /// Whether it is in service.
    pub status: OrgStatus,
    /// When it was created.
    pub created_at: Timestamp,
}

/// The open platform database, with what it needs to open organizations.
#[derive(Clone)]
pub struct Platform {
    db: Database,
    data_dir: DataDir,
    pub(super) master: Arc<MasterKey>,
    pub(super) options: OpenOptions,
    pub(super) anchors: Arc<Anchors>,
}

impl Platform {
    /// Opens (or with `create`, creates) `platform.db` under `data_dir`.
    ///
    /// # Errors
    /// A wrong master key, a missing file, or a failed migration.
    pub fn open(data_dir: &DataDir, master: Arc<MasterKey>, options: OpenOptions) -> Result<Self, StoreError> {
        let path = data_dir.platform_db();
        if !options.create && !path.exists() {
            return Err(StoreError::NotFound(format!("{} (run `examhall init` first)", path.display())));
        }
        let db = Database::open(&path, &master.platform_db_key(), migrations::PLATFORM, options)?;
        Ok(Self {
            db,
            data_dir: data_dir.clone(),
            master,
            options: OpenOptions { create: false, ..options },
            anchors: Arc::default(),
        })
    }

    /// The platform database itself.
    #[must_use]
    pub fn db(&self) -> &Database {
        &self.db
    }

    /// The data directory.
    #[must_use]
    pub fn data_dir(&self) -> &DataDir {
        &self.data_dir
    }

    /// Creates an organization: a new database file with its own random key,
    /// then the platform record holding that key wrapped, and in the same
    /// transaction the platform audit entry `org.create`. If the
    /// record cannot be written, the new file is removed again. `event` is
    /// the caller's `org.create` entry; the new organization becomes its
    /// target.
    ///
    /// # Errors
    /// [`StoreError::Taken`] when the slug is taken; storage errors.
    pub async fn create_org(
        &self,
        slug: OrgSlug,
        name: OrgName,
        event: AuditEvent,
        now: OffsetDateTime,
    ) -> Result<Organization, StoreError> {
        let made = self.create_org_filled(OrgId::generate(), slug, name, event, now, |_| Ok(())).await?;
        Ok(made.0)
    }

    /// Creates organization `id` as [`Platform::create_org`] does, with
    /// `fill` run on its new file in one transaction before the platform
    /// record exists (a restore onto a new appliance): if `fill` fails, the
    /// file is removed and no organization was made.
    ///
    /// # Errors
    /// [`StoreError::Taken`] when the slug or id is taken; what `fill` returned.
    pub async fn create_org_filled<T, F>(
        &self,
        id: OrgId,
        slug: OrgSlug,
        name: OrgName,
        event: AuditEvent,
        now: OffsetDateTime,
        fill: F,
    ) -> Result<(Organization, T), StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&rusqlite::Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let slug_taken = slug.clone();
        let taken = self.db.read(move |conn| Ok(find_by_slug(conn, &slug_taken)?.is_some())).await?;
        if taken {
            return Err(StoreError::Taken(format!("organization slug {slug} is already taken")));
        }
        let key = DatabaseKey::generate();
        let path = self.data_dir.org_db(id);
        let org = Organization {
            id,
            slug,
            name: name.as_str().to_owned(),
            status: OrgStatus::Active,
            created_at: Timestamp::from_time(now),
        };
        let file_org = org.clone();
        let file_key = key.clone();
        let new_file = path.clone();
        let filled = tokio::task::spawn_blocking(move || create_org_file(&new_file, &file_key, &file_org, fill))
            .await
            .map_err(|_| StoreError::JobPanicked)??;
        let wrapped = self.master.wrap(&key, &id.to_string());
        let record = org.clone();
        // The caller's details (a restore's bundle) stay beside the slug and name.
        let mut details = match event.details.clone() {
            serde_json::Value::Object(map) => map,
            _ => serde_json::Map::new(),
        };
        details.insert("slug".to_owned(), org.slug.as_str().into());
        details.insert("name".to_owned(), org.name.clone().into());
        let event = event.target(id.to_string()).details(serde_json::Value::Object(details));
        let inserted = self
            .db
            .write(move |conn| {
                conn.execute(
                    "INSERT INTO organizations (id, slug, name, wrapped_key, status, created_at) VALUES (?1, ?2, ?3, ?4, 'active', ?5)",
                    params![record.id.to_string(), record.slug.as_str(), record.name, wrapped, record.created_at],
                )
                .map_err(|error| unique_violation(error, &record.slug))?;
                audit::append(conn, &event, now)?;
                Ok(())
            })
            .await;
        if let Err(error) = inserted {
            remove_db_files(&path);
            return Err(error);
        }
        Ok((org, filled))
    }

    /// Every organization, oldest first.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn list_orgs(&self) -> Result<Vec<Organization>, StoreError> {
        self.db
            .read(|conn| {
                let mut statement =
                    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM organizations ORDER BY created_at, id"))?;
                let rows = statement.query_map([], row_to_org)?;
                Ok(rows.collect::<Result<Vec<_>, _>>()?)
            })
            .await
    }

    /// The organization with `slug`.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when there is none.
    pub async fn org_by_slug(&self, slug: OrgSlug) -> Result<Organization, StoreError> {
        self.db
            .read(move |conn| {
                find_by_slug(conn, &slug)?.ok_or_else(|| StoreError::NotFound(format!("organization {slug}")))
            })
            .await
    }

    /// The organization with `id`, if there is one.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn org_by_id(&self, id: OrgId) -> Result<Option<Organization>, StoreError> {
        self.db
            .read(move |conn| {
                let sql = format!("SELECT {COLUMNS} FROM organizations WHERE id = ?1");
                Ok(conn.query_row(&sql, [id.to_string()], row_to_org).optional()?)
            })
            .await
    }
}

const COLUMNS: &str = "id, slug, name, status, created_at";

fn row_to_org(row: &rusqlite::Row<'_>) -> rusqlite::Result<Organization> {
    let id: String = row.get(0)?;
    let slug: String = row.get(1)?;
    let corrupt = |what: &str| rusqlite::Error::InvalidColumnType(0, what.to_owned(), rusqlite::types::Type::Text);
    Ok(Organization {
        id: OrgId::parse(&id).map_err(|_| corrupt("id"))?,
        slug: OrgSlug::parse(&slug).map_err(|_| corrupt("slug"))?,
        name: row.get(2)?,
        status: OrgStatus::parse(&row.get::<_, String>(3)?),
        created_at: row.get(4)?,
    })
}

fn find_by_slug(conn: &Connection, slug: &OrgSlug) -> Result<Option<Organization>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM organizations WHERE slug = ?1");
    Ok(conn.query_row(&sql, [slug.as_str()], row_to_org).optional()?)
}

fn unique_violation(error: rusqlite::Error, slug: &OrgSlug) -> StoreError {
    match &error {
        rusqlite::Error::SqliteFailure(code, _) if code.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE => {
            StoreError::Taken(format!("organization slug {slug} is already taken"))
        }
        _ => error.into(),
    }
}

/// Creates and migrates a new organization file, records whose it is, and
/// runs `fill` in one transaction on it: what [`Platform::create_org_filled`]
/// does before the organization's platform record exists (public for the
/// backup benchmark, which restores through it). A failure removes the file.
///
/// # Errors
/// [`StoreError::Taken`] when the file exists; those of `fill` and the storage.
pub fn create_org_file<T>(
    path: &std::path::Path,
    key: &DatabaseKey,
    org: &Organization,
    fill: impl FnOnce(&rusqlite::Connection) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    if path.exists() {
        return Err(StoreError::Taken(format!("database file {} exists already", path.display())));
    }
    let result = (|| {
        let mut conn = connection::open(path, key, true)?;
        migrations::run(&mut conn, path, migrations::ORG)?;
        conn.execute(
            "INSERT INTO organization (singleton, id, slug, created_at) VALUES (1, ?1, ?2, ?3)",
            params![org.id.to_string(), org.slug.as_str(), org.created_at],
        )?;
        // Nothing else opens the file before its platform record exists, so
        // the fill's pages go straight into it (its rollback journal in
        // memory) rather than into the WAL first and the file again at the
        // checkpoint: a restore's gigabyte is written once. Back to WAL after.
        conn.pragma_update(None, "journal_mode", "MEMORY")?;
        let transaction = conn.transaction()?;
        let filled = fill(&transaction)?;
        transaction.commit()?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        Ok(filled)
    })();
    if result.is_err() {
        remove_db_files(path);
    }
    result
}

/// Removes a database file and its WAL and shared-memory companions.
fn remove_db_files(path: &std::path::Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(std::path::PathBuf::from(name));
    }
}
