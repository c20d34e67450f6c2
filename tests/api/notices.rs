//! The notice bus: every committed action on an attempt is heard exactly
//! once by a listener of its exam, after its commit; a refused or
//! rolled-back write is never heard.

use examhall::notices::{ExamEvent, Notice, Subscription};
use examhall::store::Database;

use crate::exam_client::ExamClient;
use crate::helpers::{TestApp, spawn_app};
use crate::people::world;

async fn org_db(app: &TestApp, org: examhall::domain::OrgId) -> Database {
    app.state.registry().org(org).await.unwrap()
}

/// Every notice waiting for `listener` now.
fn waiting(listener: &mut Subscription) -> Vec<Notice> {
    let mut heard = Vec::new();
    while let Some(notice) = listener.try_next().expect("the listener keeps up") {
        heard.push((*notice).clone());
    }
    heard
}

/// The acknowledged sequence numbers of the `Saved` notices in `heard`.
fn saves(heard: &[Notice]) -> Vec<i64> {
    heard
        .iter()
        .filter_map(|n| match n.event {
            ExamEvent::Saved { acked_seq, .. } => Some(acked_seq),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_listener_hears_each_committed_save_once_and_never_a_refused_or_rolled_back_one() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let mut listener = app.state.notices().subscribe(w.physics, w.open_exam);
    let mut elsewhere = app.state.notices().subscribe(w.chemistry, w.open_exam);

    let mut client = ExamClient::student(&app, &w).await;
    let heard = waiting(&mut listener);
    assert!(
        matches!(heard.as_slice(), [Notice { event: ExamEvent::AttemptStarted { student, .. }, .. }] if *student == w.student_user),
        "the start is heard once: {heard:?}"
    );

    let question = client.question(0);
    for round in 1..=3 {
        client.type_text(&question, &"x".repeat(round));
        let answer = client.flush(&app).await;
        let heard = waiting(&mut listener);
        assert_eq!(saves(&heard), vec![answer["acked_seq"].as_i64().unwrap()], "round {round}: one notice per batch");
        assert_eq!(heard.len(), 1);
    }

    // A heartbeat stores nothing, and a batch with a gap is refused: neither is heard.
    assert_eq!(client.post_raw(&app, &[], Some(client.commitment())).await.status(), 200);
    client.type_text(&question, "yz");
    let raws: Vec<String> = client.queue.iter().map(|(_, raw)| raw.clone()).collect();
    assert_eq!(client.post_raw(&app, &raws[1..], None).await.status(), 409);
    assert_eq!(waiting(&mut listener), Vec::new());

    // A write that fails inside the transaction rolls back and is not heard.
    let db = org_db(&app, w.physics).await;
    db.write(|conn| {
        Ok(conn.execute_batch(
            "CREATE TRIGGER refuse_log BEFORE INSERT ON session_log BEGIN SELECT RAISE(ABORT, 'injected'); END;",
        )?)
    })
    .await
    .unwrap();
    assert_eq!(client.post_raw(&app, &raws, None).await.status(), 500);
    assert_eq!(waiting(&mut listener), Vec::new(), "a rolled-back save is not heard");
    db.write(|conn| Ok(conn.execute_batch("DROP TRIGGER refuse_log;")?)).await.unwrap();
    let answer = client.flush(&app).await;
    assert_eq!(saves(&waiting(&mut listener)), vec![answer["acked_seq"].as_i64().unwrap()]);

    // The submission is heard once; asking again for the receipt is not.
    assert_eq!(client.submit(&app).await.status(), 200);
    assert_eq!(client.submit(&app).await.status(), 200);
    let heard = waiting(&mut listener);
    assert!(
        matches!(heard.as_slice(), [Notice { event: ExamEvent::Submitted { .. }, .. }]),
        "one submission: {heard:?}"
    );
    assert_eq!(waiting(&mut elsewhere), Vec::new(), "another organization's listener hears nothing");
    app.stop().await;
}

#[tokio::test]
async fn the_deadline_sweep_is_heard_once_per_attempt_it_submits() {
    let start_at = crate::helpers::EXAM_DAY;
    let clock = examhall::clock::ManualClock::new(start_at);
    let app = crate::helpers::spawn_app_with_clock(std::sync::Arc::new(clock.clone())).await;
    let w = world(&app).await;
    ExamClient::student(&app, &w).await;
    let mut listener = app.state.notices().subscribe(w.physics, w.open_exam);
    // Past the deadline: the server's own sweeper (every 100 ms in tests) submits.
    clock.advance(std::time::Duration::from_secs(91 * 60));
    let heard = tokio::time::timeout(std::time::Duration::from_secs(10), listener.next()).await;
    let notice = heard.expect("the sweeper's notice within 10 s").unwrap().unwrap();
    assert!(
        matches!(
            notice.event,
            ExamEvent::Submitted { reason: examhall::domain::receipt::SubmissionReason::Deadline, .. }
        ),
        "{notice:?}"
    );
    // Another sweep finds nothing more to submit and says nothing.
    let swept = examhall::service::attempts::sweep(&app.state, w.physics, &org_db(&app, w.physics).await).await;
    assert_eq!(swept.unwrap(), 0);
    assert_eq!(waiting(&mut listener), Vec::new());
    app.stop().await;
}
