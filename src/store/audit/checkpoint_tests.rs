//! Checkpoints against a real, migrated SQLCipher database: rewriting,
//! accepting, following old heads, the database's door, and the migration
//! that replaces exam content in old entries by hashes.

use serde_json::json;
use time::macros::datetime;

use super::checkpoint::{self, Kind};
use super::*;
use crate::store::keys::DatabaseKey;
use crate::store::{connection, migrations};

const T0: OffsetDateTime = datetime!(2026-01-05 09:00 UTC);
const CANARY: &str = "HIDDEN-TEST-CANARY-0d41";

fn fresh_at(steps: &[migrations::Migration]) -> (tempfile::TempDir, Connection) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("org.db");
    let mut conn = connection::open(&path, &DatabaseKey::generate(), true).unwrap();
    migrations::run(&mut conn, &path, steps).unwrap();
    (dir, conn)
}

fn plain(n: i64) -> AuditEvent {
    AuditEvent::new(format!("user-{n}"), "teacher@example.edu", "user.rename").details(json!({ "n": n }))
}

fn it() -> Actor {
    Actor { id: "cli:it".into(), label: "it (command line)".into() }
}

/// An exam as the previous version stored it in `exam.update` entries.
fn old_exam(expected: &str) -> serde_json::Value {
    json!({ "title": "Midterm", "duration_minutes": 90, "section_ids": ["s"],
        "questions": [{ "title": "Add", "prompt": "Write add", "model_solution": format!("return a + b  # {CANARY}"),
            "points": 5, "tests": [{ "visibility": "hidden", "kind": "function", "expression": "add(1, 2)",
            "expected": expected }] }] })
}

#[test]
fn a_rewrite_rechains_from_the_first_change_and_old_heads_still_verify() {
    let (_dir, conn) = fresh_at(migrations::ORG);
    append(&conn, &plain(1), T0).unwrap();
    let before_any_change = append(&conn, &plain(2), T0).unwrap();
    append(&conn, &plain(3), T0).unwrap();
    let mid = append(&conn, &plain(4), T0).unwrap();
    let old_head = append(&conn, &plain(5), T0).unwrap();
    let done = checkpoint::rewrite(&conn, &it(), "test", T0, |entry| {
        (entry.seq == 3).then(|| json!({ "n": "redacted" }).to_string())
    })
    .unwrap()
    .unwrap();
    assert_eq!((done.seq, done.kind, done.old_head), (6, Kind::Rewrite, old_head));
    assert_eq!(done.new_head.seq, 5);
    assert_ne!(done.new_head, old_head, "entries from 3 on were re-chained");
    assert_eq!(head(&conn).unwrap(), Some(done.head()));
    for kept in [before_any_change, old_head, mid] {
        let verified = verify(&conn, Some(&kept)).unwrap();
        assert!(verified.is_intact(), "{kept}: {verified:?}");
        assert_eq!(verified.checkpoints, vec![done.clone()]);
    }
    assert_eq!(verify(&conn, Some(&before_any_change)).unwrap().expected_replaced_by, None, "still in the chain");
    assert_eq!(verify(&conn, Some(&mid)).unwrap().expected_replaced_by, Some(done.clone()));
    assert_eq!(locate(&conn, &old_head).unwrap(), Some(Found::Replaced(Box::new(done))));
    let stranger = AuditHead { seq: 4, hash: [9; 32] };
    assert!(!verify(&conn, Some(&stranger)).unwrap().is_intact());
    assert_eq!(locate(&conn, &stranger).unwrap(), None);
    let unchanged = checkpoint::rewrite(&conn, &it(), "no-op", T0, |_| None).unwrap();
    assert_eq!(unchanged, None, "nothing changed, no checkpoint");
}

#[test]
fn accepting_a_head_the_log_lost_records_it_and_makes_it_verify() {
    let (_dir, conn) = fresh_at(migrations::ORG);
    append(&conn, &plain(1), T0).unwrap();
    let current = append(&conn, &plain(2), T0).unwrap();
    let lost = AuditHead { seq: 7, hash: [0x42; 32] };
    assert!(!verify(&conn, Some(&lost)).unwrap().is_intact());
    let done = checkpoint::accept(&conn, &it(), "ticket 12: disk restored from backup", T0, &lost).unwrap().unwrap();
    assert_eq!((done.kind, done.old_head, done.new_head, done.seq), (Kind::Accept, lost, current, 3));
    let verified = verify(&conn, Some(&lost)).unwrap();
    assert!(verified.is_intact(), "{verified:?}");
    assert_eq!(verified.expected_replaced_by.map(|c| c.reason), Some("ticket 12: disk restored from backup".into()));
    assert_eq!(checkpoint::accept(&conn, &it(), "again", T0, &lost).unwrap(), None, "nothing left to accept");
}

