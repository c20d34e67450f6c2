//! Similarity in the exam's review: stored runs per question (one by itself
//! when the exam closes, more on demand), each pair named by its two
//! attempts, and people's decisions on pairs, appended and audited.

use std::sync::Arc;
use std::time::Duration;

use examhall::clock::ManualClock;
use examhall::domain::Role;
use examhall::store::courses::GrantTarget;
use serde_json::{Value, json};

use crate::exam_client::ExamClient;
use crate::helpers::{EXAM_DAY, TestApp, restart, spawn_app, spawn_app_with_clock};
use crate::people::{Caller, PASSWORD, World, world};

/// The student's own work: `add`, and a Collatz step counter.
const ORIGINAL: &str = "def add(a, b):
    total = 0
    for value in (a, b):
        if value is not None:
            total = total + value
    return total


def collatz_steps(n):
    steps = 0
    while n != 1:
        if n % 2 == 0:
            n = n // 2
        else:
            n = 3 * n + 1
        steps += 1
    return steps
";

/// An `add` of the copier's own, then the original's counter renamed: the planted copy.
const COPY: &str = "def add(a, b):
    return sum([a, b])


def count_moves(value):
    moves = 0
    while value != 1:
        if value % 2 == 0:
            value = value // 2
        else:
            value = 3 * value + 1
        moves += 1
    return moves
";

const HONEST: &str = "def add(a, b):
    result = a
    result += b
    return result
";

/// Three submissions of the open exam's first question, one a planted copy of another's.
struct Planted {
    question: String,
    original: String,
    copy: String,
    honest: String,
}

async fn plant(app: &TestApp, w: &World) -> Planted {
    let mut attempts = Vec::new();
    let mut question = String::new();
    for (email, code) in
        [("student@physics.example", ORIGINAL), ("copier@physics.example", COPY), ("honest@physics.example", HONEST)]
    {
        if email != "student@physics.example" {
            app.add_person(w.physics, email, Role::Student, GrantTarget::Section(w.section)).await;
        }
        let caller = app.sign_in(Some("physics"), email, PASSWORD).await;
        let mut client = ExamClient::start(app, &caller, &w.open_exam.to_string()).await;
        question = client.question(0);
        client.edit_to(&question, code);
        client.flush(app).await;
        assert_eq!(client.submit(app).await.status(), 200);
        attempts.push(client.attempt.clone());
    }
    let [original, copy, honest] = attempts.try_into().unwrap();
    Planted { question, original, copy, honest }
}

