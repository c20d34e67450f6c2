//! The appliance's signing keys in `platform.db` (see [`crate::signing`]):
//! the current one is made the first time it is asked for (by `init`, or by
//! a data directory made before keys existed), and its public half is kept
//! in `<data_dir>/signing.pub` for IT to copy off the server.

use rusqlite::{OptionalExtension, params};

use super::StoreError;
use super::platform::Platform;
use crate::clock::rfc3339;
use crate::signing::{PublicKey, SigningKey, WRAP_CONTEXT};

impl Platform {
    /// The current signing key, made (and `signing.pub` written) when there
    /// is none; `signing.pub` is written again when it is missing.
    ///
    /// # Errors
    /// [`StoreError::KeyUnwrap`] when the master key does not open the
    /// stored seed; storage errors; an unwritable `signing.pub`.
    pub async fn signing_key(&self, now: time::OffsetDateTime) -> Result<SigningKey, StoreError> {
        let master = std::sync::Arc::clone(&self.master);
        let key = self
            .db()
            .write(move |conn| {
                let stored: Option<Vec<u8>> = conn
                    .query_row("SELECT wrapped_seed FROM signing_keys WHERE retired_at IS NULL", [], |r| r.get(0))
                    .optional()?;
                if let Some(wrapped) = stored {
                    return Ok(SigningKey::from_seed(&master.unwrap_secret(&wrapped, WRAP_CONTEXT)?));
                }
                let seed = super::keys::random_key();
                let key = SigningKey::from_seed(&seed);
                conn.execute(
                    "INSERT INTO signing_keys (public_key, wrapped_seed, created_at) VALUES (?1, ?2, ?3)",
                    params![key.public().0.as_slice(), master.wrap_secret(&seed, WRAP_CONTEXT), rfc3339(now)],
                )?;
                Ok(key)
            })
            .await?;
        let file = self.data_dir().signing_pub();
        let pem = key.public().to_pem();
        if std::fs::read_to_string(&file).ok().as_deref() != Some(pem.as_str()) {
            write_public(&file, &pem)?;
        }
        Ok(key)
    }

    /// Every public key this appliance has signed with, current first.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn signing_public_keys(&self) -> Result<Vec<PublicKey>, StoreError> {
        self.db()
            .read(|conn| {
                let mut statement =
                    conn.prepare("SELECT public_key FROM signing_keys ORDER BY retired_at IS NOT NULL, id DESC")?;
                let keys = statement.query_map([], |r| r.get::<_, Vec<u8>>(0))?;
                let mut all = Vec::new();
                for key in keys {
                    // The table's CHECK keeps every key 32 bytes long.
                    if let Ok(bytes) = <[u8; 32]>::try_from(key?) {
                        all.push(PublicKey(bytes));
                    }
                }
                Ok(all)
            })
            .await
    }
}

/// Writes `signing.pub` whole (a new file renamed over the old). It is
/// public, but private like every file of the data directory: IT copies it
/// with `examhall keys show`.
fn write_public(file: &std::path::Path, pem: &str) -> Result<(), StoreError> {
    use std::io::Write as _;
    let dir = file.parent().unwrap_or(std::path::Path::new("."));
    let mut temp = tempfile::NamedTempFile::new_in(dir).map_err(StoreError::io("create a file in", dir))?;
    temp.write_all(pem.as_bytes()).map_err(StoreError::io("write", temp.path().to_owned()))?;
    temp.as_file().sync_all().map_err(StoreError::io("sync", temp.path().to_owned()))?;
    temp.persist(file).map_err(|e| StoreError::io("write", file)(e.error))?;
    Ok(())
}
