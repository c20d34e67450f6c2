//! Whether the place bundles go takes one: a small test object written
//! where the next bundle would go (the bucket: uploaded, read back and
//! checked; the folder: written and synced) and removed, for `examhall
//! doctor`. The object always has the same name, so a bucket key without
//! the right to delete (as advised) leaves one object, not one per run.

use std::io::Write as _;

use sha2::{Digest, Sha256};

use crate::backup::s3::S3Destination;
use crate::state::AppState;
use crate::store::StoreError;

const CONTENTS: &[u8] = b"examhall doctor: a test object, removed at once\n";

/// The test object's name: one name, overwritten by each run.
pub const PROBE_NAME: &str = ".examhall-doctor-probe";

/// How long the probe may take: an unreachable store must not hold the checks (or the data directory) for minutes.
pub const PROBE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// What the probe found.
#[derive(Debug, Clone)]
pub struct Probe {
    /// The destination, as `backup list` names places.
    pub place: String,
    /// A test object that was written but could not be removed (a bucket
    /// key without the right to delete, as the docs advise), and why.
    pub left_behind: Option<String>,
}

/// Writes, checks and removes a test object at the configured destination.
///
/// # Errors
/// [`StoreError::WrongState`] when the folder is missing or the bucket
/// refuses the object; I/O errors of the folder.
pub async fn probe(state: &AppState) -> Result<Probe, StoreError> {
    let name = PROBE_NAME.to_owned();
    if let Some(config) = &state.config().backup.s3 {
        let s3 = S3Destination::new(config).map_err(StoreError::WrongState)?;
        let staging = state.config().data().staging();
        std::fs::create_dir_all(&staging).map_err(StoreError::io("create the staging folder", &staging))?;
        let mut file = tempfile::NamedTempFile::new_in(&staging).map_err(StoreError::io("stage", &staging))?;
        file.write_all(CONTENTS).map_err(StoreError::io("stage", file.path().to_owned()))?;
        let sha256 = hex::encode(Sha256::digest(CONTENTS));
        let location = s3.upload(file.path(), &name, CONTENTS.len() as u64, &sha256).await;
        let location = location.map_err(StoreError::WrongState)?.to_string_lossy().into_owned();
        let left_behind = s3.delete(&location).await.err().map(|why| format!("{location}: {why}"));
        let place = s3.location("").to_string_lossy().into_owned();
        return Ok(Probe { place, left_behind });
    }
    let folder = state.config().backup_dir();
    if state.config().backup.dir.is_some() && !folder.is_dir() {
        return Err(StoreError::WrongState(format!(
            "the backup folder {} does not exist (is the off-site share mounted?)",
            folder.display()
        )));
    }
    std::fs::create_dir_all(&folder).map_err(StoreError::io("create the backup folder", &folder))?;
    let path = folder.join(&name);
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&path)
        .and_then(|mut file| file.write_all(CONTENTS).and_then(|()| file.sync_all()));
    let removed = std::fs::remove_file(&path);
    written.map_err(StoreError::io("write a test object in", &folder))?;
    let left_behind = removed.err().map(|why| format!("{}: {why}", path.display()));
    Ok(Probe { place: folder.display().to_string(), left_behind })
}
