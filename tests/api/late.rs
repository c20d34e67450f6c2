//! The deadline, proven by the server and never by the client's clock:
//! frozen submissions, commitments, late items kept beside the submission,
//! and an instructor's decision to apply them (docs/autosave.md).

use std::sync::Arc;
use std::time::Duration;

use examhall::clock::ManualClock;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::exam_client::ExamClient;
use crate::helpers::{TestApp, spawn_app_with_clock};
use crate::people::{PASSWORD, World, world};

/// The student's deadline in these tests: start 09:00 + 90 minutes.
const STARTED: time::OffsetDateTime = crate::helpers::EXAM_DAY;
const PAST_DEADLINE: Duration = Duration::from_secs(90 * 60 + 30);

fn sha256(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

async fn setup() -> (TestApp, World, ManualClock, ExamClient) {
    let clock = ManualClock::new(STARTED);
    let app = spawn_app_with_clock(Arc::new(clock.clone())).await;
    let w = world(&app).await;
    let client = ExamClient::student(&app, &w).await;
    (app, w, clock, client)
}

async fn receipt_text(app: &TestApp, w: &World) -> String {
    let response = app.as_(&w.student).receipt(w.open_exam).await;
    assert_eq!(response.status(), 200);
    response.text().await.unwrap()
}

/// The late items of the attempt as its instructor sees them.
async fn late_items(app: &TestApp, w: &World, attempt: &str) -> Vec<(i64, String, Option<String>)> {
    let instructor = app.sign_in(Some("physics"), "instructor@physics.example", PASSWORD).await;
    let detail: Value = app.as_(&instructor).attempt(w.course, w.open_exam, attempt).await.json().await.unwrap();
    detail["late_items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["seq"].as_i64().unwrap(),
                i["status"].as_str().unwrap().to_owned(),
                i["reason"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_back_dated_save_after_the_deadline_never_changes_the_submission() {
    let (app, w, clock, mut client) = setup().await;
    let question = client.question(0);
    client.edit_to(&question, "x = 1\n");
    client.flush(&app).await;
    clock.advance(PAST_DEADLINE);
    // Claims to be from before the deadline, but the server never heard of it in time.
    let mut late = json!({ "kind": "edit", "question_id": question, "client_at": "2026-06-01T10:29:00Z" });
    late["changes"] = json!([[6, "x = 2\n"]]);
    client.queue_item(late);
    let answer = client.flush(&app).await;
    assert_eq!((answer["phase"].as_str(), answer["acked_seq"].as_i64()), (Some("closed"), Some(1)));
    assert_eq!(answer["late"]["refused"], 1);
    let receipt: Value = serde_json::from_str(&receipt_text(&app, &w).await).unwrap();
    assert_eq!(receipt["receipt"]["answers"][0]["sha256"], sha256("x = 1\n"), "the frozen submission holds");
    assert_eq!(receipt["receipt"]["reason"], "deadline");
    assert_eq!(
        late_items(&app, &w, &client.attempt).await,
        [(2, "refused".to_owned(), Some("not_committed".to_owned()))]
    );
    app.stop().await;
}

#[tokio::test]
async fn late_items_that_reproduce_a_commitment_heard_in_time_wait_beside_the_submission_for_the_instructor() {
    let (app, w, clock, mut client) = setup().await;
    let question = client.question(0);
    client.type_text(&question, "ab");
    // Sent before the deadline: items 1-2, committing to the queue up to 5.
    let sent: Vec<String> = client.queue.iter().map(|(_, raw)| raw.clone()).collect();
    client.type_text(&question, "cde");
    let commit = client.commitment();
    let answer: Value = client.post_raw(&app, &sent, Some(commit)).await.json().await.unwrap();
    assert_eq!(answer["acked_seq"], 2);
    client.queue.drain(..2);
    clock.advance(PAST_DEADLINE);

    // The network is back after the deadline: 3-4 wait for 5, which completes the commitment.
    let rest: Vec<String> = client.queue.iter().map(|(_, raw)| raw.clone()).collect();
    let partial: Value = client.post_raw(&app, &rest[..2], None).await.json().await.unwrap();
    assert_eq!((partial["processed_seq"].as_i64(), partial["late"]["pending"].as_i64()), (Some(4), Some(2)));
    let done: Value = client.post_raw(&app, &rest[2..], None).await.json().await.unwrap();
    assert_eq!(done["late"], json!({ "accepted": 3, "pending": 0, "refused": 0, "applied": 0 }));
    let receipt: Value = serde_json::from_str(&receipt_text(&app, &w).await).unwrap();
    let starter = "def add(a, b):\n    pass\n";
    assert_eq!(receipt["receipt"]["answers"][0]["sha256"], sha256(&format!("{starter}ab")), "never applied by itself");

    let instructor = app.sign_in(Some("physics"), "instructor@physics.example", PASSWORD).await;
    let apply = |caller| app.as_(caller).apply_late_items(w.course, w.open_exam, client.attempt.clone());
    let reviewer = app.sign_in(Some("physics"), "reviewer@physics.example", PASSWORD).await;
    assert_eq!(apply(&reviewer).await.status(), 404, "instructors decide");
    let applied: Value = apply(&instructor).await.json().await.unwrap();
    let document = &applied["receipt"];
    assert_eq!((document["number"].as_i64(), document["reason"].as_str()), (Some(2), Some("late_items")));
    assert_eq!(document["previous_submission_id"], receipt["receipt"]["submission_id"]);
    assert_eq!(document["answers"][0]["sha256"], sha256(&format!("{starter}abcde")));
    let now_shown: Value = serde_json::from_str(&receipt_text(&app, &w).await).unwrap();
    assert_eq!(
        (&now_shown["receipt"], &now_shown["sha256"]),
        (&applied["receipt"], &applied["sha256"]),
        "the student's receipt is now the new one (theirs signed by the server)"
    );
    assert_eq!(apply(&instructor).await.status(), 409, "nothing left to apply");
    let detail: Value =
        app.as_(&instructor).attempt(w.course, w.open_exam, &client.attempt).await.json().await.unwrap();
    assert_eq!(
        (&detail["submissions"][0]["receipt"], &detail["submissions"][0]["sha256"]),
        (&receipt["receipt"], &receipt["sha256"]),
        "the first submission is kept as it was"
    );
    // The clock moved past the staff idle timeout: the admin signs in again.
    let admin = app.sign_in(Some("physics"), "admin@physics.example", PASSWORD).await;
    let audit: Value = app.json_of(&admin, "/api/v1/org/audit?action=attempt.apply_late_items").await;
    assert_eq!(audit.as_array().unwrap().len(), 1, "{audit}");
    app.stop().await;
}

#[tokio::test]
async fn a_sequence_announced_early_and_filled_in_late_with_other_content_is_refused_and_quarantined() {
    let (app, w, clock, mut client) = setup().await;
    let question = client.question(0);
    client.type_text(&question, "a");
    client.flush(&app).await;
    // Before the deadline: announce items 2-3 of some content...
    let honest = (client.seq, client.chain, client.codes.clone());
    client.type_text(&question, "bc");
    let commit = client.commitment();
    assert_eq!(client.post_raw(&app, &[], Some(commit)).await.status(), 200);
    // ...and after it send other content under the same numbers.
    (client.seq, client.chain, client.codes) = honest;
    client.queue.clear();
    client.edit_to(&question, "import os\nos.system('rm -rf /')\n");
    client.edit_to(&question, "print('answer copied in late')\n");
    clock.advance(PAST_DEADLINE);
    let answer = client.flush(&app).await;
    assert_eq!(answer["late"]["refused"], 2);
    assert_eq!(
        late_items(&app, &w, &client.attempt).await,
        [
            (2, "refused".to_owned(), Some("hash_mismatch".to_owned())),
            (3, "refused".to_owned(), Some("hash_mismatch".to_owned()))
        ],
    );
    let kept: i64 = app
        .state
        .registry()
        .org(w.physics)
        .await
        .unwrap()
        .read(|conn| {
            Ok(conn
                .query_row("SELECT count(*) FROM late_items WHERE payload LIKE '%copied in late%'", [], |r| r.get(0))?)
        })
        .await
        .unwrap();
    assert_eq!(kept, 1, "kept as evidence for the instructor");
    app.stop().await;
}

#[tokio::test]
async fn nothing_counts_after_the_late_window_under_a_refusing_policy_or_after_the_students_own_submission() {
    let (app, w, clock, mut client) = setup().await;
    let question = client.question(0);
    client.type_text(&question, "a");
    let sent = vec![client.queue[0].1.clone()];
    client.type_text(&question, "b");
    client.post_raw(&app, &sent, Some(client.commitment())).await;
    client.queue.remove(0);
    clock.advance(PAST_DEADLINE + Duration::from_secs(11 * 60));
    let answer = client.flush(&app).await;
    assert_eq!(answer["late"]["refused"], 1);
    assert_eq!(late_items(&app, &w, &client.attempt).await[0].2.as_deref(), Some("window_closed"));
    app.stop().await;

    let (app, w, _clock, mut client) = setup().await;
    let question = client.question(0);
    client.type_text(&question, "a");
    client.flush(&app).await;
    assert_eq!(client.submit(&app).await.status(), 200);
    let before = receipt_text(&app, &w).await;
    client.type_text(&question, "b");
    let answer = client.flush(&app).await;
    assert_eq!((answer["phase"].as_str(), answer["late"]["refused"].as_i64()), (Some("closed"), Some(1)));
    assert_eq!(late_items(&app, &w, &client.attempt).await[0].2.as_deref(), Some("after_submission"));
    assert_eq!(receipt_text(&app, &w).await, before, "the receipt never changes after submission");
    let db = app.state.registry().org(w.physics).await.unwrap();
    let tampered = db.write(|conn| Ok(conn.execute("UPDATE submission_answers SET code = 'forged'", [])?)).await;
    assert!(tampered.unwrap_err().to_string().contains("submissions are frozen"), "the database refuses");
    let deleted = db.write(|conn| Ok(conn.execute("DELETE FROM submissions", [])?)).await;
    assert!(deleted.unwrap_err().to_string().contains("submissions are frozen"));
    app.stop().await;
}

#[tokio::test]
async fn the_sweep_refuses_items_whose_commitment_never_completed_once_the_window_closes() {
    let (app, w, clock, mut client) = setup().await;
    let question = client.question(0);
    client.type_text(&question, "abc");
    client.post_raw(&app, &[], Some(client.commitment())).await;
    clock.advance(PAST_DEADLINE);
    client.post_raw(&app, &[client.queue[0].1.clone()], None).await;
    assert_eq!(late_items(&app, &w, &client.attempt).await[0].1, "pending");
    let db = app.state.registry().org(w.physics).await.unwrap();
    let later = STARTED + PAST_DEADLINE + Duration::from_secs(11 * 60);
    let window = time::Duration::minutes(10);
    db.write(move |conn| examhall::store::attempts::sweep(conn, later, window)).await.unwrap();
    assert_eq!(late_items(&app, &w, &client.attempt).await[0].2.as_deref(), Some("incomplete"));
    app.stop().await;
}

#[tokio::test]
async fn an_attempt_submitted_before_the_upgrade_is_frozen_with_its_receipt_by_the_upgrade() {
    use examhall::store::keys::DatabaseKey;
    use examhall::store::{attempts, connection, migrations};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("org.db");
    let key = DatabaseKey::generate();
    let mut conn = connection::open(&path, &key, true).unwrap();
    // The schema before frozen submissions: an attempt submitted at its deadline with one answer.
    let before = migrations::ORG.iter().position(|m| m.sql.contains("submissions")).expect("the autosave migration");
    migrations::run(&mut conn, &path, &migrations::ORG[..before]).unwrap();
    let (_, user, exam) =
        crate::upgrade::a_student_and_an_exam(&conn, STARTED, ("2026-06-01T08:00:00Z", "2026-06-01T17:00:00Z"));
    let question: String = conn.query_row("SELECT id FROM questions", [], |r| r.get(0)).unwrap();
    conn.execute_batch(&format!(
        "INSERT INTO exam_sessions (id, exam_id, user_id, secret_hash, started_at, deadline_at, submitted_at, submit_reason)
         VALUES ('01900000-0000-7000-8000-0000000000aa', '{exam}', '{}', x'00', '2026-06-01T09:00:00Z',
                 '2026-06-01T10:30:00Z', '2026-06-01T10:30:00Z', 'deadline');
         INSERT INTO answers (session_id, question_id, code, seq) VALUES ('01900000-0000-7000-8000-0000000000aa', '{question}', 'x = 42\n', 3);",
        user.id
    ))
    .unwrap();
    migrations::run(&mut conn, &path, migrations::ORG).unwrap();
    let id = examhall::domain::AttemptId::parse("01900000-0000-7000-8000-0000000000aa").unwrap();
    let stored = attempts::submissions::latest(&conn, id).unwrap().expect("frozen by the upgrade");
    assert_eq!((stored.receipt.number, stored.receipt.submitted_at.as_str()), (1, "2026-06-01T10:30:00.000Z"));
    assert_eq!(stored.receipt.answers[0].sha256, sha256("x = 42\n"));
    assert_eq!(stored.receipt.student.email, "student@physics.example");
}
