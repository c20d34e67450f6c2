//! Announcements: staff (and proctors, to their own sections) send a
//! correction to the students of a running exam; it reaches each open exam
//! page at once over its stream, the student says they read it, and the
//! watchers see who did. Sending is audited; everything is append-only and
//! bounded.

use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};
use crate::people::{Caller, World, world};
use crate::proctors::two_section_draft;
use crate::sse::EventStream;

/// A published exam for both sections of PHYS101 (A: the world's student; B: the other).
async fn both_sections(app: &TestApp, w: &World) -> String {
    let exam = two_section_draft(app, w).await;
    let published = app.as_(&w.instructor).publish(w.course, &exam, json!({"tests_run": 2, "tests_failed": 0})).await;
    assert_eq!(published.status(), 200);
    exam
}

async fn section_of(app: &TestApp, w: &World, exam: &str, email: &str) -> String {
    let rows: Value = app.as_(&w.instructor).exam_attempts(w.course, exam).await.json().await.unwrap();
    let row = rows.as_array().unwrap().iter().find(|r| r["email"] == email).unwrap();
    row["section_id"].as_str().unwrap().to_owned()
}

fn bodies(list: &Value) -> Vec<&str> {
    list.as_array().unwrap().iter().map(|a| a["body"].as_str().unwrap()).collect()
}

async fn events(app: &TestApp, caller: &Caller, exam: &str) -> EventStream {
    EventStream::open(app, caller, &format!("/api/v1/me/exams/{exam}/announcements/events")).await
}

#[tokio::test]
async fn an_announcement_reaches_open_exam_pages_at_once_and_watchers_see_who_read_it() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let exam = both_sections(&app, &w).await;
    let (a, b) = (
        section_of(&app, &w, &exam, "student@physics.example").await,
        section_of(&app, &w, &exam, "student-b@physics.example").await,
    );
    let mut page_a = events(&app, &w.student, &exam).await;
    let mut page_b = events(&app, &w.other_student, &exam).await;
    assert_eq!(page_a.next().await, ("announcements".to_owned(), json!([])), "the list on connecting");
    assert_eq!(page_b.next().await.1, json!([]));

    let everyone = json!({ "section_id": null, "body": "Question 1: `add` takes two integers." });
    assert_eq!(app.as_(&w.instructor).announce(w.course, &exam, everyone).await.status(), 201);
    let (kind, list) = page_a.next().await;
    assert_eq!((kind.as_str(), bodies(&list)), ("announcements", vec!["Question 1: `add` takes two integers."]));
    assert_eq!(list[0]["read_at"], Value::Null);
    assert_eq!(bodies(&page_b.next().await.1), ["Question 1: `add` takes two integers."]);

    let to_a = json!({ "section_id": a, "body": "Room 2: the clock on the wall is 3 minutes fast." });
    let sent = app.as_(&w.proctor).announce(w.course, &exam, to_a).await;
    assert_eq!(sent.status(), 201, "a proctor, to their own section");
    let sent: Value = sent.json().await.unwrap();
    assert_eq!(bodies(&page_a.next().await.1)[0], "Room 2: the clock on the wall is 3 minutes fast.");
    let b_now: Value = app.as_(&w.other_student).my_announcements(&exam).await.json().await.unwrap();
    assert_eq!(bodies(&b_now), ["Question 1: `add` takes two integers."], "section B never gets A's");

    let id = sent["id"].as_str().unwrap();
    assert_eq!(app.as_(&w.student).read_announcement(&exam, id).await.status(), 204);
    assert_eq!(app.as_(&w.student).read_announcement(&exam, id).await.status(), 204, "saying so again changes nothing");
    assert_eq!(app.as_(&w.other_student).read_announcement(&exam, id).await.status(), 404, "not theirs to read");
    let mine: Value = app.as_(&w.student).my_announcements(&exam).await.json().await.unwrap();
    assert!(mine[0]["read_at"].is_string(), "{mine}");

    let (server, exam_id, course) = (&app, &exam, w.course);
    let watched =
        |caller| async move { server.as_(caller).announcements(course, exam_id).await.json::<Value>().await.unwrap() };
    let by_instructor = watched(&w.instructor).await;
    assert_eq!(by_instructor.as_array().unwrap().len(), 2);
    assert_eq!(by_instructor[0]["read_by"].as_array().unwrap().len(), 1, "{by_instructor}");
    let by_other_proctor = watched(&w.other_proctor).await;
    assert_eq!(bodies(&by_other_proctor), ["Question 1: `add` takes two integers."], "B's proctor sees B's only");
    assert_eq!(by_other_proctor[0]["read_by"], json!([]));
    let _ = b;

    let audit: Value = app.json_of(&w.admin, "/api/v1/org/audit?action=announcement.send").await;
    assert_eq!(audit.as_array().unwrap().len(), 2);
    assert_eq!(audit[0]["details"], json!({ "section": a, "characters": 48 }));
    assert!(!audit.to_string().contains("clock on the wall"), "the log says what was sent where, not its text");
    let db = app.state.registry().org(w.physics).await.unwrap();
    let changed = db.write(|conn| Ok(conn.execute("UPDATE announcements SET body = ''", [])?)).await;
    assert!(changed.is_err(), "announcements are never changed");
    let unread = db.write(|conn| Ok(conn.execute("DELETE FROM announcement_reads", [])?)).await;
    assert!(unread.is_err(), "nor are reads taken back");
    app.stop().await;
}

