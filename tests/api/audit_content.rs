//! No exam content in the audit log: exam actions over HTTP log changed
//! fields and hashes, and the upgrade rewrites entries of the previous
//! version through a checkpoint that a head taken before it still verifies.

use examhall::domain::{ExamSpec, OrgId};
use examhall::store::audit::{self, AuditEvent, digest};
use examhall::store::{connection, master_key, migrations};
use serde_json::{Value, json};

use crate::access::exam_body;
use crate::helpers::{config_for, restart, run, spawn_app};
use crate::people::world;

const CANARY: &str = "EXAM-CONTENT-CANARY-5e1b";

#[tokio::test]
async fn exam_actions_leave_hashes_and_no_exam_content_in_the_audit_log_or_its_export() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let instructor = app.as_(&w.instructor);
    let mut body = exam_body(&w);
    body["title"] = format!("Final {CANARY}-title").into();
    body["questions"][0]["model_solution"] = format!("def add(a, b):\n    return a + b  # {CANARY}\n").into();
    body["questions"][0]["tests"][1]["expected"] = format!("'{CANARY}-hidden'").into();
    let response = instructor.create_exam(w.course, body.clone()).await;
    assert_eq!(response.status(), 201);
    let id = response.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    let mut edited = body.clone();
    edited["questions"][0]["tests"][1]["expected"] = format!("'{CANARY}-hidden-2'").into();
    edited["instructions"] = format!("{CANARY}-instructions").into();
    assert_eq!(instructor.update_exam(w.course, &id, edited.clone()).await.status(), 200);
    let copy: Value = instructor.duplicate_exam(w.course, &id).await.json().await.unwrap();
    assert_eq!(instructor.delete_exam(w.course, copy["id"].as_str().unwrap()).await.status(), 204);
    let passing = json!({ "tests_run": 2, "tests_failed": 0 });
    assert_eq!(instructor.publish(w.course, &id, passing).await.status(), 200);

    let log = app.json_of(&w.admin, "/api/v1/org/audit").await;
    assert!(!log.to_string().contains(CANARY), "{log}");
    let csv = app.as_(&w.admin).audit_csv().await.text().await.unwrap();
    assert!(!csv.contains(CANARY) && csv.contains("exam.update"), "{csv}");
    let entry = |action: &str| {
        log.as_array().unwrap().iter().find(|e| e["action"] == action).unwrap_or_else(|| panic!("{action}")).clone()
    };
    let update = &entry("exam.update")["details"];
    assert_eq!(update["changed"], json!(["instructions", "questions.1"]), "{update}");
    let spec: ExamSpec = serde_json::from_value(edited).unwrap();
    assert_eq!(update["after_sha256"], digest::sha256_of_serialized(&spec));
    let question = serde_json::to_value(&spec).unwrap()["questions"][0].clone();
    assert_eq!(update["fields"]["questions.1"]["after"], digest::sha256_of(&question));
    for action in ["exam.create", "exam.duplicate", "exam.delete", "exam.publish"] {
        let hash = entry(action)["details"]["exam_sha256"].as_str().map(str::len);
        assert_eq!(hash, Some(64), "{action}");
    }
    app.stop().await;
}

/// The previous version's log of one exam: its creation with the title, and
/// an edit with the whole exam before and after.
fn old_entries() -> Vec<AuditEvent> {
    let exam = |expected: &str| {
        json!({ "title": format!("Midterm {CANARY}"), "section_ids": [],
            "questions": [{ "title": "Add", "prompt": "p", "model_solution": format!("# {CANARY}"), "points": 1,
                "tests": [{ "visibility": "hidden", "kind": "function", "expression": "f()", "expected": expected }] }] })
    };
    vec![
        AuditEvent::new("u1", "teacher@example.edu", "session.sign_in"),
        AuditEvent::new("u1", "teacher@example.edu", "exam.create")
            .details(json!({ "title": format!("Midterm {CANARY}") })),
        AuditEvent::new("u1", "teacher@example.edu", "exam.update")
            .target("exam-1")
            .details(json!({ "before": exam("1"), "after": exam(&format!("'{CANARY}'")) })),
    ]
}

#[tokio::test]
async fn the_upgrade_rewrites_old_exam_content_to_hashes_and_a_head_taken_before_still_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    assert!(run(&["init", "--data-dir", data]).0);
    assert!(run(&["org", "create", "--data-dir", data, "--slug", "physics", "--name", "Physics"]).0);
    let config = config_for(dir.path());
    let master = master_key::load(&config.master_key_file()).unwrap();
    let platform = connection::open(&config.data().platform_db(), &master.platform_db_key(), false).unwrap();
    let (id, wrapped): (String, Vec<u8>) =
        platform.query_row("SELECT id, wrapped_key FROM organizations", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    drop(platform);
    let key = master.unwrap(&wrapped, &id).unwrap();
    let path = config.data().org_db(OrgId::parse(&id).unwrap());

    // The file as the previous version (schema 8) left it.
    std::fs::remove_file(&path).unwrap();
    let mut conn = connection::open(&path, &key, true).unwrap();
    migrations::run(&mut conn, &path, &migrations::ORG[..8]).unwrap();
    conn.execute("INSERT INTO organization (singleton, id, slug, created_at) VALUES (1, ?1, 'physics', 'x')", [&id])
        .unwrap();
    for (n, event) in old_entries().into_iter().enumerate() {
        let at = time::OffsetDateTime::UNIX_EPOCH + time::Duration::minutes(i64::try_from(n).unwrap());
        audit::append(&conn, &event, at).unwrap();
    }
    let before = audit::head(&conn).unwrap().unwrap();
    drop(conn);

    let (ok, stdout, stderr) =
        run(&["audit", "verify", "--org", "physics", "--expect-head", &before.to_string(), "--data-dir", data]);
    assert!(ok, "{stdout}{stderr}");
    assert!(stdout.starts_with("audit log of physics: 4 entries"), "{stdout}");
    assert!(stdout.contains("checkpoint at entry 4 (rewrite,") && stdout.contains("by examhall upgrade"), "{stdout}");
    assert!(
        stdout.contains(&format!("the expected head {before} was replaced by the checkpoint at entry 4")),
        "{stdout}"
    );
    let (ok, head, _) =
        run(&["audit", "head", "--org", "physics", "--expect-head", &before.to_string(), "--data-dir", data]);
    assert!(ok && head.starts_with("4:"), "{head}");
    let conn = connection::open(&path, &key, false).unwrap();
    let all: String = conn.query_row("SELECT group_concat(details, ' ') FROM audit_log", [], |r| r.get(0)).unwrap();
    assert!(!all.contains(CANARY) && !all.contains("Midterm"), "{all}");
    drop(conn);

    // The copy taken before migrating still holds the old entries; the
    // first successful start on the new version removes it.
    let copy = migrations::backup_path(&path, 8);
    assert!(copy.exists());
    let app = restart(dir).await;
    assert!(!copy.exists(), "the pre-migration copy was pruned");
    app.stop().await;
}
