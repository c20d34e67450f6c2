//! Versioned schema changes, embedded in the binary.
//!
//! `PRAGMA user_version` holds the number of migrations applied. Each runs in
//! its own transaction (its SQL, then its Rust step if it has one); a
//! database newer than this binary is refused; and a copy of an existing
//! database is taken before it is changed, so a failed upgrade can always be
//! undone by hand. Once a server has started on the new version, the copies
//! are removed ([`prune_copies`]): they hold what the upgrade meant to remove
//! and would let an old state be put back. The lists are append-only: a
//! released migration is never edited.

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use super::StoreError;

/// One schema step.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// What the step does, for the log.
    pub name: &'static str,
    /// The SQL, run as one batch.
    pub sql: &'static str,
    /// Work SQL cannot do (hashing, re-chaining the audit log), run after
    /// the SQL in the same transaction.
    pub rust: Option<RustStep>,
}

/// The Rust part of a step; it runs inside the step's transaction.
pub type RustStep = fn(&Connection) -> Result<(), StoreError>;

/// The platform database's migrations, oldest first.
pub const PLATFORM: &[Migration] = &[
    Migration {
        name: "organizations and their wrapped keys",
        sql: include_str!("platform/0001_organizations.sql"),
        rust: None,
    },
    Migration { name: "audit log", sql: include_str!("common/0002_audit.sql"), rust: None },
    Migration {
        name: "platform admins, sessions, one-time links",
        sql: include_str!("common/0003_accounts.sql"),
        rust: None,
    },
    Migration { name: "audit checkpoints", sql: include_str!("common/0004_audit_checkpoints.sql"), rust: None },
    Migration {
        name: "organizations' audit heads anchored",
        sql: include_str!("platform/0005_org_audit_anchors.sql"),
        rust: None,
    },
    Migration {
        name: "every stored time in one fixed-width form",
        sql: include_str!("platform/0006_fixed_width_times.sql"),
        rust: None,
    },
    Migration {
        name: "sessions of a refused organization ended when it opens",
        sql: include_str!("platform/0007_sessions_to_end.sql"),
        rust: None,
    },
    Migration { name: "the appliance's signing keys", sql: include_str!("platform/0008_signing_keys.sql"), rust: None },
    Migration {
        name: "an organization's next key while its file is re-encrypted",
        sql: include_str!("platform/0009_next_wrapped_key.sql"),
        rust: None,
    },
    Migration {
        name: "the last daily check of each audit log",
        sql: include_str!("platform/0010_audit_checks.sql"),
        rust: None,
    },
    Migration {
        name: "the last report of the doctor's checks",
        sql: include_str!("platform/0011_doctor_reports.sql"),
        rust: None,
    },
];

