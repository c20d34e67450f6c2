//! What open monitors cost the exam day, measured for docs/benchmarks.md
//! (not checks; run by name): 1,000 candidates saving with no monitor open
//! (the baseline) and with 10, then everyone's last change in the same
//! moment, then the deadline submitting every attempt at once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use examhall::clock::ManualClock;
use futures_util::future::join_all;
use serde_json::{Value, json};

use super::Stream;
use crate::admin::summary;
use crate::exam_client::ExamClient;
use crate::helpers::{EXAM_DAY, TestApp, spawn_app_with_clock};
use crate::people::{World, world};

const STUDENTS: usize = 1_000;
const ROUNDS: u64 = 5;

/// When each student's rows reached one monitor, by user id, and whether
/// each row showed the attempt submitted.
type Arrivals = HashMap<String, Vec<(Instant, bool)>>;

/// This process's CPU time so far (user and system), from `/proc/self/stat`.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command's closing parenthesis; utime and stime are the 12th and 13th.
    let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or_default().split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

/// `STUDENTS` candidates of the world's open exam, each signed in and started.
async fn started_candidates(app: &TestApp, w: &World) -> Vec<(String, ExamClient)> {
    let candidates: Vec<Value> = (0..STUDENTS).map(|n| json!({ "label": format!("Candidate {n:03}") })).collect();
    let batch = json!({"section_id": w.section, "valid_from": "2026-06-01T08:00:00Z", "valid_until": "2026-06-01T16:00:00Z",
        "candidates": candidates});
    let links: Value =
        app.as_(&w.instructor).issue_candidates(w.course, w.open_exam, batch).await.json().await.unwrap();
    let mut students = Vec::new();
    for link in links.as_array().unwrap() {
        let (caller, user) = crate::candidates::signed_in(app, link).await;
        students.push((user, ExamClient::start(app, &caller, &w.open_exam.to_string()).await));
    }
    students
}

/// Opens `monitors` instructor streams; each notes when each student's row arrives.
async fn open_monitors(
    app: &TestApp,
    w: &World,
    monitors: usize,
) -> (Arc<Mutex<Vec<Arrivals>>>, Vec<tokio::task::JoinHandle<()>>) {
    let heard: Arc<Mutex<Vec<Arrivals>>> = Arc::new(Mutex::new(vec![HashMap::new(); monitors]));
    let mut readers = Vec::new();
    for index in 0..monitors {
        let mut stream = Stream::open(app, &w.instructor, w.course, w.open_exam).await;
        assert_eq!(stream.next().await.0, "snapshot");
        let heard = Arc::clone(&heard);
        readers.push(tokio::spawn(async move {
            loop {
                let (kind, row) = stream.next().await;
                if kind == "student" {
                    let user = row["user_id"].as_str().unwrap().to_owned();
                    let submitted = !row["attempt"]["submitted_at"].is_null();
                    heard.lock().unwrap()[index].entry(user).or_default().push((Instant::now(), submitted));
                }
            }
        }));
    }
    (heard, readers)
}

/// For each save sent (student, when), how long until each monitor had that
/// student's next row; and how many saves a monitor never heard.
fn to_monitors(heard: &[Arrivals], sent: &[(String, Instant)]) -> (Vec<Duration>, usize) {
    let (mut latencies, mut missed) = (Vec::new(), 0);
    for monitor in heard {
        for (user, at) in sent {
            match monitor.get(user).and_then(|times| times.iter().find(|(t, _)| t >= at)) {
                Some((arrived, _)) => latencies.push(*arrived - *at),
                None => missed += 1,
            }
        }
    }
    (latencies, missed)
}

/// Moves the clock by `by` in steps the instructor's session outlives (30
/// idle minutes), so their monitors stay open.
async fn advance_keeping_staff(app: &TestApp, w: &World, clock: &ManualClock, by: Duration) {
    let step = Duration::from_secs(20 * 60);
    let mut left = by;
    while !left.is_zero() {
        let now = left.min(step);
        clock.advance(now);
        left -= now;
        assert_eq!(app.as_(&w.instructor).session().await.status(), 200);
    }
}

