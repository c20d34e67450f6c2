//! The case file an instructor hands to the exam board: the timeline, the
//! signals with their evidence and decisions, the similar pairs with their
//! fragments and decisions, the submission and its receipt; as one JSON
//! document and one archive. Generating it is audited.

use std::io::Read;

use serde_json::{Value, json};
use sha2::Digest;

use crate::exam_client::ExamClient;
use crate::helpers::spawn_app;
use crate::people::world;

#[tokio::test]
async fn a_case_file_holds_the_evidence_and_decisions_and_its_archive_the_exact_receipts() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let mut client = ExamClient::student(&app, &w).await;
    let question = client.question(0);
    client.type_text(&question, "# mine");
    let outside = "z = 3\n".repeat(50);
    client.event_on(&question, "paste", &json!({ "size": outside.len(), "text": outside }));
    client.flush(&app).await;
    let attempt = client.attempt.clone();
    let signals: Value =
        app.as_(&w.reviewer).signals(w.course, w.open_exam, attempt.clone()).await.json().await.unwrap();
    let key = signals[0]["key"].as_str().unwrap().to_owned();
    let noted = json!({ "signal": key, "decision": "referred", "comment": "for the board" });
    assert_eq!(app.as_(&w.reviewer).review_signal(w.course, w.open_exam, attempt.clone(), noted).await.status(), 201);
    let receipt: Value = client.submit(&app).await.json().await.unwrap();
    let note = json!({ "student_id": w.student_user, "note": "Left the room twice." });
    assert_eq!(app.as_(&w.proctor).add_incident(w.course, w.open_exam, note).await.status(), 201);

    let path = format!("/api/v1/courses/{}/exams/{}/attempts/{attempt}/case-file", w.course, w.open_exam);
    assert_eq!(app.as_(&w.proctor).raw(reqwest::Method::GET, &path, None).await.status(), 404, "not a proctor's");
    let file: Value = app.json_of(&w.instructor, &path).await;
    assert_eq!(file["format"], "examhall-case-file/1");
    assert!(file["notice"].as_str().unwrap().contains("decides nothing"));
    assert_eq!(file["student"]["email"], "student@physics.example");
    assert_eq!(file["signals"][0]["kind"], "large_paste");
    assert_eq!(file["signals"][0]["reviews"][0]["decision"], "referred", "with the decisions on it");
    assert_eq!(file["submissions"][0]["sha256"], receipt["sha256"], "the receipt the student got");
    let kinds: Vec<&str> = file["timeline"].as_array().unwrap().iter().map(|i| i["kind"].as_str().unwrap()).collect();
    assert!(
        kinds.contains(&"paste") && kinds.contains(&"incident_note") && kinds.contains(&"attempt.submit"),
        "{kinds:?}"
    );
    assert!(file["answers"][0]["code"].as_str().unwrap().ends_with("# mine"), "the code the server holds");

    let archive = app.as_(&w.reviewer).raw(reqwest::Method::GET, &format!("{path}.tar"), None).await;
    assert_eq!(archive.status(), 200);
    assert_eq!(archive.headers()["content-type"], "application/x-tar");
    assert!(archive.headers()["content-disposition"].to_str().unwrap().starts_with("attachment;"));
    let bytes = archive.bytes().await.unwrap();
    let mut members = std::collections::BTreeMap::new();
    for entry in tar::Archive::new(&bytes[..]).entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().to_string_lossy().into_owned();
        let mut text = String::new();
        entry.read_to_string(&mut text).unwrap();
        members.insert(name, text);
    }
    let names: Vec<&str> = members.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "case-file/case-file.html",
            "case-file/case-file.json",
            "case-file/code/question-1.py",
            "case-file/receipts/submission-1.json"
        ]
    );
    let stored = &members["case-file/receipts/submission-1.json"];
    assert_eq!(hex::encode(sha2::Sha256::digest(stored.as_bytes())), receipt["sha256"], "the exact receipt text");
    let page = &members["case-file/case-file.html"];
    assert!(page.contains("Left the room twice.") && page.contains("for the board") && !page.contains("<script"));

    let audit: Value = app.json_of(&w.admin, "/api/v1/org/audit?action=case_file.generate").await;
    assert_eq!(audit.as_array().unwrap().len(), 2, "each generation is audited");
    assert_eq!(audit[0]["actor_label"], "reviewer@physics.example");
    app.stop().await;
}