/// Every organization database's migrations, oldest first.
pub const ORG: &[Migration] = &[
    Migration { name: "organization identity", sql: include_str!("org/0001_identity.sql"), rust: None },
    Migration { name: "audit log", sql: include_str!("common/0002_audit.sql"), rust: None },
    Migration { name: "people, sessions, one-time links", sql: include_str!("common/0003_accounts.sql"), rust: None },
    Migration { name: "courses, sections, role grants", sql: include_str!("org/0004_courses.sql"), rust: None },
    Migration { name: "exams, questions, tests", sql: include_str!("org/0005_exams.sql"), rust: None },
    Migration {
        name: "exam sessions, saves, answers, events",
        sql: include_str!("org/0006_exam_sessions.sql"),
        rust: None,
    },
    Migration { name: "candidate links", sql: include_str!("org/0007_candidate_links.sql"), rust: None },
    Migration { name: "index of late-arriving items", sql: include_str!("org/0008_late_items.sql"), rust: None },
    Migration {
        name: "audit checkpoints; exam content in old audit entries replaced by hashes",
        sql: include_str!("common/0004_audit_checkpoints.sql"),
        rust: Some(crate::store::audit::digest::rewrite_old_entries),
    },
    Migration {
        name: "chained autosave log, bindings, late items, frozen submissions",
        sql: include_str!("org/0010_autosave.sql"),
        rust: Some(crate::store::attempts::submissions::freeze_submitted),
    },
    Migration {
        name: "candidate links issued again replace the old link",
        sql: include_str!("org/0011_candidate_reissue.sql"),
        rust: None,
    },
    Migration {
        name: "every stored time in one fixed-width form",
        sql: include_str!("org/0012_fixed_width_times.sql"),
        rust: None,
    },
    Migration { name: "the audit log read by target", sql: include_str!("org/0013_audit_by_target.sql"), rust: None },
    Migration {
        name: "people's decisions on signals, append-only",
        sql: include_str!("org/0014_signal_reviews.sql"),
        rust: None,
    },
    Migration {
        name: "incident notes of the exam day, append-only",
        sql: include_str!("org/0015_incident_notes.sql"),
        rust: None,
    },
    Migration {
        name: "when each attempt was last saved, kept with it",
        sql: include_str!("org/0016_last_saved_at.sql"),
        rust: None,
    },
    Migration {
        name: "each exam's policy: thresholds and what proctors may do",
        sql: include_str!("org/0017_exam_policies.sql"),
        rust: None,
    },
    Migration {
        name: "one-time codes that move an attempt to another computer",
        sql: include_str!("org/0018_move_codes.sql"),
        rust: None,
    },
    Migration {
        name: "extra time given by proctors, counted apart",
        sql: include_str!("org/0019_extra_time_by_proctors.sql"),
        rust: None,
    },
    Migration {
        name: "announcements to students, and who read them",
        sql: include_str!("org/0020_announcements.sql"),
        rust: None,
    },
    Migration {
        name: "similarity runs per question, and decisions on pairs, append-only",
        sql: include_str!("org/0021_similarity.sql"),
        rust: None,
    },
    Migration {
        name: "attempts an instructor reopened, and until when",
        sql: include_str!("org/0022_reopened_attempts.sql"),
        rust: None,
    },
    Migration {
        name: "audit entries restored from a bundle",
        sql: include_str!("org/0023_restored_audit.sql"),
        rust: None,
    },
    Migration { name: "backups made and tried", sql: include_str!("org/0024_backup_runs.sql"), rust: None },
    Migration {
        name: "retention policy, legal holds and purges",
        sql: include_str!("org/0025_retention.sql"),
        rust: None,
    },
    Migration {
        name: "bundles deleted from their destination once expired",
        sql: include_str!("org/0026_deleted_bundles.sql"),
        rust: None,
    },
    Migration {
        name: "grading results per submission, question and test",
        sql: include_str!("org/0027_grading.sql"),
        rust: None,
    },
    Migration {
        name: "marking schemes, marks, second markers and releases",
        sql: include_str!("org/0028_marking.sql"),
        rust: None,
    },
    Migration {
        name: "audit entries past their retention emptied through a checkpoint",
        sql: include_str!("org/0029_audit_retention.sql"),
        rust: None,
    },
    Migration {
        name: "people to erase once their exams' data is purged",
        sql: include_str!("org/0030_erasure_requests.sql"),
        rust: None,
    },
];

/// Brings `conn` up to the newest version in `migrations`.
///
/// # Errors
/// [`StoreError::NewerSchema`] for a file from a newer examhall; SQL errors
/// of a step (that step is rolled back and the copy taken before it remains).
pub fn run(conn: &mut Connection, path: &Path, migrations: &[Migration]) -> Result<(), StoreError> {
    let found: u32 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    let supported = u32::try_from(migrations.len()).expect("fewer than 2^32 migrations");
    if found > supported {
        return Err(StoreError::NewerSchema { path: path.to_owned(), found, supported });
    }
    if found == supported {
        return Ok(());
    }
    if found > 0 {
        copy_before_migrating(conn, path, found)?;
    }
    for (index, step) in migrations.iter().enumerate().skip(found as usize) {
        let version = index + 1;
        tracing::info!(file = %path.display(), version, step = step.name, "migrating database");
        let tx = conn.transaction()?;
        tx.execute_batch(step.sql)?;
        if let Some(rust) = step.rust {
            rust(&tx)?;
        }
        tx.pragma_update(None, "user_version", u32::try_from(version).unwrap_or(u32::MAX))?;
        tx.commit()?;
    }
    Ok(())
}

/// The copy taken before migrating `path` from version `from`.
#[must_use]
pub fn backup_path(path: &Path, from: u32) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_owned();
    name.push(format!(".pre-migration-v{from}"));
    path.with_file_name(name)
}