#[test]
fn checkpoint_entries_and_the_door_cannot_be_forged_with_plain_sql() {
    let (_dir, conn) = fresh_at(migrations::ORG);
    append(&conn, &plain(1), T0).unwrap();
    let lost = AuditHead { seq: 9, hash: [1; 32] };
    checkpoint::accept(&conn, &it(), "real", T0, &lost).unwrap().unwrap();
    let forged = AuditEvent::new("cli:mallory", "mallory", checkpoint::ACTION).details(
        json!({ "kind": "accept", "reason": "x", "old_head": AuditHead { seq: 5, hash: [3; 32] }.to_string() }),
    );
    let error = append(&conn, &forged, T0).unwrap_err().to_string();
    assert!(error.contains("an audit.checkpoint entry is written only by a checkpoint"), "{error}");
    for (sql, refusal) in [
        ("UPDATE audit_log SET details = '{}' WHERE seq = 2", "the audit log is append-only"),
        ("DELETE FROM audit_log WHERE seq = 2", "the audit log is append-only"),
        ("UPDATE audit_superseded SET hashes = zeroblob(32)", "the audit log is append-only"),
        ("DELETE FROM audit_superseded", "the audit log is append-only"),
        (
            "INSERT INTO audit_superseded (old_head, first_seq, hashes) VALUES ('5:00', 5, zeroblob(32))",
            "superseded hashes are recorded only by an open checkpoint",
        ),
        (
            "INSERT INTO audit_rewrite (singleton, kind, old_seq, old_hash) VALUES (1, 'rewrite', 1, zeroblob(32))",
            "a checkpoint rewrite starts at the audit head",
        ),
    ] {
        let error = conn.execute_batch(sql).unwrap_err().to_string();
        assert!(error.contains(refusal), "{sql}: {error}");
    }
    // An accept door opened by hand lets no entry go and does not close
    // without its checkpoint entry.
    conn.execute_batch(
        "INSERT INTO audit_rewrite (singleton, kind, old_seq, old_hash) VALUES (1, 'accept', 5, zeroblob(32))",
    )
    .unwrap();
    let error = conn.execute_batch("DELETE FROM audit_log WHERE seq = 1").unwrap_err().to_string();
    assert!(error.contains("the audit log is append-only"), "{error}");
    let error = conn.execute_batch("DELETE FROM audit_rewrite").unwrap_err().to_string();
    assert!(error.contains("a checkpoint closes only with its audit.checkpoint entry"), "{error}");
    let found = verify(&conn, None).unwrap().problem.expect("an open door is reported");
    assert!(found.what.contains("never closed"), "{}", found.what);
}

#[test]
fn a_rewrite_refuses_a_log_that_does_not_verify() {
    let (_dir, conn) = fresh_at(migrations::ORG);
    for n in 1..=3 {
        append(&conn, &plain(n), T0).unwrap();
    }
    conn.execute_batch("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor = 'x' WHERE seq = 2").unwrap();
    let error = checkpoint::rewrite(&conn, &it(), "launder", T0, |_| Some("{}".into())).unwrap_err();
    assert!(matches!(error, StoreError::AuditNotIntact { seq: 2, .. }), "{error}");
}

#[test]
fn the_upgrade_replaces_exam_content_in_old_entries_by_hashes_and_old_heads_still_verify() {
    // A database as the previous version left it: schema 8, exam edits
    // logged with the whole exam before and after, creations with the title.
    let (dir, mut conn) = fresh_at(&migrations::ORG[..8]);
    append(&conn, &plain(1), T0).unwrap();
    let before_exams = head(&conn).unwrap().unwrap();
    let create = AuditEvent::new("u", "teacher@example.edu", "exam.create").details(json!({ "title": "Midterm" }));
    append(&conn, &create, T0).unwrap();
    let edit = AuditEvent::new("u", "teacher@example.edu", "exam.update")
        .target("exam-1")
        .details(json!({ "before": old_exam("3"), "after": old_exam(&format!("4 {CANARY}")) }));
    let after_edit = append(&conn, &edit, T0 + time::Duration::minutes(1)).unwrap();
    append(&conn, &plain(4), T0).unwrap();
    let taken_before_upgrade = head(&conn).unwrap().unwrap();
    let text = |conn: &Connection| -> String {
        let mut statement = conn.prepare("SELECT action || details FROM audit_log ORDER BY seq").unwrap();
        let rows = statement.query_map([], |row| row.get::<_, String>(0)).unwrap();
        rows.collect::<Result<Vec<_>, _>>().unwrap().join("\n")
    };
    assert!(text(&conn).contains(CANARY), "the old shape holds exam content");

    migrations::run(&mut conn, &dir.path().join("org.db"), migrations::ORG).unwrap();
    let all = text(&conn);
    assert!(!all.contains(CANARY) && !all.contains("Midterm") && !all.contains("model_solution"), "{all}");
    let rewritten: String = conn.query_row("SELECT details FROM audit_log WHERE seq = 3", [], |r| r.get(0)).unwrap();
    let rewritten: serde_json::Value = serde_json::from_str(&rewritten).unwrap();
    assert_eq!(rewritten["changed"], json!(["questions.1"]));
    assert_eq!(rewritten["before_sha256"], digest::sha256_of(&old_exam("3")));
    let verified = verify(&conn, Some(&taken_before_upgrade)).unwrap();
    assert!(verified.is_intact(), "{verified:?}");
    let checkpoint = verified.expected_replaced_by.expect("the upgrade's checkpoint replaced the old head");
    assert_eq!((checkpoint.seq, checkpoint.old_head), (5, taken_before_upgrade));
    assert_eq!(checkpoint.actor_label, "examhall upgrade");
    for kept in [before_exams, after_edit] {
        assert!(verify(&conn, Some(&kept)).unwrap().is_intact(), "{kept}");
    }
    let (old_seq, entries): (i64, i64) = conn
        .query_row("SELECT first_seq, length(hashes) / 32 FROM audit_superseded", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert_eq!((old_seq, entries), (2, 3), "entry 1 held no exam content and kept its hash");
}
