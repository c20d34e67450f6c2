//! Opening a SQLCipher database: the key first, then every pragma with the
//! reason it is set, then a read that proves the key is right.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags};

use super::StoreError;
use super::keys::DatabaseKey;

/// Decrypted pages kept in memory per connection, in KiB. SQLCipher decrypts
/// and checks a page's HMAC on every cache miss; a cache that holds the hot
/// set makes reads as fast as plain SQLite.
const PAGE_CACHE_KIB: i64 = 16 * 1024;
/// Prepared statements kept per connection (a few KiB each).
const STATEMENT_CACHE: usize = 128;

/// Pages the WAL may hold before the connection that commits copies them
/// into the database file itself (SQLite's default is 1,000), stalling
/// every save waiting for that commit. At 1,000 pages every group commit of
/// a busy exam carried a checkpoint, a quarter of the commit's time
/// (docs/benchmarks.md, "The write path at its limit"). A server's databases
/// are checkpointed beside their writer instead (`super::checkpointer`), so
/// this is the bound should that thread fall behind, and the threshold of
/// the command line's connections. Recovery after a crash reads what the
/// WAL holds: at most this (64 MiB of 4 KiB pages), unless a long read held
/// a checkpoint back.
const WAL_CHECKPOINT_PAGES: i64 = 16 * 1024;
/// What a WAL that grew past [`WAL_CHECKPOINT_PAGES`] (a long read kept a
/// checkpoint from finishing) is cut back to once it is empty again.
const WAL_SIZE_LIMIT_BYTES: i64 = 80 * 1024 * 1024;

/// How long a statement waits for another process's lock (the CLI and the
/// server may touch the same file) before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The SQLCipher version linked into this binary.
///
/// # Errors
/// [`StoreError::NoSqlCipher`] when the library is plain SQLite: it would
/// silently ignore `PRAGMA key` and store everything in clear text.
pub fn sqlcipher_version() -> Result<String, StoreError> {
    let conn = Connection::open_in_memory()?;
    let version: Option<String> =
        conn.query_row("PRAGMA cipher_version", [], |row| row.get(0)).map(Some).or_else(|error| match error {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            other => Err(other),
        })?;
    version.filter(|v| !v.is_empty()).ok_or(StoreError::NoSqlCipher)
}

/// Opens (creating if asked) the database at `path` with `key`.
///
/// # Errors
/// [`StoreError::WrongKey`] when the key does not open the file or the file is
/// not a SQLCipher database; other errors from SQLite.
pub fn open(path: &Path, key: &DatabaseKey, create: bool) -> Result<Connection, StoreError> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    if create {
        create_private_file(path)?;
    }
    let conn = Connection::open_with_flags(path, flags)?;
    // Wrong keys are reported through our own error; SQLCipher's stderr
    // logging would only repeat it outside the log files.
    conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
    // The key must come before anything reads the file. A raw key (blob
    // literal) skips SQLCipher's PBKDF2, so opening costs microseconds.
    conn.execute_batch(&format!("PRAGMA key = {};", *key.pragma_value()))?;
    prove_key(&conn, path)?;
    // WAL: readers never block the writer, and a commit is one append.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // FULL: a commit is on disk before it is acknowledged to anyone.
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "wal_autocheckpoint", WAL_CHECKPOINT_PAGES)?;
    conn.pragma_update(None, "journal_size_limit", WAL_SIZE_LIMIT_BYTES)?;
    // Referential integrity is enforced by the database, not by hope.
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Temporary tables and sort spills stay in memory, never in a file.
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    // Schema code runs only with the privileges of the statement that uses it.
    conn.pragma_update(None, "trusted_schema", "OFF")?;
    conn.pragma_update(None, "cache_size", -PAGE_CACHE_KIB)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // A save alone prepares a dozen statements (find, unlock, the log row,
    // the answer, the attempt's counters, the writer's savepoints); with
    // rusqlite's default of 16 the writer's other jobs would push them out
    // and each save would compile its SQL again.
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(conn)
}

/// Runs `work` with `secure_delete` on, so what it deletes or overwrites
/// (rows, wrapped keys) is zeroed in the file rather than left in free
/// pages; off again after, so other writes on the connection (a long-lived
/// writer's) do not pay for it.
///
/// # Errors
/// Those of `work`, or of setting the pragma.
pub(crate) fn overwriting<T>(
    conn: &Connection,
    work: impl FnOnce(&Connection) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    conn.pragma_update(None, "secure_delete", true)?;
    let result = work(conn);
    conn.pragma_update(None, "secure_delete", false)?;
    result
}

/// Folds the whole WAL into the database file and cuts the WAL file to
/// nothing, if no reader needs it right now; whether it did. Never waits:
/// a reader in the way only leaves the WAL as it was, for SQLite's own
/// checkpoints (a save must not queue behind this). After a purge, so the
/// page images from before it leave the disk now, not once later writes
/// happen to overwrite them in a WAL of up to [`WAL_CHECKPOINT_PAGES`].
///
/// # Errors
/// Storage errors.
pub(crate) fn empty_wal_if_idle(conn: &Connection) -> Result<bool, StoreError> {
    conn.busy_timeout(Duration::ZERO)?;
    let emptied = empty_wal(conn);
    conn.busy_timeout(BUSY_TIMEOUT)?;
    emptied
}

