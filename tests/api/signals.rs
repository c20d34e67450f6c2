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
    assert_eq!(items[0]["kind"], "edit");
    assert_eq!(items[0]["applied"], true);
    assert!(items[0]["inserted"].as_u64().unwrap() >= 1);
    app.stop().await;
}
