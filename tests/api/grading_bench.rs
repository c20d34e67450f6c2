//! The grading benchmark of `docs/benchmarks.md` ("Grading in the
//! browser"): not a test, so ignored unless asked for.
//!
//!   cargo test --locked --test api -- --ignored grading_bench --nocapture
//!
//! The real server (in this process, on loopback, over its plain HTTP
//! listener) holds an exam of two
//! questions with ten tests each and 300 submissions handed in
//! through the student's save protocol: a third correct, a third wrong on
//! every test, a third raising (`EXAMHALL_BENCH_SUBMISSIONS` sets another
//! count). Then `tests/browser/bench/grading.mjs`
//! signs an instructor in, in headless Chromium, presses "Grade every
//! submission" and reports the wall time until every result is stored.

use std::process::Command;

use examhall::domain::Role;
use examhall::store::courses::GrantTarget;
use serde_json::{Value, json};

use crate::exam_client::ExamClient;
use crate::helpers::{exam_day, spawn_app_with};
use crate::people::{PASSWORD, world};

/// Submissions to grade; `EXAMHALL_BENCH_SUBMISSIONS` sets another number.
fn students() -> usize {
    std::env::var("EXAMHALL_BENCH_SUBMISSIONS").ok().and_then(|n| n.parse().ok()).unwrap_or(300)
}
const TESTS: usize = 10;

fn question(title: &str, function: &str, model: &str, cases: &[(String, String)]) -> Value {
    let tests: Vec<Value> = cases
        .iter()
        .enumerate()
        .map(|(n, (expression, expected))| {
            let visibility = if n < 2 { "visible" } else { "hidden" };
            json!({"visibility": visibility, "kind": "function", "expression": expression, "expected": expected})
        })
        .collect();
    json!({"title": title, "prompt": format!("Write `{function}`."), "starter_code": "",
           "model_solution": model, "points": 10, "tests": tests})
}

const ADD: &str = "def add(a, b):\n    return a + b\n";
const FIZZ: &str = "def fizz(n):\n    return 'Fizz' * (n % 3 == 0) + 'Buzz' * (n % 5 == 0) or str(n)\n";

#[tokio::test]
#[ignore = "a benchmark: run it with --ignored (see docs/benchmarks.md)"]
async fn grading_bench() {
    // Over the loopback HTTP listener: Chromium keeps no HTTP cache for a
    // certificate it does not trust, and would fetch the Python runtime
    // again for every interpreter, as no installation with a proper
    // certificate does.
    let plain = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let app = spawn_app_with(exam_day(), |config| config.server.loopback_http_listen = Some(plain)).await;
    let w = world(&app).await;
    let adds: Vec<(String, String)> =
        (0..TESTS).map(|n| (format!("add({n}, {})", n * 7), (n * 8).to_string())).collect();
    let fizzes: Vec<(String, String)> =
        (1..=TESTS).map(|n| (format!("fizz({})", n * 3 + 1), format!("{:?}", fizz(n * 3 + 1)))).collect();
    let body = json!({
        "title": "Grading benchmark", "opens_at": "2026-06-01T08:00:00Z", "closes_at": "2026-06-01T17:00:00Z",
        "duration_minutes": 90, "late_policy": "accept_queued", "integrity_profile": "standard",
        "section_ids": [w.section],
        "questions": [question("Add", "add(a, b)", ADD, &adds), question("Fizz", "fizz(n)", FIZZ, &fizzes)],
    });
    let created = app.as_(&w.instructor).create_exam(w.course, body).await;
    assert_eq!(created.status(), 201, "{}", created.text().await.unwrap());
    let exam = created.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    let report = json!({"tests_run": 2 * TESTS, "tests_failed": 0});
    assert_eq!(app.as_(&w.instructor).publish(w.course, &exam, report).await.status(), 200);

    let started = std::time::Instant::now();
    let students = students();
    for n in 0..students {
        let email = format!("bench-{n}@physics.example");
        app.add_person(w.physics, &email, Role::Student, GrantTarget::Section(w.section)).await;
        let caller = app.sign_in(Some("physics"), &email, PASSWORD).await;
        let mut client = ExamClient::start(&app, &caller, &exam).await;
        let (add, fizz) = match n % 3 {
            0 => (ADD.to_owned(), FIZZ.to_owned()),
            1 => ("def add(a, b):\n    return a - b\n".to_owned(), "def fizz(n):\n    return str(n)\n".to_owned()),
            _ => {
                ("def add(a, b):\n    raise ValueError(a)\n".to_owned(), "def fizz(n):\n    return n / 0\n".to_owned())
            }
        };
        let (first, second) = (client.question(0), client.question(1));
        client.edit_to(&first, &add);
        client.edit_to(&second, &fizz);
        client.flush(&app).await;
        assert_eq!(client.submit(&app).await.status(), 200);
    }
    eprintln!("{students} submissions handed in in {:.1} s", started.elapsed().as_secs_f64());

    let dir = tempfile::tempdir().unwrap();
    let job = dir.path().join("job.json");
    let path = format!("/courses/{}/exams/{exam}/grading", w.course);
    let about = json!({"url": format!("http://{plain}/"), "email": "instructor@physics.example", "password": PASSWORD,
                       "org": "physics", "grading": path, "submissions": students, "tests": 2 * TESTS});
    std::fs::write(&job, about.to_string()).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/browser/bench/grading.mjs");
    // The browser runs while this runtime keeps serving: wait on a blocking thread.
    let output = tokio::task::spawn_blocking(move || Command::new("node").arg(script).arg(&job).output().unwrap())
        .await
        .unwrap();
    eprintln!("{}", String::from_utf8_lossy(&output.stderr));
    println!("{}", String::from_utf8_lossy(&output.stdout));
    assert!(output.status.success(), "the browser side failed");

    let graded: Value = app.as_(&w.instructor).grading(w.course, &exam).await.json().await.unwrap();
    let totals: Vec<Option<f64>> =
        graded["submissions"].as_array().unwrap().iter().map(|s| s["total"].as_f64()).collect();
    assert_eq!(totals.len(), students);
    assert!(totals.iter().all(Option::is_some), "every submission has its total");
    // How long the tests ran inside the interpreter, beside the wall time per test.
    let mut durations = Vec::new();
    for row in graded["submissions"].as_array().unwrap().iter().take(30) {
        let id = row["submission_id"].as_str().unwrap();
        let work: Value = app.as_(&w.instructor).grading_work(w.course, &exam, id).await.json().await.unwrap();
        durations.extend(work["results"].as_array().unwrap().iter().filter_map(|r| r["duration_ms"].as_u64()));
    }
    #[allow(clippy::cast_precision_loss)]
    let mean = durations.iter().sum::<u64>() as f64 / durations.len().max(1) as f64;
    println!("{{\"mean_test_ms_in_interpreter\": {mean:.1}}}");
    app.stop().await;
}

fn fizz(n: usize) -> String {
    let word =
        format!("{}{}", if n.is_multiple_of(3) { "Fizz" } else { "" }, if n.is_multiple_of(5) { "Buzz" } else { "" });
    if word.is_empty() { n.to_string() } else { word }
}