/// Folds the whole WAL into the database file and cuts the WAL file to
/// nothing, waiting for readers up to the busy timeout; whether it did
/// (false: another connection kept it busy, and the WAL still holds commits).
///
/// # Errors
/// Storage errors.
pub(crate) fn empty_wal(conn: &Connection) -> Result<bool, StoreError> {
    let busy: i64 = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| row.get(0))?;
    Ok(busy == 0)
}

/// Creates an empty database file readable only by this user; SQLite gives
/// the `-wal` and `-shm` files the same permissions.
pub(super) fn create_private_file(path: &Path) -> Result<(), StoreError> {
    use std::os::unix::fs::OpenOptionsExt;
    match std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path) {
        Ok(_) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(error) => Err(StoreError::io("create", path)(error)),
    }
}

/// Reads the schema: the first read that decrypts a page, so a wrong key or
/// a file that is not ours fails here rather than in the middle of a request.
fn prove_key(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    match conn.query_row("SELECT count(*) FROM sqlite_schema", [], |row| row.get::<_, i64>(0)) {
        Ok(_) => Ok(()),
        Err(rusqlite::Error::SqliteFailure(error, _)) if error.code == ErrorCode::NotADatabase => {
            Err(StoreError::WrongKey { path: path.to_owned() })
        }
        Err(other) => Err(other.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_build_links_sqlcipher() {
        let version = sqlcipher_version().unwrap();
        assert!(version.starts_with('4'), "{version}");
    }

    #[test]
    fn overwriting_turns_secure_delete_off_again_even_when_the_work_fails() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open(&dir.path().join("a.db"), &DatabaseKey::generate(), true).unwrap();
        let secure =
            |conn: &Connection| conn.query_row("PRAGMA secure_delete", [], |row| row.get::<_, i64>(0)).unwrap();
        assert_eq!(overwriting(&conn, |conn| Ok(secure(conn))).unwrap(), 1);
        assert_eq!(secure(&conn), 0);
        assert!(overwriting(&conn, |_| Err::<(), _>(StoreError::NotFound("x".into()))).is_err());
        assert_eq!(secure(&conn), 0);
    }

    #[test]
    fn commits_stay_in_the_wal_well_past_sqlites_default_checkpoint() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.db");
        let conn = open(&path, &DatabaseKey::generate(), true).unwrap();
        // About 1,500 pages in one commit: SQLite's default (1,000) would copy them into the file now.
        conn.execute_batch(
            "CREATE TABLE t(x BLOB);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1500)
             INSERT INTO t SELECT randomblob(3500) FROM n;",
        )
        .unwrap();
        let size = |name: &str| std::fs::metadata(dir.path().join(name)).unwrap().len();
        assert!(size("a.db-wal") > 5_000_000, "the commit is in the WAL");
        assert!(size("a.db") < 1_000_000, "and not yet copied into the file: {}", size("a.db"));
    }

    #[test]
    fn the_wal_is_emptied_when_no_reader_needs_it_and_left_without_waiting_when_one_does() {
        let dir = tempfile::tempdir().unwrap();
        let (path, key) = (dir.path().join("a.db"), DatabaseKey::generate());
        let conn = open(&path, &key, true).unwrap();
        conn.execute_batch("CREATE TABLE t(x BLOB); INSERT INTO t SELECT randomblob(100000);").unwrap();
        let wal = || std::fs::metadata(dir.path().join("a.db-wal")).unwrap().len();
        let reader = open(&path, &key, false).unwrap();
        reader.execute_batch("BEGIN; SELECT count(*) FROM t;").unwrap();
        conn.execute_batch("INSERT INTO t SELECT randomblob(100000);").unwrap();
        let started = std::time::Instant::now();
        assert!(!empty_wal_if_idle(&conn).unwrap(), "a reader is in the way");
        assert!(started.elapsed() < BUSY_TIMEOUT / 5, "and it did not wait for it");
        assert!(wal() > 100_000);
        reader.execute_batch("COMMIT").unwrap();
        assert!(empty_wal_if_idle(&conn).unwrap());
        assert_eq!(wal(), 0);
        let count: i64 = conn.query_row("SELECT count(*) FROM t", [], |row| row.get(0)).unwrap();
        assert_eq!(count, 2, "nothing lost");
    }

    #[test]
    fn a_wrong_key_fails_at_open_and_the_file_is_not_plain_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.db");
        let key = DatabaseKey::generate();
        let conn = open(&path, &key, true).unwrap();
        conn.execute_batch("CREATE TABLE t(x TEXT); INSERT INTO t VALUES ('hello');").unwrap();
        drop(conn);
        assert!(!std::fs::read(&path).unwrap().starts_with(b"SQLite format 3"));
        assert!(matches!(open(&path, &DatabaseKey::generate(), false), Err(StoreError::WrongKey { .. })));
        let again = open(&path, &key, false).unwrap();
        let value: String = again.query_row("SELECT x FROM t", [], |row| row.get(0)).unwrap();
        assert_eq!(value, "hello");
    }
}
