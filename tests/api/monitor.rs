//! The live monitor: a snapshot of every student the caller watches, and a
//! stream of server-sent events that keeps it current, scoped to the
//! proctor's sections and bounded in how many the server keeps open.

use std::time::Duration;

use serde_json::{Value, json};

use crate::access::exam_body;
use crate::exam_client::ExamClient;
use crate::helpers::{TestApp, spawn_app};
use crate::people::{Caller, World, world};
use crate::sse::EventStream;

mod cost;

/// A monitor stream as a page reads it.
struct Stream;

impl Stream {
    async fn open(
        app: &TestApp,
        caller: &Caller,
        course: impl std::fmt::Display,
        exam: impl std::fmt::Display,
    ) -> EventStream {
        EventStream::open(app, caller, &format!("/api/v1/courses/{course}/exams/{exam}/monitor/events")).await
    }
}

fn emails(monitor: &Value) -> Vec<&str> {
    monitor["rows"].as_array().unwrap().iter().map(|r| r["email"].as_str().unwrap()).collect()
}

/// A published exam for both of PHYS101's sections (A and B).
async fn exam_for_both_sections(app: &TestApp, w: &World) -> String {
    let courses: Value = app.json_of(&w.admin, "/api/v1/org/courses").await;
    let phys101 = courses.as_array().unwrap().iter().find(|c| c["code"] == "PHYS101").unwrap();
    let mut body = exam_body(w);
    body["section_ids"] = json!(phys101["sections"].as_array().unwrap().iter().map(|s| &s["id"]).collect::<Vec<_>>());
    let instructor = app.as_(&w.instructor);
    let made: Value = instructor.create_exam(w.course, body).await.json().await.unwrap();
    let exam = made["id"].as_str().unwrap().to_owned();
    let published = instructor.publish(w.course, &exam, json!({"tests_run": 2, "tests_failed": 0})).await;
    assert_eq!(published.status(), 200);
    exam
}

#[tokio::test]
async fn a_proctor_watches_their_sections_students_save_live_and_never_another_sections() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let exam = exam_for_both_sections(&app, &w).await;
    let snapshot: Value = app.json_of(&w.proctor, &format!("/api/v1/courses/{}/exams/{exam}/monitor", w.course)).await;
    assert_eq!(emails(&snapshot), ["student@physics.example"], "section A only");
    assert_eq!(snapshot["rows"][0]["attempt"], Value::Null, "not started");
    let everyone: Value =
        app.json_of(&w.instructor, &format!("/api/v1/courses/{}/exams/{exam}/monitor", w.course)).await;
    assert_eq!(emails(&everyone), ["student-b@physics.example", "student@physics.example"]);

    let mut stream = Stream::open(&app, &w.proctor, w.course, &exam).await;
    let (kind, first) = stream.next().await;
    assert_eq!((kind.as_str(), emails(&first)), ("snapshot", vec!["student@physics.example"]));

    // Section B's student starts and saves: nothing reaches A's proctor.
    let mut other = ExamClient::start(&app, &w.other_student, &exam).await;
    let question = other.question(0);
    other.type_text(&question, "b");
    other.flush(&app).await;
    // Section A's student starts and saves: their row arrives, each time as it is now.
    let mut client = ExamClient::start(&app, &w.student, &exam).await;
    let (kind, started) = stream.next().await;
    assert_eq!((kind.as_str(), started["email"].as_str()), ("student", Some("student@physics.example")), "{started}");
    assert_eq!(started["attempt"]["id"], client.attempt.as_str());
    assert_eq!(started["questions_attempted"], 0);
    let question = client.question(0);
    client.type_text(&question, "ab");
    client.flush(&app).await;
    // The row may come again first as it was, once its summary is derived: A's rows only.
    let earlier = |kind: &str, row: &Value| {
        kind == "student" && row["email"] == "student@physics.example" && row["questions_attempted"] == 0
    };
    let (kind, saved) = stream.next_except(earlier).await;
    assert_eq!((kind.as_str(), saved["email"].as_str()), ("student", Some("student@physics.example")), "{saved}");
    assert_eq!(saved["questions_attempted"], 1);
    assert!(saved["last_save_at"].as_str().is_some() && saved["last_contact_at"].as_str().is_some(), "{saved}");

    // Something about the whole exam (its close moved) sends the whole monitor again.
    let later = json!({"closes_at": "2026-06-01T18:00:00Z"});
    assert_eq!(app.as_(&w.instructor).set_window(w.course, &exam, later).await.status(), 200);
    let a_row = |kind: &str, row: &Value| kind == "student" && row["email"] == "student@physics.example";
    let (kind, again) = stream.next_except(a_row).await;
    assert_eq!((kind.as_str(), again["closes_at"].as_str()), ("snapshot", Some("2026-06-01T18:00:00.000Z")));
    assert_eq!(emails(&again), ["student@physics.example"]);
    app.stop().await;
}

