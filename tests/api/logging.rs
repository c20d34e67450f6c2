//! No secret, token or request detail reaches a log line.

use crate::helpers::{ServeProcess, files_under, run};

const CANARY: &str = "LOGCANARY4d1e";

#[tokio::test]
async fn secrets_and_request_paths_never_reach_the_logs() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, _, stderr) = run(&["init", "--data-dir", dir.path().to_str().unwrap()]);
    assert!(ok, "{stderr}");
    let data = dir.path().to_str().unwrap();
    assert!(run(&["org", "create", "--data-dir", data, "--slug", "physics", "--name", "Physics"]).0);
    let key_hex = std::fs::read_to_string(dir.path().join("master.key")).unwrap().trim().to_owned();
    std::fs::remove_file(dir.path().join("master.key")).unwrap();
    let cert = dir.path().join("tls/cert.pem");
    let server =
        ServeProcess::start(dir.path(), &[("EXAMHALL_MASTER_KEY", &key_hex), ("EXAMHALL_LOG__LEVEL", "trace")]);
    assert!(server.wait_ready(&cert).await);
    let client = crate::helpers::client_trusting(&cert);
    let base = format!("https://127.0.0.1:{}", server.port);
    // Real routes, each answered by its handler, with the canary where a
    // secret travels: the path, the query, the session cookie under its real
    // name, the Authorization header, the request id and a JSON password.
    let sign_in = serde_json::json!({"org": "physics", "email": "ada@physics.example", "password": CANARY});
    let requests = [
        (reqwest::Method::GET, format!("/api/v1/links/platform.{CANARY}"), None, &[404][..]),
        (reqwest::Method::GET, format!("/api/v1/candidate-links/physics.{CANARY}"), None, &[404]),
        (reqwest::Method::GET, format!("/?token={CANARY}"), None, &[200]),
        (reqwest::Method::GET, "/api/v1/session".to_owned(), None, &[401]),
        (reqwest::Method::POST, "/api/v1/session".to_owned(), Some(sign_in), &[401]),
        (
            reqwest::Method::POST,
            format!("/api/v1/links/platform.{CANARY}"),
            Some(serde_json::json!({"password": CANARY})),
            &[404, 422][..],
        ),
    ];
    for (method, path, body, status) in requests {
        let mut request = client
            .request(method.clone(), format!("{base}{path}"))
            .header("authorization", format!("Bearer {CANARY}"))
            .header("cookie", format!("__Host-examhall=platform.{CANARY}"))
            .header("x-request-id", CANARY);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let answered = request.send().await.unwrap().status().as_u16();
        assert!(status.contains(&answered), "{method} {path}: {answered}");
    }
    server.terminate();
    let mut everything = server.finish();
    let log_files: Vec<_> = files_under(&dir.path().join("logs"));
    assert!(!log_files.is_empty(), "a daily log file is written");
    for file in log_files {
        everything.push_str(&std::fs::read_to_string(file).unwrap());
    }
    assert!(everything.contains("request"), "requests are logged at all: {everything}");
    for route in ["/api/v1/links/{token}", "/api/v1/candidate-links/{token}", "/api/v1/session"] {
        assert!(everything.contains(route), "the request to {route} is logged by its route template");
    }
    assert!(!everything.contains(CANARY), "a request detail reached the logs");
    assert!(!everything.contains(&key_hex), "the master key reached the logs");
}
