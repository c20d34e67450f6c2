//! The audit log against a real, migrated SQLCipher database.

use serde_json::json;
use time::macros::datetime;

use super::*;
use crate::store::keys::DatabaseKey;
use crate::store::{Database, OpenOptions, connection, migrations};

const T0: OffsetDateTime = datetime!(2026-01-05 09:00 UTC);

/// A migrated organization database in a temporary directory.
fn fresh() -> (tempfile::TempDir, Connection) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("org.db");
    let mut conn = connection::open(&path, &DatabaseKey::generate(), true).unwrap();
    migrations::run(&mut conn, &path, migrations::ORG).unwrap();
    (dir, conn)
}

fn event(n: i64) -> AuditEvent {
    AuditEvent::new(format!("user-{n}"), format!("user{n}@example.edu"), "exam.update")
        .target(format!("exam-{n}"))
        .details(json!({ "n": n }))
}

/// A log of `n` entries, one minute apart.
fn with_entries(n: i64) -> (tempfile::TempDir, Connection) {
    let (dir, conn) = fresh();
    for i in 1..=n {
        append(&conn, &event(i), T0 + time::Duration::minutes(i)).unwrap();
    }
    (dir, conn)
}

/// What an attacker with the key does first.
fn drop_triggers(conn: &Connection) {
    let names: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'trigger'")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for name in names {
        conn.execute_batch(&format!("DROP TRIGGER {name}")).unwrap();
    }
}

fn problem(conn: &Connection, expected: Option<&AuditHead>) -> Problem {
    verify(conn, expected).unwrap().problem.expect("tampering must be found")
}

#[test]
fn appended_entries_form_a_chain_that_verifies_and_the_head_follows_it() {
    let (_dir, conn) = fresh();
    assert_eq!(head(&conn).unwrap(), None);
    let intact = verify(&conn, Some(&AuditHead::EMPTY)).unwrap();
    assert_eq!((intact.entries, intact.head, intact.problem), (0, None, None));
    let first = append(&conn, &event(1), T0).unwrap();
    let second = append(&conn, &event(2).outcome(Outcome::Denied).client("192.0.2.7".parse().unwrap()), T0).unwrap();
    assert_eq!((first.seq, second.seq), (1, 2));
    assert_eq!(head(&conn).unwrap(), Some(second));
    let prev: [u8; 32] = conn.query_row("SELECT prev_hash FROM audit_log WHERE seq = 2", [], |r| r.get(0)).unwrap();
    assert_eq!(prev, first.hash);
    let verified = verify(&conn, Some(&first)).unwrap();
    assert!(verified.is_intact(), "{verified:?}");
    assert_eq!((verified.entries, verified.head), (2, Some(second)));
}

#[test]
fn the_database_refuses_to_change_or_delete_entries_or_the_head() {
    let (_dir, conn) = with_entries(3);
    for sql in [
        "UPDATE audit_log SET details = '{}' WHERE seq = 2",
        "DELETE FROM audit_log WHERE seq = 3",
        "DELETE FROM audit_head",
    ] {
        let error = conn.execute_batch(sql).unwrap_err().to_string();
        assert!(error.contains("append-only"), "{sql}: {error}");
    }
    // Each refusal comes from the trigger meant for it, not from any error
    // (a typo in the SQL would also fail).
    for (sql, refusal) in [
        ("UPDATE audit_head SET seq = 2", "the audit head moves only with the audit log"),
        ("UPDATE audit_head SET seq = 4, hash = zeroblob(32)", "the audit head moves only with the audit log"),
        ("INSERT OR REPLACE INTO audit_head (singleton, seq, hash) VALUES (1, 2, zeroblob(32))", "append-only"),
        (
            "INSERT INTO audit_log (seq, at, actor, actor_label, action, outcome, details, prev_hash, hash)
             VALUES (9, 'x', 'a', 'a', 'x', 'success', '{}', zeroblob(32), zeroblob(32))",
            "an audit entry must continue the chain at its head",
        ),
    ] {
        let error = conn.execute_batch(sql).unwrap_err().to_string();
        assert!(error.contains(refusal), "{sql}: {error}");
    }
    assert!(verify(&conn, None).unwrap().is_intact());
}

#[test]
fn details_must_be_a_json_object() {
    let (_dir, conn) = fresh();
    assert!(append(&conn, &event(1).details(json!(["not", "an", "object"])), T0).is_err());
    assert_eq!(head(&conn).unwrap(), None);
}