#[tokio::test]
async fn only_those_who_may_announce_do_and_each_announcement_is_bounded() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let exam = both_sections(&app, &w).await;
    let b = section_of(&app, &w, &exam, "student-b@physics.example").await;
    let (server, exam_id, course) = (&app, &exam, w.course);
    let send = |caller, body: Value| async move { server.as_(caller).announce(course, exam_id, body).await.status() };
    let note = |section: Option<&str>, text: &str| json!({ "section_id": section, "body": text });
    assert_eq!(send(&w.reviewer, note(None, "hello")).await, 404, "reviewers read, they do not act");
    assert_eq!(send(&w.proctor, note(Some(&b), "hello")).await, 404, "a proctor, to another section");
    assert_eq!(send(&w.proctor, note(None, "hello")).await, 422, "a proctor names their section");
    assert_eq!(send(&w.instructor, note(None, "   ")).await, 422);
    assert_eq!(send(&w.instructor, note(None, &"x".repeat(2_001))).await, 422);
    let a = section_of(&app, &w, &exam, "student@physics.example").await;
    for i in 0..40 {
        assert_eq!(send(&w.proctor, note(Some(&a), &format!("note {i}"))).await, 201);
    }
    assert_eq!(send(&w.proctor, note(Some(&a), "one too many")).await, 422, "40 from proctors");
    for i in 40..50 {
        assert_eq!(send(&w.instructor, note(None, &format!("note {i}"))).await, 201, "the rest stay for instructors");
    }
    assert_eq!(send(&w.instructor, note(None, "one too many")).await, 422, "50 per exam");
    let listed: Value = app.as_(&w.student).my_announcements(&exam).await.json().await.unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 50);
    app.stop().await;
}

#[tokio::test]
async fn a_person_keeps_at_most_three_announcement_streams_open_and_a_closed_one_gives_its_place_back() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let exam = w.open_exam.to_string();
    let mut open = Vec::new();
    for _ in 0..examhall::state::MAX_ANNOUNCEMENT_STREAMS_PER_PERSON {
        open.push(events(&app, &w.student, &exam).await);
    }
    let path = format!("/api/v1/me/exams/{exam}/announcements/events");
    let refused = app.as_(&w.student).raw(reqwest::Method::GET, &path, None).await;
    assert_eq!(refused.status(), 503, "a fourth is refused");
    assert!(refused.headers().contains_key("retry-after"));
    assert_eq!(app.state.announcement_streams().held(), 3, "and holds nothing");
    drop(open.pop());
    let mut reopened = false;
    for _ in 0..50 {
        if app.as_(&w.student).raw(reqwest::Method::GET, &path, None).await.status() == 200 {
            reopened = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(reopened, "a closed stream's place is given back");
    app.stop().await;
}

#[tokio::test]
async fn a_students_announcement_stream_sends_nothing_more_once_their_session_ends() {
    let clock = examhall::clock::ManualClock::new(crate::helpers::EXAM_DAY);
    let app = crate::helpers::spawn_app_with_clock(std::sync::Arc::new(clock.clone())).await;
    let w = world(&app).await;
    let exam = w.open_exam.to_string();
    let mut page = events(&app, &w.student, &exam).await;
    assert_eq!(page.next().await.0, "announcements");
    assert_eq!(app.as_(&w.student).sign_out().await.status(), 204);
    clock.advance(Duration::from_secs(6));
    let note = json!({ "section_id": null, "body": "Ten minutes left." });
    assert_eq!(app.as_(&w.instructor).announce(w.course, &exam, note).await.status(), 201);
    let ended = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(chunk) = page.chunk().await {
            assert!(!chunk.contains("Ten minutes left"), "an announcement after the session ended");
        }
    })
    .await;
    assert!(ended.is_ok(), "the stream ended");
    app.stop().await;
}

#[tokio::test]
async fn a_room_of_students_reading_an_announcement_costs_each_monitor_one_list_not_one_per_student() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let exam = both_sections(&app, &w).await;
    let path = format!("/api/v1/courses/{}/exams/{exam}/monitor/events", w.course);
    let mut monitor = EventStream::open(&app, &w.instructor, &path).await;
    assert_eq!(monitor.next().await.0, "snapshot");
    let everyone = json!({ "section_id": null, "body": "Question 1: integers only." });
    let sent: Value = app.as_(&w.instructor).announce(w.course, &exam, everyone).await.json().await.unwrap();
    let list = |kind: &str, _: &Value| kind != "announcements";
    let (_, first) = monitor.next_except(list).await;
    assert_eq!(first[0]["read_by"], json!([]), "the new announcement at once");
    let id = sent["id"].as_str().unwrap();
    for student in [&w.student, &w.other_student] {
        assert_eq!(app.as_(student).read_announcement(&exam, id).await.status(), 204);
    }
    let (_, read) = monitor.next_except(list).await;
    assert_eq!(read[0]["read_by"].as_array().unwrap().len(), 2, "both reads in one list: {read}");
    app.stop().await;
}
