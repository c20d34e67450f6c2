//! `/metrics` as a monitoring system and an outsider meet it: off unless
//! configured; with a token, refused without it (or with a wrong one) on
//! both listeners; its text parsed by a Prometheus text-format parser,
//! holding the requests, commits, sessions and states the runbook's alerts use.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::exam_client::ExamClient;
use crate::helpers::{TestApp, exam_day, spawn_app, spawn_app_with};
use crate::people::world;

const TOKEN: &str = "3b9f0c5e1d7a4f2b8c6e0a9d5f1b7c3e2a8d4f6b0c9e1a7d";

fn token_file(dir: &Path) -> std::path::PathBuf {
    let file = dir.join("metrics.token");
    std::fs::write(&file, format!("{TOKEN}\n")).unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    file
}

async fn with_metrics(keys: &Path) -> TestApp {
    let file = token_file(keys);
    spawn_app_with(exam_day(), move |config| {
        config.metrics.token_file = Some(file);
        config.metrics.listen = Some("127.0.0.1:0".parse().unwrap());
        // Small, so that a request past it is refused by the body limit's layer.
        config.server.max_body_bytes = 4096;
    })
    .await
}

/// One sample of a scrape.
#[derive(serde::Deserialize)]
struct Sample {
    name: String,
    labels: std::collections::HashMap<String, String>,
    value: f64,
}

impl Sample {
    fn label(&self, name: &str) -> &str {
        self.labels.get(name).map_or("", String::as_str)
    }
}

