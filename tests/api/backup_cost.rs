//! What a backup costs students who are saving, measured for
//! docs/benchmarks.md (not a check; run by name): an organization holding an
//! exam of 1,000 attempts with 2 million logged items, and 200 students of
//! another exam saving a change each every quarter of a second, first alone
//! (the baseline), then while the whole organization is backed up.

use std::time::{Duration, Instant};

use examhall::service::{Actor, backups};
use examhall::store::audit;
use examhall::store::backup::Scope;
use examhall::store::backup_runs::Reason;
use futures_util::future::join_all;
use serde_json::{Value, json};

use crate::admin::summary;
use crate::exam_client::ExamClient;
use crate::helpers::{TestApp, exam_day, spawn_app_with};
use crate::people::{World, world};

const SAVERS: usize = 200;
const ATTEMPTS: i64 = 1_000;
const ITEMS: i64 = 2_000;
const EVERY: Duration = Duration::from_millis(250);

/// `ATTEMPTS` finished attempts of the world's other exam, each with
/// `ITEMS` logged snapshots, written straight into the organization's file.
async fn fill(app: &TestApp, w: &World) {
    let db = app.state.registry().org(w.physics).await.unwrap();
    let exam = w.exam.to_string();
    db.write(move |conn| {
        conn.execute(
            "INSERT INTO users (id, email, display_name, created_at)
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
             SELECT printf('00000000-0000-7000-8000-%012d', i), printf('filler%05d@physics.example', i),
                    printf('Filler %d', i), '2026-06-01T08:00:00.000Z' FROM n",
            [ATTEMPTS],
        )?;
        conn.execute(
            "INSERT INTO exam_sessions (id, exam_id, user_id, secret_hash, started_at, deadline_at, submitted_at, submit_reason)
             SELECT printf('10000000-0000-7000-8000-%012d', substr(id, 25) + 0), ?1, id, zeroblob(32),
                    '2026-06-01T08:00:00.000Z', '2026-06-01T11:00:00.000Z', '2026-06-01T10:00:00.000Z', 'student'
             FROM users WHERE email LIKE 'filler%'",
            [&exam],
        )?;
        conn.execute(
            "INSERT INTO session_log (session_id, seq, kind, client_at, server_at, payload)
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
             SELECT s.id, n.i, 'snapshot', '2026-06-01T09:00:00.000Z', '2026-06-01T09:00:00.000Z',
                    printf('{\"code\":\"total = %d + sum(range(%d))\\n\"}', n.i, n.i)
             FROM exam_sessions s, n WHERE s.exam_id = ?2",
            rusqlite::params![ITEMS, exam],
        )?;
        Ok(())
    })
    .await
    .unwrap();
}

/// Every saver saves one change every [`EVERY`] until `until` is done; each save's latency.
async fn saving_while<F: std::future::Future>(
    app: &TestApp,
    savers: &mut [ExamClient],
    until: F,
) -> (Vec<Duration>, F::Output) {
    let mut answered = Vec::new();
    let mut until = std::pin::pin!(until);
    loop {
        let tick = Instant::now();
        let round = savers.iter_mut().map(|client| {
            let question = client.question(0);
            client.type_text(&question, "x");
            async move {
                let at = Instant::now();
                client.flush(app).await;
                at.elapsed()
            }
        });
        answered.extend(join_all(round).await);
        let rest = EVERY.saturating_sub(tick.elapsed());
        tokio::select! {
            output = &mut until => return (answered, output),
            () = tokio::time::sleep(rest) => {}
        }
    }
}

/// A measurement for docs/benchmarks.md, not a check (see the module documentation).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement for docs/benchmarks.md; run it by name"]
async fn measure_save_latency_during_a_backup() {
    let keys = tempfile::tempdir().unwrap();
    let (_, recipient) = crate::backups::officer(keys.path(), "officer.key");
    let out = tempfile::tempdir().unwrap();
    let to = out.path().to_owned();
    let app = spawn_app_with(exam_day(), move |config| {
        config.backup.recipients = vec![recipient];
        config.backup.automatic = false;
        config.backup.dir = Some(to);
    })
    .await;
    let w = world(&app).await;
    let started = Instant::now();
    fill(&app, &w).await;
    println!("filled {ATTEMPTS} attempts of {ITEMS} items in {:.1} s", started.elapsed().as_secs_f64());
    let candidates: Vec<Value> = (0..SAVERS).map(|n| json!({ "label": format!("Saver {n:03}") })).collect();
    let batch = json!({"section_id": w.section, "valid_from": "2026-06-01T08:00:00Z", "valid_until": "2026-06-01T16:00:00Z",
        "candidates": candidates});
    let links: Value =
        app.as_(&w.instructor).issue_candidates(w.course, w.open_exam, batch).await.json().await.unwrap();
    let mut savers = Vec::new();
    for link in links.as_array().unwrap() {
        let (caller, _) = crate::candidates::signed_in(&app, link).await;
        savers.push(ExamClient::start(&app, &caller, &w.open_exam.to_string()).await);
    }

    let (mut alone, ()) = saving_while(&app, &mut savers, tokio::time::sleep(Duration::from_secs(10))).await;
    let org = examhall::service::organizations::find(&app.state, w.physics).await.unwrap();
    let system = Actor::audited(audit::Actor::system());
    let state = app.state.clone();
    let backup = async move {
        let started = Instant::now();
        let made = backups::back_up(&state, &system, &org, Scope::Organization, None, Reason::Command).await.unwrap();
        (started.elapsed(), made.bytes)
    };
    let (mut during, (took, bytes)) = saving_while(&app, &mut savers, backup).await;
    println!("{SAVERS} students saving every {} ms; alone: {}", EVERY.as_millis(), summary(&mut alone));
    println!(
        "during the organization's backup ({:.1} s, {} MiB bundle): {}",
        took.as_secs_f64(),
        bytes / 1_048_576,
        summary(&mut during)
    );
    app.stop().await;
}
