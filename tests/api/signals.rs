//! An attempt's signals, as its instructor and reviewers read them: derived
//! on the server from the saved log and the audit log, with the items
//! behind them, at the severities of the exam's policy.

use serde_json::{Value, json};

use crate::exam_client::ExamClient;
use crate::helpers::spawn_app;
use crate::people::world;

#[tokio::test]
async fn a_paste_from_outside_and_a_second_computer_become_signals_with_their_evidence() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let mut client = ExamClient::student(&app, &w).await;
    let question = client.question(0);
    client.type_text(&question, "# my own notes");
    client.event_on(&question, "copy", &json!({ "size": 14, "text": "# my own notes" }));
    client.event_on(&question, "paste", &json!({ "size": 14, "text": "# my own notes" }));
    let outside = "x = 1\n".repeat(50);
    client.event_on(&question, "paste", &json!({ "size": outside.len(), "text": outside }));
    client.flush(&app).await;
    let paste_seq = client.seq;
    for _ in 0..2 {
        assert_eq!(app.as_(&w.student).start(w.open_exam).await.status(), 409, "another computer is refused");
    }
    app.state.refusals().flush(app.state.clock().now()).await;

    let read = |caller| app.as_(caller).signals(w.course, w.open_exam, client.attempt.clone());
    let response = read(&w.reviewer).await;
    assert_eq!(response.status(), 200, "reviewers read the evidence");
    let signals: Value = response.json().await.unwrap();
    let kinds: Vec<(&str, &str)> = signals
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["kind"].as_str().unwrap(), s["severity"].as_str().unwrap()))
        .collect();
    assert_eq!(kinds, [("second_device", "high"), ("large_paste", "medium")], "{signals}");
    assert!(signals[0]["summary"].as_str().unwrap().contains("2 time(s)"), "{signals}");
    let paste = &signals[1];
    assert_eq!(paste["question_id"], question.as_str());
    assert_eq!(paste["evidence"][0]["seq"], paste_seq, "the paste event, not the student's own text moved about");
    assert!(paste["evidence"][0]["server_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(read(&w.proctor).await.status(), 404, "proctors do not review signals");
    app.stop().await;
}

#[tokio::test]
async fn staff_read_a_students_code_and_log_and_each_viewing_is_audited_once() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let mut client = ExamClient::student(&app, &w).await;
    let question = client.question(0);
    client.type_text(&question, "# mine");
    client.event_on(&question, "run", &json!({ "status": "ok", "ms": 12 }));
    client.flush(&app).await;

    let code = |caller| app.as_(caller).code(w.course, w.open_exam, client.attempt.clone());
    let read: Value = code(&w.instructor).await.json().await.unwrap();
    assert_eq!(read["email"], "student@physics.example");
    assert!(read["answers"][0]["code"].as_str().unwrap().ends_with("# mine"), "{read}");
    assert_eq!(code(&w.instructor).await.status(), 200, "a refresh");
    assert_eq!(code(&w.reviewer).await.status(), 200);
    assert_eq!(code(&w.proctor).await.status(), 404, "proctors see status, not code");
    let viewed: Value = app.json_of(&w.admin, "/api/v1/org/audit?action=attempt.view").await;
    let viewers: Vec<&str> = viewed.as_array().unwrap().iter().map(|e| e["actor_label"].as_str().unwrap()).collect();
    assert_eq!(
        viewers,
        ["reviewer@physics.example", "instructor@physics.example"],
        "once per viewing, not per refresh"
    );

    let timeline: Value =
        app.as_(&w.reviewer).timeline(w.course, w.open_exam, client.attempt.clone()).await.json().await.unwrap();
    let items = timeline.as_array().unwrap();
    let kinds: Vec<&str> = items.iter().map(|i| i["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds.last(), Some(&"run"), "{timeline}");
    assert_eq!(items.last().unwrap()["details"], json!({ "status": "ok", "ms": 12 }));
    assert_eq!((items[0]["source"].as_str(), items[0]["kind"].as_str()), (Some("server"), Some("attempt.start")));
    assert_eq!(items[1]["kind"], "edit");
    assert_eq!(items[1]["applied"], true);
    assert!(items[1]["inserted"].as_u64().unwrap() >= 1);
    app.stop().await;
}

#[tokio::test]
async fn decisions_on_a_signal_are_appended_with_who_and_when_and_never_changed() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let client = ExamClient::student(&app, &w).await;
    assert_eq!(app.as_(&w.student).start(w.open_exam).await.status(), 409, "a second computer");
    app.state.refusals().flush(app.state.clock().now()).await;
    let attempt = client.attempt.clone();
    let review = |caller, body| app.as_(caller).review_signal(w.course, w.open_exam, attempt.clone(), body);

    let noted = json!({"signal": "second_device", "decision": "noted", "comment": "her laptop died; proctor saw it"});
    assert_eq!(review(&w.reviewer, noted).await.status(), 201, "reviewers review");
    let referred =
        json!({"signal": "second_device", "decision": "referred", "comment": "on reflection, for the board"});
    assert_eq!(review(&w.instructor, referred).await.status(), 201);
    let unknown = json!({"signal": "large_paste:1", "decision": "noted", "comment": ""});
    assert_eq!(review(&w.instructor, unknown).await.status(), 404, "only a signal the attempt has");
    let wrong = json!({"signal": "second_device", "decision": "guilty", "comment": ""});
    assert_eq!(review(&w.instructor, wrong).await.status(), 422, "no verdicts");
    let long = json!({"signal": "second_device", "decision": "noted", "comment": "x".repeat(4_001)});
    assert_eq!(review(&w.instructor, long).await.status(), 422);
    assert_eq!(review(&w.proctor, json!({"signal": "second_device", "decision": "noted"})).await.status(), 404);

    let signals: Value =
        app.as_(&w.reviewer).signals(w.course, w.open_exam, attempt.clone()).await.json().await.unwrap();
    let reviews = &signals[0]["reviews"];
    assert_eq!(signals[0]["key"], "second_device");
    assert_eq!(
        (reviews[0]["decision"].as_str(), reviews[1]["decision"].as_str()),
        (Some("referred"), Some("noted")),
        "newest first"
    );
    assert_eq!(reviews[1]["made_by_name"], "reviewer@physics.example");
    let audit: Value = app.json_of(&w.admin, "/api/v1/org/audit?action=signal.review").await;
    assert_eq!(audit.as_array().unwrap().len(), 2);
    assert_eq!(
        audit[0]["details"],
        json!({ "signal": "second_device", "decision": "referred" }),
        "no comment text in the log"
    );

    let db = app.state.registry().org(w.physics).await.unwrap();
    let changed = db.write(|conn| Ok(conn.execute("UPDATE signal_reviews SET decision = 'dismissed'", [])?)).await;
    assert!(changed.is_err(), "the database refuses to change a decision");
    let removed = db.write(|conn| Ok(conn.execute("DELETE FROM signal_reviews", [])?)).await;
    assert!(removed.is_err(), "or to remove one");
    app.stop().await;
}

#[tokio::test]
async fn the_replay_holds_every_edit_from_the_starter_code_and_the_submission_it_must_explain() {
    use examhall::domain::changeset::ChangeSet;
    let app = spawn_app().await;
    let w = world(&app).await;
    let mut client = ExamClient::student(&app, &w).await;
    let question = client.question(0);
    client.type_text(&question, "ab");
    client.edit_to(&question, "def add(a, b):\n    return a + b\n");
    client.flush(&app).await;
    assert_eq!(client.submit(&app).await.status(), 200);

    let replay: Value =
        app.as_(&w.reviewer).replay(w.course, w.open_exam, client.attempt.clone()).await.json().await.unwrap();
    let first = &replay["questions"][0];
    assert_eq!(first["question_id"], question.as_str());
    // Applying every edit to the starter code, as the replay page does, gives the submission.
    let mut code = first["starter_code"].as_str().unwrap().to_owned();
    for edit in first["edits"].as_array().unwrap() {
        code = ChangeSet::from_json(&edit["changes"]).unwrap().apply(&code).unwrap();
    }
    assert_eq!(code, "def add(a, b):\n    return a + b\n");
    assert_eq!(first["submitted"].as_str(), Some(code.as_str()), "the history explains the submission");
    assert_eq!(replay["submitted_at_seq"], client.seq);
    // The server replays it too: an honest history raises no mismatch.
    let signals: Value =
        app.as_(&w.reviewer).signals(w.course, w.open_exam, client.attempt.clone()).await.json().await.unwrap();
    assert!(!signals.to_string().contains("history_mismatch"), "{signals}");
    // A frozen answer the history cannot produce (written into the file by
    // someone holding its key, past the trigger that freezes it) is raised.
    let db = app.state.registry().org(w.physics).await.unwrap();
    let tamper = "DROP TRIGGER submission_answers_are_frozen; UPDATE submission_answers SET code = 'print(42)\n';";
    db.write(move |conn| Ok(conn.execute_batch(tamper)?)).await.unwrap();
    let signals: Value =
        app.as_(&w.reviewer).signals(w.course, w.open_exam, client.attempt.clone()).await.json().await.unwrap();
    assert!(signals.to_string().contains("does not reproduce the submitted code"), "{signals}");
    app.stop().await;
}
