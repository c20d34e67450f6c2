//! The typed log: what a student's browser sent comes back typed per kind,
//! in order, with the server's fixed-width times.

use examhall::domain::autosave::LogKind;
use examhall::domain::log_event::{ClipboardAction, Event, RunStatus};
use examhall::domain::save_item::ItemBody;
use examhall::domain::{AttemptId, Timestamp};
use examhall::service::AttemptStaff;
use serde_json::json;

use crate::exam_client::ExamClient;
use crate::helpers::spawn_app;
use crate::people::world;

#[tokio::test]
async fn the_log_reads_back_typed_in_order_with_the_servers_times() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let mut client = ExamClient::student(&app, &w).await;
    let question = client.question(0);
    client.type_text(&question, "ab");
    client.event("paste", &json!({ "size": 3, "text": "xyz" }));
    client.event("focus_lost", &json!({}));
    client.event("resize", &json!({ "width": 1024, "height": 700 }));
    client.event("run", &json!({ "status": "error", "ms": 41 }));
    client.event("tests_run", &json!({ "outcomes": [true, false], "total": 2, "stopped": false }));
    client.snapshot(&question);
    client.flush(&app).await;

    let now = app.state.clock().now();
    let on = w.teaching(&app, w.open_exam).await;
    let id = AttemptId::parse(&client.attempt).unwrap();
    let attempt = examhall::service::review::find(&on, id).await.unwrap().unwrap();
    let (items, unreadable) = examhall::service::review::timeline(&AttemptStaff { on, attempt }).await.unwrap();

    assert_eq!(unreadable, 0);
    let kinds: Vec<LogKind> = items.iter().map(|i| i.item.kind).collect();
    assert_eq!(
        kinds,
        [
            LogKind::Edit,
            LogKind::Edit,
            LogKind::Paste,
            LogKind::FocusLost,
            LogKind::Resize,
            LogKind::Run,
            LogKind::TestsRun,
            LogKind::Snapshot
        ]
    );
    assert_eq!(items.iter().map(|i| i.item.seq).collect::<Vec<_>>(), (1..=8).collect::<Vec<_>>());
    let pasted = Event::Clipboard { action: ClipboardAction::Paste, text: "xyz".to_owned(), size: 3 };
    assert_eq!(items[2].item.body, ItemBody::Event(pasted));
    assert_eq!(items[4].item.body, ItemBody::Event(Event::Resize { width: 1024, height: 700 }));
    assert_eq!(items[5].item.body, ItemBody::Event(Event::Run { status: RunStatus::Error, ms: 41 }));
    let tests = Event::TestsRun { outcomes: vec![true, false], total: 2, stopped: false };
    assert_eq!(items[6].item.body, ItemBody::Event(tests));
    assert!(matches!(items[0].item.body, ItemBody::Edit(_)) && items[0].applied == Some(true));
    assert_eq!(items[7].applied, Some(true), "the snapshot matched the server's rebuild");
    // The client's clock is kept as it said; the server's is its own.
    assert_eq!(Timestamp::from_time(items[0].item.client_at), Timestamp::parse(crate::exam_client::AT).unwrap());
    let server = Timestamp::from_time(now);
    assert!(items.iter().all(|i| i.server_at <= server), "stamped by the server, not the client");
    app.stop().await;
}

#[tokio::test]
async fn the_timeline_merges_the_log_with_the_servers_facts_and_the_incident_notes_in_the_servers_order() {
    let clock = examhall::clock::ManualClock::new(crate::helpers::EXAM_DAY);
    let app = crate::helpers::spawn_app_with_clock(std::sync::Arc::new(clock.clone())).await;
    let w = world(&app).await;
    let mut client = ExamClient::student(&app, &w).await;
    let question = client.question(0);
    client.type_text(&question, "a");
    client.event("focus_lost", &json!({}));
    client.flush(&app).await;
    clock.advance(std::time::Duration::from_secs(42));
    client.event("focus_returned", &json!({}));
    client.flush(&app).await;
    clock.advance(std::time::Duration::from_secs(5));
    assert_eq!(app.as_(&w.student).start(w.open_exam).await.status(), 409, "a second computer");
    app.state.refusals().flush(app.state.clock().now()).await;
    clock.advance(std::time::Duration::from_secs(5));
    let note = json!({ "student_id": w.student_user, "note": "Asked for a new keyboard." });
    assert_eq!(app.as_(&w.proctor).add_incident(w.course, w.open_exam, note).await.status(), 201);
    clock.advance(std::time::Duration::from_secs(5));
    let other = json!({ "section_id": w.section, "note": "Fire alarm test, two minutes." });
    assert_eq!(app.as_(&w.proctor).add_incident(w.course, w.open_exam, other).await.status(), 201);
    clock.advance(std::time::Duration::from_secs(5));
    let code: serde_json::Value =
        app.as_(&w.proctor).move_code(w.course, w.open_exam, client.attempt.clone()).await.json().await.unwrap();
    clock.advance(std::time::Duration::from_secs(5));
    ExamClient::moved(&app, &w.student, &w.open_exam.to_string(), code["code"].as_str().unwrap()).await;

    let timeline: serde_json::Value =
        app.as_(&w.proctor).timeline(w.course, w.open_exam, client.attempt.clone()).await.json().await.unwrap();
    let items = timeline.as_array().unwrap();
    let seen: Vec<(&str, &str)> =
        items.iter().map(|i| (i["source"].as_str().unwrap(), i["kind"].as_str().unwrap())).collect();
    assert_eq!(
        seen,
        [
            ("server", "attempt.start"),
            ("log", "edit"),
            ("log", "focus_lost"),
            ("log", "focus_returned"),
            ("server", "attempt.start"),
            ("note", "incident_note"),
            ("note", "incident_note"),
            ("server", "attempt.move_code"),
            ("server", "attempt.start"),
        ],
        "{timeline}"
    );
    assert_eq!(items[3]["away_seconds"], 42, "the stretch away, on the item that ended it");
    assert_eq!(items[4]["details"]["outcome"], "denied", "the refused second computer");
    assert_eq!(items[5]["details"]["note"], "Asked for a new keyboard.");
    assert_eq!(items[6]["details"]["whole_section"], true);
    assert_eq!(items[7]["details"]["by"], "proctor@physics.example");
    assert_eq!(items[8]["details"]["moved"], true, "the move is evidence on the timeline");
    assert!(items.iter().all(|i| i["source"] != "log" || i["seq"].is_number()));
    let times: Vec<&str> = items.iter().map(|i| i["server_at"].as_str().unwrap()).collect();
    assert!(times.windows(2).all(|pair| pair[0] <= pair[1]), "in the server's order: {times:?}");
    app.stop().await;
}