/// One run with `monitors` streams open: rounds of saves, one student after
/// another; a burst of everyone's last change at once; then the deadline.
async fn monitor_cost(monitors: usize) {
    let clock = ManualClock::new(EXAM_DAY);
    let app = spawn_app_with_clock(Arc::new(clock.clone())).await;
    let w = world(&app).await;
    let mut students = started_candidates(&app, &w).await;
    let (heard, readers) = open_monitors(&app, &w, monitors).await;

    let (mut sent, mut answered): (Vec<(String, Instant)>, Vec<Duration>) = (Vec::new(), Vec::new());
    let (started, cpu_before) = (Instant::now(), cpu_seconds());
    for round in 0..ROUNDS {
        tokio::time::sleep_until((started + Duration::from_secs(round)).into()).await;
        for (user, client) in &mut students {
            let question = client.question(0);
            client.type_text(&question, "x");
            let at = Instant::now();
            client.flush(&app).await;
            answered.push(at.elapsed());
            sent.push((user.clone(), at));
        }
    }
    // The last rows arrive within a moment (bounded), then each save meets the first row after it.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (cpu, elapsed) = (cpu_seconds() - cpu_before, started.elapsed().as_secs_f64());
    let (mut latencies, missed) = to_monitors(&heard.lock().unwrap(), &sent);
    let to_monitor = if monitors == 0 { "no monitor".to_owned() } else { summary(&mut latencies) };
    println!(
        "{STUDENTS} students, {monitors} monitors, {} saves in {elapsed:.1} s; CPU {cpu:.2} s (this process: server and \
         simulated students); save answered: {}; save to monitor: {to_monitor}; missed {missed}",
        sent.len(),
        summary(&mut answered),
    );

    // Everyone's last change in the same moment, as in the minute before a deadline.
    let burst_started = Instant::now();
    let burst: Vec<(String, Instant)> = students.iter().map(|(user, _)| (user.clone(), burst_started)).collect();
    let flushes = students.iter_mut().map(|(_, client)| {
        let question = client.question(0);
        client.type_text(&question, "y");
        let app = &app;
        async move {
            let at = Instant::now();
            client.flush(app).await;
            at.elapsed()
        }
    });
    let mut burst_answered = join_all(flushes).await;
    let all_answered = burst_started.elapsed();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (mut latencies, missed) = to_monitors(&heard.lock().unwrap(), &burst);
    let to_monitor = if monitors == 0 { "no monitor".to_owned() } else { summary(&mut latencies) };
    println!(
        "burst: {STUDENTS} saves at once, all answered in {:.2} s; save answered: {}; from the burst's start to \
         monitor: {to_monitor}; missed {missed}",
        all_answered.as_secs_f64(),
        summary(&mut burst_answered),
    );

    // The deadline (10:30): the server submits every attempt; each monitor hears each.
    let mut notices = app.state.notices().subscribe(w.physics, w.open_exam);
    advance_keeping_staff(&app, &w, &clock, Duration::from_secs(89 * 60)).await;
    let cpu_before = cpu_seconds();
    let deadline_passed = Instant::now();
    clock.advance(Duration::from_secs(2 * 60));
    let mut submitted = 0;
    while submitted < STUDENTS {
        crate::helpers::submitted_at_deadline(&mut notices).await;
        submitted += 1;
    }
    let all_submitted = deadline_passed.elapsed();
    let heard_all = async {
        loop {
            let every = heard.lock().unwrap().iter().all(|monitor| {
                students.iter().all(|(user, _)| {
                    monitor.get(user).is_some_and(|rows| rows.iter().any(|(at, done)| *done && *at >= deadline_passed))
                })
            });
            if every {
                return deadline_passed.elapsed();
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    let heard_all =
        tokio::time::timeout(Duration::from_secs(120), heard_all).await.expect("every monitor hears every submission");
    println!(
        "deadline: {STUDENTS} attempts submitted by the server in {:.2} s; every monitor had every submitted row after \
         {:.2} s; CPU {:.2} s",
        all_submitted.as_secs_f64(),
        heard_all.as_secs_f64(),
        cpu_seconds() - cpu_before,
    );
    for reader in readers {
        reader.abort();
    }
    app.stop().await;
}

/// 1,000 candidates of one exam each save a change once a second for 5
/// rounds, first with no monitor open (the baseline), then with 10; each
/// save's latency is from its request to its answer, and to each monitor's
/// receipt of that student's next row; the CPU time is this process's.
/// Then everyone's last change at once, and the deadline.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement for docs/benchmarks.md; run it by name"]
async fn measure_save_to_monitor_latency() {
    monitor_cost(0).await;
    monitor_cost(10).await;
}