#[test]
fn an_edited_entry_is_named() {
    let (_dir, conn) = with_entries(5);
    drop_triggers(&conn);
    conn.execute_batch(r#"UPDATE audit_log SET details = '{"n":99}' WHERE seq = 3"#).unwrap();
    let found = problem(&conn, None);
    assert_eq!(found.seq, 3);
    assert!(found.what.contains("edited"), "{}", found.what);
}

#[test]
fn an_edited_entry_with_a_recomputed_hash_breaks_the_next_link() {
    let (_dir, conn) = with_entries(5);
    drop_triggers(&conn);
    conn.execute_batch("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 3").unwrap();
    let hash = {
        let row = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, [u8; 32]>(0)).unwrap();
        let prev = row("SELECT prev_hash FROM audit_log WHERE seq = 3");
        let event = event(3);
        let at = chain::format_at(T0 + time::Duration::minutes(3));
        chain::entry_hash(&chain::Fields {
            seq: 3,
            at: at.as_bytes(),
            actor: b"someone-else",
            actor_label: event.actor_label.as_bytes(),
            action: event.action.as_bytes(),
            target: event.target.as_deref().map(str::as_bytes),
            outcome: b"success",
            client_addr: None,
            details: event.details.to_string().as_bytes(),
            prev_hash: &prev,
        })
    };
    conn.execute("UPDATE audit_log SET hash = ?1 WHERE seq = 3", [hash]).unwrap();
    let found = problem(&conn, None);
    assert_eq!(found.seq, 4);
    assert!(found.what.contains("does not follow entry 3"), "{}", found.what);
}

#[test]
fn a_deleted_entry_reordered_entries_and_a_cut_tail_are_named() {
    let (_dir, conn) = with_entries(5);
    drop_triggers(&conn);
    conn.execute_batch("DELETE FROM audit_log WHERE seq = 3").unwrap();
    let found = problem(&conn, None);
    assert_eq!(found.seq, 3);
    assert!(found.what.contains("missing"), "{}", found.what);

    let (_dir, conn) = with_entries(5);
    drop_triggers(&conn);
    conn.execute_batch(
        "UPDATE audit_log SET seq = 1000 WHERE seq = 2;
         UPDATE audit_log SET seq = 2 WHERE seq = 3;
         UPDATE audit_log SET seq = 3 WHERE seq = 1000;",
    )
    .unwrap();
    let found = problem(&conn, None);
    assert_eq!(found.seq, 2);
    assert!(found.what.contains("reordered"), "{}", found.what);

    let (_dir, conn) = with_entries(5);
    drop_triggers(&conn);
    conn.execute_batch("DELETE FROM audit_log WHERE seq >= 4").unwrap();
    let found = problem(&conn, None);
    assert_eq!(found.seq, 4);
    assert!(found.what.contains("cut off"), "{}", found.what);
}

#[test]
fn a_cut_tail_stays_visible_after_later_appends() {
    let (_dir, conn) = with_entries(5);
    conn.execute_batch("DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq >= 4").unwrap();
    let next = append(&conn, &event(6), T0).unwrap();
    assert_eq!(next.seq, 6);
    let found = problem(&conn, None);
    assert_eq!(found.seq, 4);
    assert!(found.what.contains("entries 4 to 5 are missing"), "{}", found.what);
}

#[test]
fn a_rewritten_log_with_a_forged_head_is_caught_by_an_expected_head() {
    let (_dir, conn) = with_entries(5);
    let taken = head(&conn).unwrap().unwrap();
    // Rewrite the log from entry 2 on, consistently, and forge the head.
    conn.execute_batch(
        "DROP TRIGGER audit_log_no_delete;
         DROP TRIGGER audit_head_follows_the_log;
         DELETE FROM audit_log WHERE seq >= 2;
         UPDATE audit_head SET seq = 1, hash = (SELECT hash FROM audit_log WHERE seq = 1);",
    )
    .unwrap();
    for i in 2..=5 {
        append(&conn, &event(i).details(json!({ "n": i, "rewritten": true })), T0).unwrap();
    }
    assert!(verify(&conn, None).unwrap().is_intact());
    let found = problem(&conn, Some(&taken));
    assert_eq!(found.seq, 5);
    assert!(found.what.contains("expected head"), "{}", found.what);

    let beyond = AuditHead { seq: 9, hash: [7; 32] };
    let found = problem(&conn, Some(&beyond));
    assert_eq!(found.seq, 6);
    assert!(found.what.contains("past the end"), "{}", found.what);
}

