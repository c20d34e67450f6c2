//! The signals and similarity exports: every signal and pair the API shows,
//! each with its decisions, oldest first.

use std::collections::BTreeSet;

use examhall::domain::Role;
use examhall::store::courses::GrantTarget;
use serde_json::{Value, json};

use super::{csv_of, json_of};
use crate::exam_client::ExamClient;
use crate::helpers::spawn_app;
use crate::people::{PASSWORD, world};

#[tokio::test]
async fn signals_come_with_their_review_history_oldest_first() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let mut client = ExamClient::student(&app, &w).await;
    let question = client.question(0);
    let outside = "x = 1\n".repeat(50);
    client.event_on(&question, "paste", &json!({ "size": outside.len(), "text": outside }));
    client.flush(&app).await;
    assert_eq!(app.as_(&w.student).start(w.open_exam).await.status(), 409, "a second computer");
    app.state.refusals().flush(app.state.clock().now()).await;
    let signals: Value =
        app.as_(&w.reviewer).signals(w.course, w.open_exam, &client.attempt).await.json().await.unwrap();
    let paste = signals.as_array().unwrap().iter().find(|s| s["kind"] == "large_paste").unwrap();
    let key = paste["key"].as_str().unwrap().to_owned();
    for (caller, decision) in [(&w.reviewer, "noted"), (&w.instructor, "referred")] {
        let body = json!({ "signal": key, "decision": decision, "comment": format!("{decision} it") });
        let response = app.as_(caller).review_signal(w.course, w.open_exam, &client.attempt, body).await;
        assert_eq!(response.status(), 201);
    }

    let exported = csv_of(&app, &w, "signals.csv").await;
    let kinds: BTreeSet<&str> = exported.column("kind").into_iter().collect();
    assert_eq!(kinds, ["large_paste", "second_device"].into_iter().collect(), "every signal the API shows");
    let pasted = exported.rows_where("signal", &key);
    let decisions: Vec<&str> = pasted.iter().map(|row| row[exported.at("review_decision")].as_str()).collect();
    assert_eq!(decisions, ["noted", "referred"], "one row per decision, oldest first");
    assert_eq!(pasted[0][exported.at("reviewed_by_name")], "reviewer@physics.example");
    assert_eq!(pasted[0][exported.at("evidence_seqs")], paste["evidence"][0]["seq"].to_string());
    let device = exported.rows_where("kind", "second_device");
    assert_eq!(device.len(), 1);
    assert_eq!(device[0][exported.at("review_decision")], "", "no decision yet: one row, review columns empty");
    let as_json = json_of(&app, &w, "signals.json").await;
    assert_eq!(as_json.len(), exported.rows.len());
    assert!(as_json.iter().all(|s| s["derived"] == true));
    app.stop().await;
}

#[tokio::test]
async fn similar_pairs_come_with_their_decisions() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let code =
        "def add(a, b):\n    total = 0\n    for value in (a, b):\n        total = total + value\n    return total\n";
    let mut question = String::new();
    for email in ["student@physics.example", "twin@physics.example"] {
        if email != "student@physics.example" {
            app.add_person(w.physics, email, Role::Student, GrantTarget::Section(w.section)).await;
        }
        let caller = app.sign_in(Some("physics"), email, PASSWORD).await;
        let mut client = ExamClient::start(&app, &caller, &w.open_exam.to_string()).await;
        question = client.question(0);
        client.edit_to(&question, code);
        client.flush(&app).await;
        assert_eq!(client.submit(&app).await.status(), 200);
    }
    assert_eq!(app.as_(&w.instructor).run_similarity(w.course, w.open_exam, &question).await.status(), 201);
    let found: Value = app.as_(&w.reviewer).similarity(w.course, w.open_exam, &question).await.json().await.unwrap();
    let pairs = found["run"]["report"]["pairs"].as_array().unwrap().clone();
    assert_eq!(pairs.len(), 1, "{found}");
    let pair = json!([pairs[0]["a"], pairs[0]["b"]]);
    let body = json!({ "question_id": question, "attempts": pair, "decision": "dismissed", "comment": "same lecture" });
    assert_eq!(app.as_(&w.reviewer).review_pair(w.course, w.open_exam, body).await.status(), 201);

    let exported = csv_of(&app, &w, "similarity.csv").await;
    assert_eq!(exported.rows.len(), 1, "one pair, one decision");
    let row = &exported.rows[0];
    let pair_ids: BTreeSet<&str> =
        [row[exported.at("attempt_a")].as_str(), row[exported.at("attempt_b")].as_str()].into();
    let run_ids: BTreeSet<&str> = [pairs[0]["a"].as_str().unwrap(), pairs[0]["b"].as_str().unwrap()].into();
    assert_eq!(pair_ids, run_ids);
    assert_eq!(row[exported.at("question_id")], question);
    assert_eq!(row[exported.at("run_id")], found["run"]["id"].as_str().unwrap());
    assert_eq!(row[exported.at("review_decision")], "dismissed");
    assert_eq!(row[exported.at("in_latest_run")], "true");
    let emails: BTreeSet<&str> =
        [row[exported.at("student_a_email")].as_str(), row[exported.at("student_b_email")].as_str()].into();
    assert_eq!(emails, ["student@physics.example", "twin@physics.example"].into());
    let as_json = json_of(&app, &w, "similarity.json").await;
    assert_eq!(as_json[0]["score"], pairs[0]["score"], "the run's score, as a number");
    app.stop().await;
}
