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