#[test]
fn a_head_prints_as_seq_colon_hex_and_parses_back() {
    let head = AuditHead { seq: 42, hash: [0xab; 32] };
    let text = head.to_string();
    assert_eq!(text, format!("42:{}", "ab".repeat(32)));
    assert_eq!(text.parse::<AuditHead>(), Ok(head));
    assert_eq!(AuditHead::EMPTY.to_string(), format!("0:{}", "0".repeat(64)));
    for bad in ["", "42", "42:abcd", "x:00", &format!("-1:{}", "0".repeat(64)), &format!("1:{}", "zz".repeat(32))] {
        assert_eq!(bad.parse::<AuditHead>(), Err(InvalidHead), "{bad}");
    }
}

#[test]
fn list_pages_newest_first_and_filters() {
    let (_dir, conn) = with_entries(7);
    append(&conn, &AuditEvent::new("system", "examhall", "user.create"), T0 + time::Duration::minutes(8)).unwrap();
    let page = list(&conn, &AuditQuery { limit: 3, ..AuditQuery::default() }).unwrap();
    assert_eq!(page.iter().map(|r| r.seq).collect::<Vec<_>>(), [8, 7, 6]);
    let next = list(&conn, &AuditQuery { limit: 3, before_seq: Some(6), ..AuditQuery::default() }).unwrap();
    assert_eq!(next.iter().map(|r| r.seq).collect::<Vec<_>>(), [5, 4, 3]);
    assert_eq!(next[0].event, event(5));
    let by_actor = list(&conn, &AuditQuery { actor: Some("user-2".into()), ..AuditQuery::default() }).unwrap();
    assert_eq!(by_actor.iter().map(|r| r.seq).collect::<Vec<_>>(), [2]);
    let users = list(&conn, &AuditQuery { action_prefix: Some("user.".into()), ..AuditQuery::default() }).unwrap();
    assert_eq!(users.iter().map(|r| r.seq).collect::<Vec<_>>(), [8]);
    let window = AuditQuery {
        from: Some(T0 + time::Duration::minutes(2)),
        to: Some(T0 + time::Duration::minutes(4)),
        ..AuditQuery::default()
    };
    assert_eq!(list(&conn, &window).unwrap().iter().map(|r| r.seq).collect::<Vec<_>>(), [3, 2]);
}

#[test]
fn csv_export_has_a_header_and_one_defused_row_per_entry() {
    let (_dir, conn) = fresh();
    let hostile = AuditEvent::new("user-1", "=cmd|' /C calc'!A0", "user.rename").details(json!({ "to": "a,b" }));
    append(&conn, &hostile, T0).unwrap();
    let records = list(&conn, &AuditQuery::default()).unwrap();
    let mut out = Vec::new();
    write_csv(&records, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(lines[0], "seq,at,actor,actor_label,action,target,outcome,client_addr,details,hash");
    assert!(lines[1].starts_with("1,2026-01-05T09:00:00.000Z,user-1,'=cmd|' /C calc'!A0,user.rename,,success,,"));
    assert!(lines[1].contains(r#""{""to"":""a,b""}""#), "{}", lines[1]);
    assert_eq!(lines[2], "");
}

#[tokio::test]
async fn an_entry_commits_only_with_the_action_it_records() {
    let dir = tempfile::tempdir().unwrap();
    let options = OpenOptions { create: true, ..OpenOptions::default() };
    let db = Database::open(&dir.path().join("org.db"), &DatabaseKey::generate(), migrations::ORG, options).unwrap();
    let failed = db
        .write(|conn| {
            append(conn, &event(1), T0)?;
            Err::<(), _>(StoreError::WrongState("the action".into()))
        })
        .await;
    assert!(failed.is_err());
    let done = db.write(|conn| append(conn, &event(2), T0)).await.unwrap();
    assert_eq!(done.seq, 1);
    let verified = db.read(|conn| verify(conn, None)).await.unwrap();
    assert_eq!((verified.entries, verified.problem), (1, None));
    db.close().await;
}

#[test]
fn the_command_line_actor_is_named_after_the_unix_user() {
    let actor = Actor::command_line();
    assert!(actor.id.starts_with("cli:") && actor.id.len() > 4, "{actor:?}");
    assert!(actor.label.contains("command line"), "{actor:?}");
    assert_eq!(AuditEvent::by(&Actor::system(), "x").actor, "system");
}