/// The question's similarity as `caller` reads it.
async fn similarity(app: &TestApp, caller: &Caller, w: &World, question: &str) -> Value {
    let response = app.as_(caller).similarity(w.course, w.open_exam, question).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// Waits (at most 10 s) until the question has a run: the job at the close
/// makes it by itself, a moment after the clock passed the close.
async fn first_run(app: &TestApp, caller: &Caller, w: &World, question: &str) -> Value {
    let wait = async {
        loop {
            let found = similarity(app, caller, w, question).await;
            if !found["run"].is_null() {
                return found;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(10), wait).await.expect("a run within 10 s of the close")
}

/// The pair of the planted copy (either order) tops the run, scores high,
/// and its first fragment covers the counter on both sides.
fn assert_copy_on_top(found: &Value, planted: &Planted) {
    let report = &found["run"]["report"];
    let top = &report["pairs"][0];
    let mut pair = [top["a"].as_str().unwrap(), top["b"].as_str().unwrap()];
    pair.sort_unstable();
    let mut planted_pair = [planted.original.as_str(), planted.copy.as_str()];
    planted_pair.sort_unstable();
    assert_eq!(pair, planted_pair, "the planted copy tops the list: {top}");
    assert!(top["score"].as_f64().unwrap() > 0.5, "{top}");
    assert_eq!(report["labels"][&planted.copy], "copier@physics.example <copier@physics.example>");
    assert_eq!(report["sources"][&planted.original], ORIGINAL, "the viewer gets the code to show");
    // The copied counter is lines 9-17 of the original and 5-13 of the copy.
    let (original_side, copy_side) = if top["a"] == planted.original.as_str() { ("a", "b") } else { ("b", "a") };
    let covers = |side: &str, from: u64, to: u64| {
        top["matches"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m[side]["start_line"].as_u64().unwrap() <= from && m[side]["end_line"].as_u64().unwrap() >= to)
    };
    assert!(covers(original_side, 10, 16) && covers(copy_side, 6, 12), "{}", top["matches"]);
    let mut honest_pairs =
        report["pairs"].as_array().unwrap().iter().filter(|p| p.to_string().contains(&planted.honest));
    assert!(honest_pairs.all(|p| p["score"].as_f64().unwrap() < top["score"].as_f64().unwrap()));
}

#[tokio::test]
async fn the_exam_closing_runs_similarity_by_itself_and_the_planted_copy_tops_it() {
    let clock = Arc::new(ManualClock::new(EXAM_DAY));
    let app = spawn_app_with_clock(clock.clone()).await;
    let w = world(&app).await;
    let planted = plant(&app, &w).await;
    let before = similarity(&app, &w.reviewer, &w, &planted.question).await;
    assert!(before["run"].is_null(), "nothing ran before the close: {before}");
    assert!(before["notice"].as_str().unwrap().contains("not a verdict"));

    // The open exam closes at 17:00; the late window (10 minutes) follows.
    clock.advance(Duration::from_secs(8 * 60 * 60));
    let reviewer = app.sign_in(Some("physics"), "reviewer@physics.example", PASSWORD).await;
    assert!(similarity(&app, &reviewer, &w, &planted.question).await["run"].is_null(), "the late window is open");
    clock.advance(Duration::from_secs(10 * 60 + 1));
    let found = first_run(&app, &reviewer, &w, &planted.question).await;
    assert_eq!(found["run"]["reason"], "exam_closed");
    assert!(found["run"]["requested_by"].is_null(), "the system ran it");
    assert_eq!(found["run"]["ran_at"], "2026-06-01T17:10:01.000Z");
    assert_copy_on_top(&found, &planted);

    let admin = app.sign_in(Some("physics"), "admin@physics.example", PASSWORD).await;
    let audit: Value = app.json_of(&admin, "/api/v1/org/audit?action=similarity.run").await;
    let entries = audit.as_array().unwrap();
    assert_eq!(entries.len(), 1, "once per question: {audit}");
    assert_eq!(entries[0]["actor_label"], "examhall");
    assert_eq!(entries[0]["details"]["reason"], "exam_closed");
    assert_eq!(entries[0]["details"]["submissions"], 3);
    app.stop().await;
}

#[tokio::test]
async fn a_restart_after_the_close_still_runs_the_closed_exam_once() {
    // The exam is closed early at 08:45, and the server stops before its
    // late window ends; the server that starts at 09:00 finds it due.
    let clock = Arc::new(ManualClock::new(EXAM_DAY - time::Duration::minutes(15)));
    let app = spawn_app_with_clock(clock.clone()).await;
    let w = world(&app).await;
    let planted = plant(&app, &w).await;
    assert_eq!(app.as_(&w.instructor).set_window(w.course, w.open_exam, json!({})).await.status(), 200);
    assert!(similarity(&app, &w.reviewer, &w, &planted.question).await["run"].is_null());
    let data_dir = app.stop().await;

    let app = restart(data_dir).await;
    let found = first_run(&app, &w.reviewer, &w, &planted.question).await;
    assert_eq!(found["run"]["reason"], "exam_closed");
    assert_copy_on_top(&found, &planted);
    let db = app.state.registry().org(w.physics).await.unwrap();
    let closing_runs: i64 = db
        .read(|conn| {
            Ok(conn.query_row("SELECT count(*) FROM similarity_runs WHERE reason = 'exam_closed'", [], |r| r.get(0))?)
        })
        .await
        .unwrap();
    assert_eq!(closing_runs, 1);
    app.stop().await;
}

#[tokio::test]
async fn staff_run_similarity_on_demand_and_a_request_that_waited_gets_the_run_that_began_after_it() {
    let clock = Arc::new(ManualClock::new(EXAM_DAY));
    let app = spawn_app_with_clock(clock.clone()).await;
    let w = world(&app).await;
    let planted = plant(&app, &w).await;
    let run = |caller| app.as_(caller).run_similarity(w.course, w.open_exam, &planted.question);

    let response = run(&w.reviewer).await;
    assert_eq!(response.status(), 201, "reviewers run it");
    let found: Value = response.json().await.unwrap();
    assert_eq!(found["run"]["reason"], "on_demand");
    assert_eq!(found["run"]["requested_by_name"], "reviewer@physics.example");
    assert_copy_on_top(&found, &planted);
    assert_eq!(similarity(&app, &w.instructor, &w, &planted.question).await["run"], found["run"], "stored");

    // Two at once: one runs, the other waits its turn and gets that run.
    clock.advance(Duration::from_secs(1));
    let (one, two) = tokio::join!(run(&w.instructor), run(&w.reviewer));
    let mut statuses = [one.status().as_u16(), two.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 201]);
    let (one, two): (Value, Value) = (one.json().await.unwrap(), two.json().await.unwrap());
    assert_eq!(one["run"]["id"], two["run"]["id"]);

    // Asked again and again, the question keeps its newest 10 runs on demand.
    for _ in 0..10 {
        clock.advance(Duration::from_secs(1));
        assert_eq!(run(&w.instructor).await.status(), 201);
    }
    let db = app.state.registry().org(w.physics).await.unwrap();
    let kept: i64 =
        db.read(|conn| Ok(conn.query_row("SELECT count(*) FROM similarity_runs", [], |r| r.get(0))?)).await.unwrap();
    assert_eq!(kept, 10);
    let audit: Value = app.json_of(&w.admin, "/api/v1/org/audit?action=similarity.run").await;
    assert_eq!(audit.as_array().unwrap().len(), 12, "every run is audited");
    assert_eq!(audit[0]["actor_label"], "instructor@physics.example");

    let unknown = app.as_(&w.reviewer).run_similarity(w.course, w.open_exam, examhall::domain::QuestionId::generate());
    assert_eq!(unknown.await.status(), 404);
    let draft_question = app.as_(&w.reviewer).run_similarity(w.course, w.exam, &planted.question);
    assert_eq!(draft_question.await.status(), 404, "a question of another exam");
    for caller in [&w.proctor, &w.student] {
        assert_eq!(run(caller).await.status(), 404, "proctors and students do not compare code");
        let read = app.as_(caller).similarity(w.course, w.open_exam, &planted.question).await;
        assert_eq!(read.status(), 404);
    }
    app.stop().await;
}

#[tokio::test]
async fn decisions_on_a_pair_are_appended_with_who_and_when_and_audited_without_the_comment() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let planted = plant(&app, &w).await;
    let review = |caller, body| app.as_(caller).review_pair(w.course, w.open_exam, body);
    let pair = json!([planted.original, planted.copy]);
    let noted = json!({"question_id": planted.question, "attempts": pair, "decision": "noted",
        "comment": "the counter is from the lecture notes"});
    assert_eq!(review(&w.reviewer, noted.clone()).await.status(), 404, "no run holds the pair yet");

    assert_eq!(app.as_(&w.reviewer).run_similarity(w.course, w.open_exam, &planted.question).await.status(), 201);
    let response = review(&w.reviewer, noted).await;
    assert_eq!(response.status(), 201, "reviewers decide");
    let made: Value = response.json().await.unwrap();
    assert_eq!(made["made_by_name"], "reviewer@physics.example");
    assert!(made["made_at"].as_str().unwrap().ends_with('Z'));
    // The other order names the same pair.
    let referred = json!({"question_id": planted.question, "attempts": [planted.copy, planted.original],
        "decision": "referred", "comment": "on reflection, for the board"});
    assert_eq!(review(&w.instructor, referred).await.status(), 201);

    let found = similarity(&app, &w.reviewer, &w, &planted.question).await;
    let reviews = found["reviews"].as_array().unwrap();
    let decisions: Vec<(&str, &str)> =
        reviews.iter().map(|r| (r["decision"].as_str().unwrap(), r["made_by_name"].as_str().unwrap())).collect();
    assert_eq!(
        decisions,
        [("referred", "instructor@physics.example"), ("noted", "reviewer@physics.example")],
        "newest first, with who"
    );
    let mut sorted = [planted.original.clone(), planted.copy.clone()];
    sorted.sort_unstable();
    assert_eq!(reviews[0]["attempts"], json!(sorted), "one pair, whatever the order it was sent in");
    assert_eq!(reviews[1]["comment"], "the counter is from the lecture notes");

    let audit: Value = app.json_of(&w.admin, "/api/v1/org/audit?action=similarity.review").await;
    assert_eq!(audit.as_array().unwrap().len(), 2);
    assert_eq!(
        audit[0]["details"],
        json!({ "question": planted.question, "attempts": sorted, "decision": "referred" }),
        "the pair and the decision, no comment text"
    );
    assert_eq!(audit[0]["target"], w.open_exam.to_string());
    assert!(!audit.to_string().contains("lecture notes"));

    // A new run keeps the pair and its history.
    assert_eq!(app.as_(&w.instructor).run_similarity(w.course, w.open_exam, &planted.question).await.status(), 200);
    assert_eq!(similarity(&app, &w.instructor, &w, &planted.question).await["reviews"].as_array().unwrap().len(), 2);
    app.stop().await;
}

#[tokio::test]
async fn verdicts_pairs_outside_the_run_and_long_comments_are_refused_and_leave_no_trace() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let planted = plant(&app, &w).await;
    assert_eq!(app.as_(&w.reviewer).run_similarity(w.course, w.open_exam, &planted.question).await.status(), 201);
    let review = |caller, body| app.as_(caller).review_pair(w.course, w.open_exam, body);
    let body = |attempts: Value, decision: &str, comment: String| json!({"question_id": planted.question, "attempts": attempts, "decision": decision, "comment": comment});
    let pair = json!([planted.original, planted.copy]);
    let cases = [
        (body(pair.clone(), "guilty", String::new()), 422, "no verdicts"),
        (body(pair.clone(), "noted", "x".repeat(4_001)), 422, "a comment of at most 4000 characters"),
        (body(pair.clone(), "noted", "a\u{7}bell".to_owned()), 422, "text, not control characters"),
        (body(json!([planted.copy, planted.copy]), "noted", String::new()), 422, "two different attempts"),
        (body(json!([planted.copy]), "noted", String::new()), 422, "a pair, not one attempt"),
        (body(json!([planted.copy, "not-an-id"]), "noted", String::new()), 422, "attempt ids"),
        (body(json!([planted.copy, examhall::domain::AttemptId::generate()]), "noted", String::new()), 404, "unknown"),
    ];
    for (sent, status, why) in cases {
        assert_eq!(review(&w.reviewer, sent).await.status(), status, "{why}");
    }
    let other_question = json!({"question_id": examhall::domain::QuestionId::generate(), "attempts": pair,
        "decision": "noted", "comment": ""});
    assert_eq!(review(&w.reviewer, other_question).await.status(), 404, "a question of this exam");
    let fine = body(pair.clone(), "dismissed", "x".repeat(4_000));
    assert_eq!(review(&w.proctor, fine.clone()).await.status(), 404, "proctors do not decide on pairs");
    assert_eq!(review(&w.student, fine.clone()).await.status(), 404);

    let found = similarity(&app, &w.reviewer, &w, &planted.question).await;
    assert_eq!(found["reviews"], json!([]), "nothing refused was recorded");
    let audit: Value = app.json_of(&w.admin, "/api/v1/org/audit?action=similarity.review").await;
    assert_eq!(audit, json!([]));
    assert_eq!(review(&w.reviewer, fine).await.status(), 201, "4000 characters are allowed");
    app.stop().await;
}

#[tokio::test]
async fn the_database_refuses_to_change_or_remove_a_decision_on_a_pair() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let planted = plant(&app, &w).await;
    assert_eq!(app.as_(&w.reviewer).run_similarity(w.course, w.open_exam, &planted.question).await.status(), 201);
    let noted = json!({"question_id": planted.question, "attempts": [planted.original, planted.copy],
        "decision": "noted", "comment": "seen"});
    assert_eq!(app.as_(&w.reviewer).review_pair(w.course, w.open_exam, noted).await.status(), 201);

    let db = app.state.registry().org(w.physics).await.unwrap();
    let changed = db.write(|conn| Ok(conn.execute("UPDATE pair_reviews SET decision = 'dismissed'", [])?)).await;
    assert!(changed.unwrap_err().to_string().contains("append-only"), "the database refuses to change a decision");
    let removed = db.write(|conn| Ok(conn.execute("DELETE FROM pair_reviews", [])?)).await;
    assert!(removed.unwrap_err().to_string().contains("append-only"), "or to remove one");
    let found = similarity(&app, &w.reviewer, &w, &planted.question).await;
    assert_eq!(found["reviews"][0]["decision"], "noted");
    app.stop().await;
}