/// The samples of a scrape, as the Prometheus project's own parser reads
/// them (`prometheus_client`, from PyPI; scripts/test.sh installs it).
fn parse(text: &str) -> Vec<Sample> {
    use std::io::Write as _;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/api/prometheus_samples.py");
    let mut child = std::process::Command::new("python3")
        .arg(script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the scrape parses (pip install prometheus-client if missing): {stderr}\n{text}");
    String::from_utf8(output.stdout).unwrap().lines().map(|line| serde_json::from_str(line).unwrap()).collect()
}

#[tokio::test]
async fn metrics_are_off_unless_configured() {
    let app = spawn_app().await;
    // The path is the front end's like any other unknown one: no metric in it.
    let response = app.get("/metrics").await;
    assert_ne!(response.headers()["content-type"], "text/plain; version=0.0.4; charset=utf-8");
    assert!(!response.text().await.unwrap().contains("examhall_"));
    let authorized = app.client.get(app.url("/metrics")).bearer_auth(TOKEN).send().await.unwrap();
    assert!(!authorized.text().await.unwrap().contains("examhall_"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_is_needed_on_both_listeners_and_a_wrong_one_is_refused() {
    let keys = tempfile::tempdir().unwrap();
    let app = with_metrics(keys.path()).await;
    let loopback = format!("http://{}/metrics", app.metrics_address.unwrap());
    // The test's client speaks plain HTTP too.
    let plain = app.client.clone();
    for (client, url) in [(&app.client, app.url("/metrics")), (&plain, loopback.clone())] {
        for header in
            [None, Some("Bearer wrong"), Some(&format!("Basic {TOKEN}")[..]), Some(&format!("Bearer {TOKEN}x")[..])]
        {
            let mut request = client.get(&url);
            if let Some(header) = header {
                request = request.header("authorization", header);
            }
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 401, "{url} {header:?}");
            assert_eq!(response.headers()["content-type"], "application/problem+json");
            assert_eq!(response.headers()["www-authenticate"], "Bearer");
        }
        let response = client.get(&url).bearer_auth(TOKEN).send().await.unwrap();
        assert_eq!(response.status(), 200, "{url}");
    }
    // The loopback listener serves nothing else.
    let other = plain.get(loopback.replace("/metrics", "/api/v1/session")).send().await.unwrap();
    assert_eq!(other.status(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scrape_parses_and_shows_requests_commits_sessions_and_states() {
    let keys = tempfile::tempdir().unwrap();
    let app = with_metrics(keys.path()).await;
    let w = world(&app).await;
    let mut student = ExamClient::student(&app, &w).await;
    let question = student.question(0);
    student.type_text(&question, "print('hello')");
    student.flush(&app).await;
    let text = app.client.get(app.url("/metrics")).bearer_auth(TOKEN).send().await.unwrap().text().await.unwrap();
    let scrape = parse(&text);
    let samples = |name: &str| scrape.iter().filter(|s| s.name == name).collect::<Vec<_>>();

    let requests = samples("examhall_http_requests_total");
    assert!(
        requests.iter().any(|s| s.label("route").ends_with("/saves") && s.label("status") == "200" && s.value >= 1.0),
        "the student's saves are counted by route and status: {text}"
    );
    assert!(
        requests.iter().all(|s| !s.label("route").contains(&w.exam.to_string())),
        "routes are patterns, never raw paths"
    );
    assert!(!samples("examhall_http_request_duration_seconds_bucket").is_empty(), "{text}");
    assert!(!samples("examhall_db_commit_duration_seconds_bucket").is_empty(), "{text}");
    assert!(samples("examhall_exam_sessions_active").iter().any(|s| s.value >= 1.0), "the attempt is active: {text}");
    assert_eq!(samples("examhall_ready").first().map(|s| s.value), Some(1.0));
    assert!(samples("examhall_db_write_queue_depth").iter().any(|s| s.label("database") == "platform"));
    assert!(samples("examhall_org_info").iter().any(|s| s.label("org") == "physics"), "{text}");
    assert!(samples("examhall_org_open").iter().any(|s| s.label("org") == "physics" && s.value > 0.5), "{text}");
    let failures = samples("examhall_background_jobs_total");
    assert!(
        failures.iter().any(|s| s.label("task") == "backup" && s.label("result") == "error" && s.value < 0.5),
        "every task's series exists at 0: {text}"
    );
    assert!(text.contains("# HELP examhall_http_requests_total"), "each metric says what it means");

    // A request the server gives up on (the body limit's 413, answered by an
    // inner layer) is counted too.
    let big = "x".repeat(6000);
    let refused = app
        .client
        .post(app.url("/api/v1/session"))
        .body(big)
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 413);
    let text = app.client.get(app.url("/metrics")).bearer_auth(TOKEN).send().await.unwrap().text().await.unwrap();
    assert!(
        parse(&text).iter().any(|s| s.name == "examhall_http_requests_total"
            && s.label("route") == "/api/v1/session"
            && s.label("status") == "413"),
        "{text}"
    );

    // Made-up methods and paths add no label values: the set stays bounded.
    for i in 0..20 {
        let method = reqwest::Method::from_bytes(format!("PROBE{i}").as_bytes()).unwrap();
        app.client.request(method, app.url(&format!("/nowhere/{i}"))).send().await.unwrap();
    }
    let text = app.client.get(app.url("/metrics")).bearer_auth(TOKEN).send().await.unwrap().text().await.unwrap();
    let methods: std::collections::BTreeSet<String> =
        parse(&text).iter().filter_map(|s| s.labels.get("method").cloned()).collect();
    assert!(
        methods
            .iter()
            .all(|m| ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "OTHER"].contains(&m.as_str())),
        "{methods:?}"
    );
    assert!(!text.contains("/nowhere/"), "raw paths never become labels");
    assert!(!text.contains(TOKEN));
}

#[tokio::test]
async fn a_token_file_others_can_read_or_too_short_stops_the_server_from_starting() {
    let keys = tempfile::tempdir().unwrap();
    let open = token_file(keys.path());
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o644)).unwrap();
    let config = examhall::config::Config {
        metrics: examhall::config::MetricsConfig { listen: None, token_file: Some(open.clone()) },
        ..examhall::config::Config::default()
    };
    let error = examhall::http::prometheus::Exporter::from_config(&config).unwrap_err().to_string();
    assert!(error.contains("chmod 600"), "{error}");
    std::fs::write(&open, "short\n").unwrap();
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o600)).unwrap();
    let error = examhall::http::prometheus::Exporter::from_config(&config).unwrap_err().to_string();
    assert!(error.contains("at least 32"), "{error}");
}
