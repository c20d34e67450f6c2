//! The audit log, end to end: entries appended through the library, the
//! database tampered with through SQLCipher itself (with the real key, as an
//! insider would), and `examhall audit verify` run as the real binary.

use std::path::Path;

use examhall::domain::{OrgId, OrgSlug};
use examhall::store::audit::{self, AuditEvent, AuditHead, AuditQuery};
use examhall::store::{connection, master_key};
use rusqlite::Connection;
use serde_json::json;
use time::macros::datetime;

use crate::helpers::{config_for, run};

/// An initialised data directory with the organization `physics`.
fn data_dir_with_physics() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let (ok, _, stderr) = run(&["init", "--data-dir", data]);
    assert!(ok, "{stderr}");
    let (ok, _, stderr) = run(&["org", "create", "--data-dir", data, "--slug", "physics", "--name", "Physics"]);
    assert!(ok, "{stderr}");
    dir
}

/// Appends `count` entries to `slug`'s log through the library, as the server would.
pub async fn append_entries(dir: &Path, slug: &str, count: i64) {
    let platform = examhall::cli::open_platform(&config_for(dir), None).unwrap();
    let org = platform.org_by_slug(OrgSlug::parse(slug).unwrap()).await.unwrap();
    let db = platform.open_org(org.id).await.unwrap();
    for n in 1..=count {
        let event = AuditEvent::new(format!("user-{n}"), format!("teacher{n}@example.edu"), "exam.update")
            .target(format!("exam-{n}"))
            .client("192.0.2.10".parse().unwrap())
            .details(json!({ "field": "duration", "minutes": 60 + n }));
        let at = datetime!(2026-01-05 09:00 UTC) + time::Duration::minutes(n);
        db.write(move |conn| {
            // The action itself would run here, in the same transaction.
            audit::append(conn, &event, at)
        })
        .await
        .unwrap();
    }
    db.close().await;
    platform.close().await;
}

