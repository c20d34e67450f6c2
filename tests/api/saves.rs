//! The save protocol before the deadline (docs/autosave.md): change sets the
//! server applies and verifies, a contiguous log, bounded items and batches,
//! and a quota per attempt.

use examhall::domain::autosave::MAX_BATCH_ITEMS;
use examhall::store::Database;
use reqwest::Method;
use serde_json::{Value, json};

use crate::exam_client::{AT, ExamClient};
use crate::helpers::{TestApp, spawn_app, spawn_app_with};
use crate::people::{World, world};

async fn org_db(app: &TestApp, w: &World) -> Database {
    app.state.registry().org(w.physics).await.unwrap()
}

/// (items in the log, bytes stored) of the only attempt.
async fn stored(db: &Database) -> (i64, i64) {
    db.read(|conn| {
        Ok(conn.query_row("SELECT (SELECT count(*) FROM session_log), stored_bytes FROM exam_sessions", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?)
    })
    .await
    .unwrap()
}

async fn problem_type(response: reqwest::Response) -> String {
    let problem: Value = response.json().await.unwrap();
    problem["type"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn edits_travel_as_change_sets_and_the_server_rebuilds_and_verifies_the_code() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let db = org_db(&app, &w).await;
    let mut client = ExamClient::student(&app, &w).await;
    let question = client.question(0);
    // Typed one character at a time into the starter code, with an astral
    // character (two UTF-16 units) and a replaced line on the way.
    client.type_text(&question, "# 😀 é\n");
    client.edit_to(&question, "def add(a, b):\n    return a + b\n# 😀 é\n");
    client.snapshot(&question);
    let answer = client.flush(&app).await;
    assert_eq!(answer["acked_seq"], client.seq);
    let code: String = db.read(|conn| Ok(conn.query_row("SELECT code FROM answers", [], |r| r.get(0))?)).await.unwrap();
    assert_eq!(code, client.codes[&question], "the server's rebuild is the editor's code");
    let unverified: i64 = db
        .read(|conn| Ok(conn.query_row("SELECT count(*) FROM session_log WHERE applied = 0", [], |r| r.get(0))?))
        .await
        .unwrap();
    assert_eq!(unverified, 0, "every edit applied and the snapshot matched");

    // A snapshot that the log does not reproduce: the student saw it, so it
    // is the answer now, and the mismatch stays in the log for people to see.
    client.codes.insert(question.clone(), "print('appeared from nowhere')\n".to_owned());
    client.snapshot(&question);
    client.flush(&app).await;
    let (code, mismatches): (String, i64) = db
        .read(|conn| {
            Ok(conn.query_row(
                "SELECT (SELECT code FROM answers), (SELECT count(*) FROM session_log WHERE kind = 'snapshot' AND applied = 0)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?)
        })
        .await
        .unwrap();
    assert_eq!((code.as_str(), mismatches), ("print('appeared from nowhere')\n", 1));
    app.stop().await;
}

#[tokio::test]
async fn a_change_set_made_for_another_text_is_kept_in_the_log_but_not_applied() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let db = org_db(&app, &w).await;
    let mut client = ExamClient::student(&app, &w).await;
    let question = client.question(0);
    client.queue_item(json!({ "kind": "edit", "question_id": question, "client_at": AT, "changes": [[999, "x"]] }));
    client.edit_to(&question, "def add(a, b):\n    pass\n!");
    assert_eq!(client.flush(&app).await["acked_seq"], 2);
    let (code, applied): (String, String) = db
        .read(|conn| {
            Ok(conn.query_row(
                "SELECT (SELECT code FROM answers), (SELECT group_concat(applied) FROM session_log ORDER BY seq)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?)
        })
        .await
        .unwrap();
    assert_eq!((code.as_str(), applied.as_str()), ("def add(a, b):\n    pass\n!", "0,1"));
    app.stop().await;
}

#[tokio::test]
async fn a_batch_must_continue_the_log_duplicates_are_ignored_and_a_gap_says_where_to_resume() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let db = org_db(&app, &w).await;
    let mut client = ExamClient::student(&app, &w).await;
    let question = client.question(0);
    client.type_text(&question, "abcd");
    let raws: Vec<String> = client.queue.iter().map(|(_, raw)| raw.clone()).collect();
    let first_two = client.post_raw(&app, &raws[..2], None).await;
    assert_eq!(first_two.json::<Value>().await.unwrap()["acked_seq"], 2);

    let gap = client.post_raw(&app, &raws[3..], None).await;
    assert_eq!(gap.status(), 409, "item 3 is missing");
    let problem: Value = gap.json().await.unwrap();
    assert_eq!(
        (problem["type"].as_str(), problem["acked_seq"].as_i64()),
        (Some("urn:examhall:problem:sequence-gap"), Some(2))
    );
    let swapped = client.post_raw(&app, &[raws[3].clone(), raws[2].clone()], None).await;
    assert_eq!(swapped.status(), 409, "out of order within a batch");
    assert_eq!(stored(&db).await.0, 2, "nothing of a refused batch is stored");

    let again = client.post_raw(&app, &raws, None).await.json::<Value>().await.unwrap();
    assert_eq!(again["acked_seq"], 4, "the items already held are skipped, the rest stored");
    let resent = client.post_raw(&app, &raws, None).await.json::<Value>().await.unwrap();
    assert_eq!(resent["acked_seq"], 4);
    assert_eq!(stored(&db).await.0, 4, "a resent batch is not stored twice");
    let zero = client.post_raw(&app, &[json!({"seq": 0, "kind": "reload", "client_at": AT}).to_string()], None).await;
    assert_eq!(zero.status(), 422, "sequence numbers start at 1");
    app.stop().await;
}

#[tokio::test]
async fn every_field_of_an_item_is_bounded_and_a_bad_item_refuses_its_whole_batch() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let db = org_db(&app, &w).await;
    let mut client = ExamClient::student(&app, &w).await;
    let question = client.question(0);
    let good = client.edit_to(&question, "x");
    let bad_items = [
        json!({ "seq": 2, "kind": "keylogger_dump", "client_at": AT }),
        json!({ "seq": 2, "kind": "paste", "client_at": AT, "data": { "text": "y".repeat(1024 * 1024) } }),
        json!({ "seq": 2, "kind": "edit", "question_id": question, "client_at": AT, "changes": [1, [0, "x"]], "code": "x" }),
        json!({ "seq": 2, "kind": "focus_lost", "client_at": AT, "data": "not an object" }),
        json!({ "seq": 2, "kind": "focus_lost", "client_at": AT, "extra": true }),
    ];
    for bad in bad_items {
        let text = bad.to_string();
        let response = client.post_raw(&app, &[good.clone(), text.clone()], None).await;
        assert_eq!(response.status(), 422, "{}", text.chars().take(100).collect::<String>());
    }
    let many: Vec<String> = (1..=i64::try_from(MAX_BATCH_ITEMS).unwrap() + 1)
        .map(|seq| json!({ "seq": seq, "kind": "resize", "client_at": AT }).to_string())
        .collect();
    assert_eq!(client.post_raw(&app, &many, None).await.status(), 422, "more than {MAX_BATCH_ITEMS} items");
    let huge = client.post_raw(&app, &["x".repeat(3 * 1024 * 1024)], None).await;
    assert_eq!(huge.status(), 413, "a body over the server's limit");
    assert_eq!(huge.headers()["content-type"], "application/problem+json");
    assert_eq!(stored(&db).await, (0, 0), "nothing of any refused batch is stored");

    // A change set that would make the answer longer than an answer may be
    // stays in the log, but the answer does not grow.
    let long = "z".repeat(100_001);
    client.queue.clear();
    client.seq = 0;
    client.chain =
        examhall::domain::autosave::chain_start(examhall::domain::AttemptId::parse(&client.attempt).unwrap());
    client.codes.insert(question.clone(), "def add(a, b):\n    pass\n".to_owned());
    client.edit_to(&question, &long);
    client.flush(&app).await;
    let (answers, unapplied): (i64, i64) = db
        .read(|conn| {
            Ok(conn.query_row(
                "SELECT (SELECT count(*) FROM answers), (SELECT count(*) FROM session_log WHERE applied = 0)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?)
        })
        .await
        .unwrap();
    assert_eq!((answers, unapplied), (0, 1), "the too-long edit is in the log but did not apply");
    app.stop().await;
}

#[tokio::test]
async fn an_attempt_past_its_quota_is_refused_clearly_and_keeps_what_it_stored() {
    let app = spawn_app_with(crate::helpers::exam_day(), |config| config.exams.attempt_quota_mib = 1).await;
    let w = world(&app).await;
    let db = org_db(&app, &w).await;
    let mut client = ExamClient::student(&app, &w).await;
    let text = "p".repeat(250 * 1024);
    for _ in 0..4 {
        client.event("paste", &json!({ "size": text.len(), "text": text }));
        client.flush(&app).await;
    }
    let (items, bytes) = stored(&db).await;
    assert_eq!(items, 4);
    client.event("paste", &json!({ "size": text.len(), "text": text }));
    let refused = client.post_raw(&app, &[client.queue[0].1.clone()], None).await;
    assert_eq!(refused.status(), 422);
    let problem: Value = refused.json().await.unwrap();
    assert_eq!(problem["type"], "urn:examhall:problem:save-quota");
    assert!(problem["detail"].as_str().unwrap().contains("ask a proctor"), "{problem}");
    assert_eq!(stored(&db).await, (items, bytes), "what was stored stays, nothing more is added");
    app.stop().await;
}

#[tokio::test]
async fn bytes_stored_per_typed_character_stay_small_whatever_the_answer_length() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let db = org_db(&app, &w).await;
    let mut client = ExamClient::student(&app, &w).await;
    let question = client.question(0);
    // A 6 KB answer, then 100 more characters typed into it.
    client.edit_to(&question, &"x = 1  # a line of a long answer\n".repeat(190));
    client.flush(&app).await;
    let (_, before) = stored(&db).await;
    client.type_text(&question, &"y".repeat(100));
    client.flush(&app).await;
    let (_, after) = stored(&db).await;
    let per_char = (after - before) / 100;
    assert!(per_char < 200, "{per_char} bytes stored per typed character in a 6 KB answer");
    app.stop().await;
}

#[tokio::test]
async fn saves_need_json_and_a_signed_in_student_of_the_exam() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let client = ExamClient::student(&app, &w).await;
    let form = app
        .client
        .post(app.url(&format!("{}/saves", client.base)))
        .header("cookie", &client.caller.cookie)
        .header("x-csrf-token", &client.caller.csrf)
        .header("x-exam-secret", &client.secret)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("items=")
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 415);
    let malformed = client.post(&app, "saves", "{\"items\": [".to_owned()).await;
    assert_eq!(
        (malformed.status().as_u16(), problem_type(malformed).await.as_str()),
        (400, "urn:examhall:problem:bad-request")
    );
    // Without a secret, as a browser that never started it would send it.
    let saves = format!("{}/saves", client.base);
    let other = app.as_(&w.other_student).raw(Method::POST, &saves, Some(json!({ "items": [] }))).await;
    assert_eq!(other.status(), 404, "a student of another section does not see the exam");
    app.stop().await;
}