#[tokio::test]
async fn a_stream_stops_before_its_next_event_once_the_watchers_session_ends() {
    let clock = examhall::clock::ManualClock::new(crate::helpers::EXAM_DAY);
    let app = crate::helpers::spawn_app_with_clock(std::sync::Arc::new(clock.clone())).await;
    let w = world(&app).await;
    let mut stream = Stream::open(&app, &w.proctor, w.course, w.open_exam).await;
    assert_eq!(stream.next().await.0, "snapshot");
    // The proctor's role is revoked, which signs them out.
    let grants: Value = app.as_(&w.admin).grants().await.json().await.unwrap();
    let me: Value = app.json_of(&w.proctor, "/api/v1/session").await;
    let grant = grants.as_array().unwrap().iter().find(|g| g["user_id"] == me["user"]["id"]).unwrap();
    assert_eq!(app.as_(&w.admin).revoke_grant(grant["id"].as_str().unwrap()).await.status(), 204);
    clock.advance(Duration::from_secs(6));
    let mut client = ExamClient::student(&app, &w).await;
    let question = client.question(0);
    client.type_text(&question, "a");
    client.flush(&app).await;
    // The stream ends instead of sending the student's row.
    let ended = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match stream.chunk().await {
                Some(chunk) if chunk.contains("student@") => panic!("a row after the session ended"),
                Some(_) => {}
                None => return,
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the stream ended");
    app.stop().await;
}

#[tokio::test]
async fn the_server_keeps_a_bounded_number_of_monitor_streams_open() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let mut open = Vec::new();
    for _ in 0..examhall::state::MAX_MONITOR_STREAMS {
        open.push(Stream::open(&app, &w.instructor, w.course, w.open_exam).await);
    }
    let path = format!("/api/v1/courses/{}/exams/{}/monitor/events", w.course, w.open_exam);
    let refused = app.as_(&w.instructor).raw(reqwest::Method::GET, &path, None).await;
    assert_eq!(refused.status(), 503, "one stream past the bound is refused");
    assert!(refused.headers().contains_key("retry-after"));
    // A page that goes away gives its place back.
    drop(open.pop());
    let mut reopened = None;
    for _ in 0..50 {
        let response = app.as_(&w.instructor).raw(reqwest::Method::GET, &path, None).await;
        if response.status() == 200 {
            reopened = Some(response);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(reopened.is_some(), "a closed stream's place is given back");
    app.stop().await;
}

#[tokio::test]
async fn the_monitor_shows_each_students_signal_counts_tests_run_and_typing_per_minute() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let mut stream = Stream::open(&app, &w.proctor, w.course, w.open_exam).await;
    assert_eq!(stream.next().await.0, "snapshot");
    let mut client = ExamClient::student(&app, &w).await;
    let question = client.question(0);
    client.type_text(&question, "# mine");
    let outside = "x = 1\n".repeat(50);
    client.event_on(&question, "paste", &json!({ "size": outside.len(), "text": outside }));
    client.event_on(&question, "tests_run", &json!({ "outcomes": [true, false], "total": 2 }));
    client.flush(&app).await;
    // Rows come first without the saves' summary (none yet, or the start's); the worker's row follows.
    let unsummarised = |kind: &str, row: &Value| kind == "student" && row["tests_run"].is_null();
    let (_, row) = stream.next_except(unsummarised).await;
    assert_eq!(row["signals"], json!({ "low": 0, "medium": 1, "high": 0 }), "the paste from outside: {row}");
    assert_eq!(row["tests_run"], json!({ "passed": 1, "total": 2 }));
    let activity = row["activity"].as_array().unwrap();
    assert_eq!(activity.len(), 30, "the last 30 minutes");
    assert_eq!(activity.last().unwrap(), &json!(6), "'# mine' typed this minute");
    assert!(row["activity_until"].is_string());
    let snapshot: Value =
        app.json_of(&w.instructor, &format!("/api/v1/courses/{}/exams/{}/monitor", w.course, w.open_exam)).await;
    assert_eq!(snapshot["rows"][0]["signals"]["medium"], 1, "kept for the next page that opens");
    app.stop().await;
}

#[tokio::test]
async fn after_a_restart_the_watchers_session_holds_and_a_reconnected_stream_starts_whole_with_each_student_once() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let exam = exam_for_both_sections(&app, &w).await;
    let mut client = ExamClient::start(&app, &w.student, &exam).await;
    let question = client.question(0);
    client.type_text(&question, "a");
    client.flush(&app).await;
    let mut stream = Stream::open(&app, &w.instructor, w.course, &exam).await;
    let (_, before) = stream.next().await;
    drop(stream);
    let data_dir = app.stop().await;

    let app = crate::helpers::restart(data_dir).await;
    // The page's EventSource reconnects by itself: with the same cookie, to the same path.
    let mut stream = Stream::open(&app, &w.instructor, w.course, &exam).await;
    let (kind, after) = stream.next().await;
    assert_eq!(kind, "snapshot", "a reconnection starts with the whole monitor, not with what it may have missed");
    assert_eq!(emails(&after), emails(&before), "each student once");
    assert_eq!(after["rows"][1]["last_save_at"], before["rows"][1]["last_save_at"], "the same state, not a replay");
    // The browser resumes after the restart; its next save reaches the stream once, as a state.
    let resumed = ExamClient::start(&app, &w.other_student, &exam).await;
    let (kind, row) =
        stream.next_except(|kind, row| kind == "student" && row["email"] != "student-b@physics.example").await;
    assert_eq!((kind.as_str(), row["attempt"]["id"].as_str()), ("student", Some(resumed.attempt.as_str())));
    app.stop().await;
}