/// Opens `slug`'s database directly with its real key: the master key
/// unwraps the organization's key stored in platform.db.
pub fn open_with_key(dir: &Path, slug: &str) -> Connection {
    let config = config_for(dir);
    let data = config.data();
    let master = master_key::load(&config.master_key_file()).unwrap();
    let platform = connection::open(&data.platform_db(), &master.platform_db_key(), false).unwrap();
    let (id, wrapped): (String, Vec<u8>) = platform
        .query_row("SELECT id, wrapped_key FROM organizations WHERE slug = ?1", [slug], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .unwrap();
    let key = master.unwrap(&wrapped, &id).unwrap();
    connection::open(&data.org_db(OrgId::parse(&id).unwrap()), &key, false).unwrap()
}

/// Opens `slug`'s database and drops every trigger, as an attacker with the key would.
fn tamper(dir: &Path, slug: &str, sql: &str) {
    let conn = open_with_key(dir, slug);
    let triggers: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'trigger'")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(!triggers.is_empty());
    for trigger in triggers {
        conn.execute_batch(&format!("DROP TRIGGER {trigger}")).unwrap();
    }
    conn.execute_batch(sql).unwrap();
}

/// `examhall audit verify --org SLUG [extra...]`: (success, stdout, stderr).
fn verify(dir: &Path, slug: &str, extra: &[&str]) -> (bool, String, String) {
    let mut args = vec!["audit", "verify", "--org", slug, "--data-dir", dir.to_str().unwrap()];
    args.extend_from_slice(extra);
    run(&args)
}

fn assert_fails_at(dir: &Path, seq: i64, extra: &[&str]) -> String {
    let (ok, stdout, stderr) = verify(dir, "physics", extra);
    assert!(!ok, "verify passed a tampered log: {stdout}");
    assert!(stdout.contains(&format!("NOT INTACT at entry {seq}\n")), "{stdout}");
    assert!(stderr.contains(&format!("tampered with at entry {seq}\n")), "{stderr}");
    assert!(stderr.contains("hint: restore") && stderr.contains("master key"), "{stderr}");
    stdout
}

#[tokio::test]
async fn an_untampered_audit_log_verifies_and_its_head_is_printed_alone() {
    let dir = data_dir_with_physics();
    let data = dir.path().to_str().unwrap();
    let (ok, stdout, stderr) = verify(dir.path(), "physics", &[]);
    assert!(ok, "{stderr}");
    let anchored = "  platform.db's anchored head for physics is in this log: the file was not rolled back\n";
    assert_eq!(stdout, format!("audit log of physics: 0 entries, head {}, intact\n{anchored}", AuditHead::EMPTY));

    append_entries(dir.path(), "physics", 5).await;
    let (ok, head, stderr) = run(&["audit", "head", "--org", "physics", "--data-dir", data]);
    assert!(ok, "{stderr}");
    let parsed: AuditHead = head.trim_end().parse().unwrap();
    assert_eq!(parsed.seq, 5);
    assert_eq!(head, format!("{parsed}\n"));
    let (ok, stdout, stderr) = verify(dir.path(), "physics", &["--expect-head", head.trim_end()]);
    assert!(ok, "{stderr}");
    assert_eq!(stdout, format!("audit log of physics: 5 entries, head {parsed}, intact\n{anchored}"));
}

#[tokio::test]
async fn an_edited_audit_entry_fails_verification_naming_it() {
    let dir = data_dir_with_physics();
    append_entries(dir.path(), "physics", 5).await;
    tamper(
        dir.path(),
        "physics",
        r#"UPDATE audit_log SET details = '{"field":"duration","minutes":600}' WHERE seq = 3"#,
    );
    let stdout = assert_fails_at(dir.path(), 3, &[]);
    assert!(stdout.contains("edited") && stdout.contains("entries 1 to 2 are sound"), "{stdout}");
}

#[tokio::test]
async fn an_audit_entry_deleted_from_the_middle_fails_verification_naming_it() {
    let dir = data_dir_with_physics();
    append_entries(dir.path(), "physics", 5).await;
    tamper(dir.path(), "physics", "DELETE FROM audit_log WHERE seq = 3");
    let stdout = assert_fails_at(dir.path(), 3, &[]);
    assert!(stdout.contains("entry 3 is missing"), "{stdout}");
}

#[tokio::test]
async fn two_swapped_audit_entries_fail_verification_naming_the_first() {
    let dir = data_dir_with_physics();
    append_entries(dir.path(), "physics", 5).await;
    tamper(
        dir.path(),
        "physics",
        "UPDATE audit_log SET seq = 1000 WHERE seq = 2;
         UPDATE audit_log SET seq = 2 WHERE seq = 3;
         UPDATE audit_log SET seq = 3 WHERE seq = 1000;",
    );
    let stdout = assert_fails_at(dir.path(), 2, &[]);
    assert!(stdout.contains("reordered"), "{stdout}");
}

#[tokio::test]
async fn a_truncated_audit_tail_fails_verification_naming_the_first_missing_entry() {
    let dir = data_dir_with_physics();
    append_entries(dir.path(), "physics", 5).await;
    tamper(dir.path(), "physics", "DELETE FROM audit_log WHERE seq >= 4");
    let stdout = assert_fails_at(dir.path(), 4, &[]);
    assert!(stdout.contains("entries 4 to 5 are missing") && stdout.contains("cut off"), "{stdout}");
}

#[tokio::test]
async fn a_truncated_tail_with_a_forged_head_is_caught_by_the_anchor_and_the_expected_head() {
    let dir = data_dir_with_physics();
    append_entries(dir.path(), "physics", 5).await;
    let (_, head, _) = run(&["audit", "head", "--org", "physics", "--data-dir", dir.path().to_str().unwrap()]);
    tamper(
        dir.path(),
        "physics",
        "DELETE FROM audit_log WHERE seq >= 4;
         UPDATE audit_head SET seq = 3, hash = (SELECT hash FROM audit_log WHERE seq = 3);",
    );
    // The chain alone looks whole; platform.db's anchor says it ended at 5.
    let (ok, stdout, stderr) = verify(dir.path(), "physics", &[]);
    assert!(!ok, "a consistent cut passed: {stdout}");
    assert!(stdout.starts_with("audit log of physics: 3 entries, head 3:"), "{stdout}");
    assert!(stdout.contains("REFUSED") && stdout.contains("platform.db recorded entry 5"), "{stdout}");
    assert!(stderr.contains("rolled back") && stderr.contains("accept-head --org physics"), "{stderr}");
    let (ok, stdout, _) = verify(dir.path(), "physics", &["--expect-head", head.trim_end()]);
    assert!(!ok);
    assert!(stdout.contains("NOT INTACT at entry 4\n") && stdout.contains("past the end of the log"), "{stdout}");
}

#[tokio::test]
async fn an_expected_head_that_is_not_in_the_chain_fails_verification() {
    let dir = data_dir_with_physics();
    append_entries(dir.path(), "physics", 5).await;
    let foreign = AuditHead { seq: 3, hash: [0x5a; 32] }.to_string();
    let stdout = assert_fails_at(dir.path(), 3, &["--expect-head", &foreign]);
    assert!(stdout.contains("not the expected head"), "{stdout}");
    let future = AuditHead { seq: 9, hash: [0x5a; 32] }.to_string();
    assert_fails_at(dir.path(), 6, &["--expect-head", &future]);
    let (ok, _, stderr) = verify(dir.path(), "physics", &["--expect-head", "3:not-hex"]);
    assert!(!ok && stderr.contains("SEQ:HEX"), "{stderr}");
}

#[tokio::test]
async fn the_database_refuses_to_update_or_delete_audit_entries() {
    let dir = data_dir_with_physics();
    append_entries(dir.path(), "physics", 3).await;
    let conn = open_with_key(dir.path(), "physics");
    for sql in [
        "UPDATE audit_log SET outcome = 'denied' WHERE seq = 2",
        "DELETE FROM audit_log WHERE seq = 3",
        "DELETE FROM audit_log",
        "DELETE FROM audit_head",
    ] {
        let error = conn.execute_batch(sql).unwrap_err();
        assert!(error.to_string().contains("the audit log is append-only"), "{sql}: {error}");
    }
    drop(conn);
    let (ok, stdout, stderr) = verify(dir.path(), "physics", &[]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("3 entries"), "{stdout}");
}

#[tokio::test]
async fn creating_an_organization_is_recorded_in_the_platform_audit_log() {
    let dir = data_dir_with_physics();
    let data = dir.path().to_str().unwrap();
    let (ok, stdout, stderr) = run(&["audit", "verify", "--platform", "--data-dir", data]);
    assert!(ok, "{stderr}");
    // `init` issued the set-up link (entry 1), then the organization was created.
    assert!(stdout.starts_with("audit log of platform: 2 entries, head 2:"), "{stdout}");
    assert!(stdout.ends_with(", intact\n"), "{stdout}");

    let platform = examhall::cli::open_platform(&config_for(dir.path()), None).unwrap();
    let physics = platform.org_by_slug(OrgSlug::parse("physics").unwrap()).await.unwrap();
    let records = platform.db().read(|conn| audit::list(conn, &AuditQuery::default())).await.unwrap();
    platform.db().close().await;
    assert_eq!(records.len(), 2);
    assert_eq!(records[1].event.action, "platform.setup_link");
    let entry = &records[0].event;
    assert_eq!(entry.action, "org.create");
    assert!(entry.actor.starts_with("cli:"), "{}", entry.actor);
    assert_eq!(entry.target.as_deref(), Some(physics.id.to_string().as_str()));
    assert_eq!(entry.details, json!({ "slug": "physics", "name": "Physics" }));
}

#[test]
fn audit_commands_need_exactly_one_log_and_a_known_organization() {
    let dir = data_dir_with_physics();
    let data = dir.path().to_str().unwrap();
    let (ok, _, stderr) = run(&["audit", "verify", "--data-dir", data]);
    assert!(!ok, "{stderr}");
    let (ok, _, stderr) = run(&["audit", "head", "--platform", "--org", "physics", "--data-dir", data]);
    assert!(!ok, "{stderr}");
    let (ok, _, stderr) = run(&["audit", "verify", "--org", "chemistry", "--data-dir", data]);
    assert!(!ok);
    assert!(stderr.contains("not found") && stderr.contains("examhall org list"), "{stderr}");
}
