//! No secret, token or request detail reaches a log line.

use std::io::Read;

use crate::helpers::{ServeProcess, files_under, run};

const CANARY: &str = "LOGCANARY4d1e";

#[tokio::test]
async fn secrets_and_request_paths_never_reach_the_logs() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, _, stderr) = run(&["init", "--data-dir", dir.path().to_str().unwrap()]);
    assert!(ok, "{stderr}");
    let key_hex = std::fs::read_to_string(dir.path().join("master.key")).unwrap().trim().to_owned();
    std::fs::remove_file(dir.path().join("master.key")).unwrap();
    let cert = dir.path().join("tls/cert.pem");
    let mut server =
        ServeProcess::start(dir.path(), &[("EXAMHALL_MASTER_KEY", &key_hex), ("EXAMHALL_LOG__LEVEL", "trace")]);
    assert!(server.wait_ready(&cert).await);
    let client = crate::helpers::client_trusting(&cert);
    let base = format!("https://127.0.0.1:{}", server.port);
    for path in [format!("/api/v1/links/{CANARY}"), format!("/?token={CANARY}"), format!("/{CANARY}/page")] {
        client
            .get(format!("{base}{path}"))
            .header("authorization", format!("Bearer {CANARY}"))
            .header("cookie", format!("__Host-session={CANARY}"))
            .header("x-request-id", CANARY)
            .send()
            .await
            .unwrap();
    }
    client.post(format!("{base}/api/v1/anything")).body(format!("{{\"password\":\"{CANARY}\"}}")).send().await.unwrap();
    server.terminate();
    server.child.wait().unwrap();
    let mut stdout = String::new();
    server.child.stdout.take().unwrap().read_to_string(&mut stdout).unwrap();
    let mut stderr = String::new();
    server.child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    let log_files: Vec<_> = files_under(&dir.path().join("logs"));
    assert!(!log_files.is_empty(), "a daily log file is written");
    let mut everything = stdout + &stderr;
    for file in log_files {
        everything.push_str(&std::fs::read_to_string(file).unwrap());
    }
    assert!(everything.contains("request"), "requests are logged at all: {everything}");
    assert!(!everything.contains(CANARY), "a request detail reached the logs");
    assert!(!everything.contains(&key_hex), "the master key reached the logs");
}