/// Copies the database file (still encrypted) after folding the WAL into it.
fn copy_before_migrating(conn: &Connection, path: &Path, from: u32) -> Result<(), StoreError> {
    // Busy (another process reading the file past the busy timeout) would
    // leave commits in the WAL, outside the copy: no copy then, and no migration.
    if !super::connection::empty_wal(conn)? {
        return Err(StoreError::WrongState(format!(
            "{}: another process keeps the database busy, so it cannot be copied before the upgrade; \
             stop other examhall commands using it and start again",
            path.display()
        )));
    }
    let target = backup_path(path, from);
    std::fs::copy(path, &target).map_err(StoreError::io("copy", &target))?;
    tracing::info!(copy = %target.display(), "copied database before migrating");
    Ok(())
}

/// Removes every copy taken before migrating `path`, and names each one
/// removed. Called once the server has started on the new version.
#[must_use]
pub fn prune_copies(path: &Path) -> Vec<PathBuf> {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name().and_then(|n| n.to_str())) else {
        return Vec::new();
    };
    let prefix = format!("{name}.pre-migration-v");
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let file = entry.file_name();
        let is_copy = file.to_str().and_then(|f| f.strip_prefix(&prefix)).is_some_and(|v| v.parse::<u32>().is_ok());
        if is_copy {
            match std::fs::remove_file(entry.path()) {
                Ok(()) => removed.push(entry.path()),
                Err(error) => {
                    tracing::warn!(copy = %entry.path().display(), %error, "could not remove a pre-migration copy");
                }
            }
        }
    }
    removed
}

/// A migrated organization database in a temporary directory, and the
/// names of its tables, sorted: for the tests that check a table list
/// (backups, subject-access exports) names every table of the schema.
#[cfg(test)]
pub(crate) fn migrated_org() -> (tempfile::TempDir, Connection, Vec<String>) {
    use crate::store::{connection, keys::DatabaseKey};
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("org.db");
    let mut conn = connection::open(&path, &DatabaseKey::generate(), true).expect("a new database");
    run(&mut conn, &path, ORG).expect("the migrations run");
    let mut tables: Vec<String> = {
        let mut statement = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
            .expect("the schema reads");
        statement.query_map([], |r| r.get(0)).expect("the schema reads").map(|name| name.expect("a name")).collect()
    };
    tables.sort();
    (dir, conn, tables)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::connection;
    use crate::store::keys::DatabaseKey;

    const STEPS: &[Migration] = &[
        Migration { name: "one", sql: "CREATE TABLE a(x INTEGER) STRICT;", rust: None },
        Migration { name: "two", sql: "CREATE TABLE b(y INTEGER) STRICT;", rust: None },
    ];

    fn version(conn: &Connection) -> u32 {
        conn.pragma_query_value(None, "user_version", |row| row.get(0)).unwrap()
    }

    #[test]
    fn every_migration_list_has_a_step_per_version_and_runs_on_a_new_file() {
        for list in [PLATFORM, ORG] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("x.db");
            let mut conn = connection::open(&path, &DatabaseKey::generate(), true).unwrap();
            run(&mut conn, &path, list).unwrap();
            assert_eq!(version(&conn) as usize, list.len());
        }
    }

    #[test]
    fn an_upgrade_copies_the_file_first_and_a_newer_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.db");
        let key = DatabaseKey::generate();
        let mut conn = connection::open(&path, &key, true).unwrap();
        run(&mut conn, &path, &STEPS[..1]).unwrap();
        assert!(!backup_path(&path, 1).exists());
        run(&mut conn, &path, STEPS).unwrap();
        assert_eq!(version(&conn), 2);
        let copy = connection::open(&backup_path(&path, 1), &key, false).unwrap();
        assert_eq!(version(&copy), 1);
        let error = run(&mut conn, &path, &STEPS[..1]).unwrap_err();
        assert!(matches!(error, StoreError::NewerSchema { found: 2, supported: 1, .. }), "{error}");
    }

    #[test]
    fn a_failing_step_leaves_the_previous_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.db");
        let mut conn = connection::open(&path, &DatabaseKey::generate(), true).unwrap();
        let broken = [STEPS[0], Migration { name: "broken", sql: "CREATE TABLE c(z); NOT SQL;", rust: None }];
        assert!(run(&mut conn, &path, &broken).is_err());
        assert_eq!(version(&conn), 1);
        let tables: i64 =
            conn.query_row("SELECT count(*) FROM sqlite_schema WHERE name = 'c'", [], |r| r.get(0)).unwrap();
        assert_eq!(tables, 0);
    }
}
