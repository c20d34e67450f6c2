//! Re-encrypting a database file under a new key, so that a crash at any
//! moment leaves one whole file that one known key opens.
//!
//! A full copy under the new key is written beside the file
//! (`<file>.next`), changed if the caller needs to (the platform's wrapped
//! keys), synced and proved to open, and only then renamed over the old file.
//! The rename is the single moment the file changes; before it the old file
//! is untouched, after it the new one is whole. `PRAGMA rekey` would rewrite
//! the pages in place, which in WAL mode leaves no such moment.

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use super::keys::DatabaseKey;
use super::{StoreError, connection};

/// Where the re-encrypted copy of `path` is written before it replaces it.
#[must_use]
pub fn next_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_owned();
    name.push(".next");
    path.with_file_name(name)
}

/// Writes [`next_path`]`(path)`: the content of `path` (opened with `old`)
/// encrypted with `new`, with `edit` run on it in one transaction, synced,
/// and opened again with `new` to prove it. `path` itself is not changed
/// (its WAL is folded into it first). Nothing else may have `path` open.
///
/// # Errors
/// [`StoreError::WrongKey`] when `old` does not open `path`; storage errors;
/// what `edit` returned. A failed copy is removed.
pub fn write_copy(
    path: &Path,
    old: &DatabaseKey,
    new: &DatabaseKey,
    edit: impl FnOnce(&Connection) -> Result<(), StoreError>,
) -> Result<PathBuf, StoreError> {
    let next = next_path(path);
    remove_if_there(&next).map_err(StoreError::io("remove", &next))?;
    let written = export(path, old, new, &next).and_then(|()| {
        let mut conn = connection::open(&next, new, false)?;
        let tx = conn.transaction()?;
        edit(&tx)?;
        tx.commit()?;
        let problems: String = conn.query_row("PRAGMA quick_check", [], |row| row.get(0))?;
        if problems != "ok" {
            return Err(StoreError::Io {
                action: "check the re-encrypted copy",
                path: next.clone(),
                source: std::io::Error::other(problems),
            });
        }
        close(conn, &next)?;
        std::fs::File::open(&next).and_then(|file| file.sync_all()).map_err(StoreError::io("sync", &next))
    });
    if written.is_err() {
        let _ = remove_if_there(&next);
    }
    written.map(|()| next)
}

/// Copies every page of `path` into the new file `next` under `new`.
fn export(path: &Path, old: &DatabaseKey, new: &DatabaseKey, next: &Path) -> Result<(), StoreError> {
    let conn = connection::open(path, old, false)?;
    // Held alone until closed: a command that only reads (and takes no
    // data directory lock) waits rather than reading a file about to be
    // replaced, or keeping its WAL open past the swap.
    conn.execute_batch("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT;")?;
    // The copy reads the file through this connection, WAL included; folding
    // the WAL in first leaves nothing of the old file outside it.
    let busy: i64 = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| row.get(0))?;
    if busy != 0 {
        return Err(StoreError::WrongState(format!(
            "{} is in use by another process; stop it (or wait for it) and try again",
            path.display()
        )));
    }
    connection::create_private_file(next)?;
    let target = next.to_str().ok_or_else(|| StoreError::NotFound(format!("{} (not UTF-8)", next.display())))?;
    conn.execute("ATTACH DATABASE ?1 AS next KEY ?2", rusqlite::params![target, *new.raw_literal()])?;
    conn.query_row("SELECT sqlcipher_export('next')", [], |_| Ok(()))?;
    // The schema version is the file header's, which the export leaves at 0.
    let version: i64 = conn.query_row("PRAGMA main.user_version", [], |row| row.get(0))?;
    conn.execute_batch(&format!("PRAGMA next.user_version = {version}; DETACH DATABASE next;"))?;
    close(conn, path)
}

/// Closes `conn`, the last connection of `path`, and checks that no WAL
/// frame of it is left: a frame beside the file renamed over `path` would be
/// read as part of it.
fn close(conn: Connection, path: &Path) -> Result<(), StoreError> {
    conn.close().map_err(|(_, error)| StoreError::from(error))?;
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    let frames = std::fs::metadata(Path::new(&wal)).map_or(0, |m| m.len());
    if frames > 0 {
        return Err(StoreError::WrongState(format!(
            "{} still has a write-ahead log after closing; another process has it open",
            path.display()
        )));
    }
    Ok(())
}

/// Renames the copy `next` over `path`, the moment the file changes, and
/// makes the rename durable. No connection may have `path` open.
///
/// # Errors
/// When the rename or the directory's sync fails.
pub fn swap_in(next: &Path, path: &Path) -> Result<(), StoreError> {
    std::fs::rename(next, path).map_err(StoreError::io("rename", next))?;
    sync_dir(path).map_err(StoreError::io("sync the folder of", path))
}

/// Syncs the directory holding `path`, so a rename or removal in it survives a crash.
///
/// # Errors
/// When the directory cannot be opened or synced.
pub fn sync_dir(path: &Path) -> std::io::Result<()> {
    std::fs::File::open(path.parent().unwrap_or(Path::new("."))).and_then(|dir| dir.sync_all())
}

/// Removes `path` if it exists.
///
/// # Errors
/// When it exists and cannot be removed.
pub fn remove_if_there(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => Err(error),
        _ => Ok(()),
    }
}

/// Whether `key` opens the database at `path`.
#[must_use]
pub fn opens(path: &Path, key: &DatabaseKey) -> bool {
    path.exists() && connection::open(path, key, false).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled(path: &Path, key: &DatabaseKey) {
        let conn = connection::open(path, key, true).unwrap();
        conn.execute_batch("CREATE TABLE t(x TEXT) STRICT; PRAGMA user_version = 7;").unwrap();
        for i in 0..500 {
            conn.execute("INSERT INTO t VALUES (?1)", [format!("row {i}")]).unwrap();
        }
    }

    #[test]
    fn the_copy_holds_the_same_content_under_the_new_key_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.db");
        let (old, new) = (DatabaseKey::generate(), DatabaseKey::generate());
        filled(&path, &old);
        let before = std::fs::read(&path).unwrap();
        let next = write_copy(&path, &old, &new, |conn| {
            conn.execute("INSERT INTO t VALUES ('edited')", [])?;
            Ok(())
        })
        .unwrap();
        assert!(opens(&path, &old) && !opens(&path, &new), "the old file is untouched until the swap");
        assert_eq!(std::fs::read(&path).unwrap().len(), before.len());
        swap_in(&next, &path).unwrap();
        assert!(opens(&path, &new) && !opens(&path, &old));
        let conn = connection::open(&path, &new, false).unwrap();
        let rows: i64 = conn.query_row("SELECT count(*) FROM t", [], |r| r.get(0)).unwrap();
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!((rows, version), (501, 7));
        assert_eq!(
            std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&path).unwrap().permissions()) & 0o777,
            0o600
        );
    }

    #[test]
    fn a_wrong_key_or_a_failed_edit_leaves_no_copy() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.db");
        let (old, new) = (DatabaseKey::generate(), DatabaseKey::generate());
        filled(&path, &old);
        assert!(matches!(write_copy(&path, &new, &old, |_| Ok(())), Err(StoreError::WrongKey { .. })));
        assert!(write_copy(&path, &old, &new, |_| Err(StoreError::NotFound("x".into()))).is_err());
        assert!(!next_path(&path).exists());
        assert!(opens(&path, &old));
    }
}
