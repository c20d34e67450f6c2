//! Where the master key comes from, and the checks on its file.
//!
//! In order: the environment variable `EXAMHALL_MASTER_KEY`, a systemd
//! credential named `examhall-master-key` (`LoadCredential=`), or the key
//! file (`storage.master_key_file`, by default `<data_dir>/master.key`). The
//! key file must be private to the user examhall runs as; otherwise the
//! server refuses to start and says how to fix it.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use super::keys::MasterKey;

/// The environment variable that may hold the master key in hex.
pub const ENV_VAR: &str = "EXAMHALL_MASTER_KEY";
/// The systemd credential name (read from `$CREDENTIALS_DIRECTORY`).
pub const CREDENTIAL: &str = "examhall-master-key";

/// Why the master key could not be loaded. Never contains the key.
#[derive(Debug, thiserror::Error)]
pub enum MasterKeyError {
    /// No key anywhere.
    #[error("the master key file {0} does not exist; run `examhall init`, or point storage.master_key_file at the key")]
    Missing(PathBuf),
    /// The file is not private to the user examhall runs as.
    #[error("the master key file: {0}")]
    NotPrivate(#[from] crate::private_path::NotPrivate),
    /// The content is not a key.
    #[error("the master key from {0} is not 64 hexadecimal characters")]
    Malformed(String),
    /// The file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The key file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
}

/// Loads the master key from the environment, a systemd credential or `key_file`.
///
/// # Errors
/// See [`MasterKeyError`].
pub fn load(key_file: &Path) -> Result<MasterKey, MasterKeyError> {
    if let Ok(text) = std::env::var(ENV_VAR) {
        return MasterKey::from_hex(&text).map_err(|_| MasterKeyError::Malformed(format!("${ENV_VAR}")));
    }
    if let Some(dir) = std::env::var_os("CREDENTIALS_DIRECTORY") {
        let credential = Path::new(&dir).join(CREDENTIAL);
        if credential.exists() {
            return read_file(&credential);
        }
    }
    read_file(key_file)
}

/// Where the key comes from when it is not the key file: the environment
/// variable or the systemd credential, named for a message.
#[must_use]
pub fn other_source() -> Option<&'static str> {
    if std::env::var_os(ENV_VAR).is_some() {
        return Some("the environment variable EXAMHALL_MASTER_KEY");
    }
    let credential = std::env::var_os("CREDENTIALS_DIRECTORY").map(|dir| Path::new(&dir).join(CREDENTIAL));
    credential.is_some_and(|c| c.exists()).then_some("the systemd credential examhall-master-key")
}

/// Whether [`load`] reads the key file.
#[must_use]
pub fn comes_from_file() -> bool {
    other_source().is_none()
}

/// Reads a key file after checking it is private to this user.
///
/// # Errors
/// See [`MasterKeyError`].
pub fn read_file(path: &Path) -> Result<MasterKey, MasterKeyError> {
    let io = |source| MasterKeyError::Io { path: path.to_owned(), source };
    let metadata = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(MasterKeyError::Missing(path.to_owned()));
        }
        Err(error) => return Err(io(error)),
    };
    crate::private_path::check(path, &metadata)?;
    let text = zeroize::Zeroizing::new(std::fs::read_to_string(path).map_err(io)?);
    MasterKey::from_hex(&text).map_err(|_| MasterKeyError::Malformed(path.display().to_string()))
}

/// Writes a new key file (mode 0600); never replaces an existing one.
///
/// # Errors
/// When the file exists or cannot be written.
pub fn write_new(path: &Path, key: &MasterKey) -> Result<(), MasterKeyError> {
    let io = |source| MasterKeyError::Io { path: path.to_owned(), source };
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path).map_err(io)?;
    let mut text = key.to_hex();
    text.push('\n');
    file.write_all(text.as_bytes()).and_then(|()| file.sync_all()).map_err(io)
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn a_key_file_must_be_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        let key = MasterKey::generate();
        write_new(&path, &key).unwrap();
        assert_eq!(*read_file(&path).unwrap().to_hex(), *key.to_hex());
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o400)).unwrap();
        assert!(read_file(&path).is_ok());
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let error = read_file(&path).unwrap_err();
        assert!(error.to_string().contains("chmod 600"), "{error}");
        assert!(matches!(write_new(&path, &key), Err(MasterKeyError::Io { .. })));
        assert!(matches!(read_file(&dir.path().join("none")), Err(MasterKeyError::Missing(_))));
    }
}
