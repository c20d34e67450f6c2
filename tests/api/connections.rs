//! Connection exhaustion: header and idle timeouts on every listener, caps
//! per address and in total, the redirect listener's headers, and the
//! open-file limit.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

use crate::helpers::{TestApp, spawn_app_with};

/// An app with both plain listeners and short timeouts.
async fn app_with(adjust: impl FnOnce(&mut examhall::config::Config)) -> (TestApp, SocketAddr, SocketAddr) {
    let app = spawn_app_with(crate::helpers::exam_day(), |config| {
        config.server.loopback_http_listen = Some("127.0.0.1:0".parse().unwrap());
        config.server.redirect_listen = Some("127.0.0.1:0".parse().unwrap());
        config.server.header_read_timeout_secs = 1;
        config.server.request_timeout_secs = 1;
        config.server.idle_timeout_secs = 2;
        adjust(config);
    })
    .await;
    let (loopback, redirect) = (app.loopback_address.unwrap(), app.redirect_address.unwrap());
    (app, loopback, redirect)
}

/// Connects to `to` from the loopback address `from`.
async fn connect_from(from: &str, to: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(format!("{from}:0").parse().unwrap()).unwrap();
    socket.connect(to).await.unwrap()
}

/// How long until the server closes `stream` (reading and discarding any
/// answer), or `None` if it is still open after `limit`.
async fn closed_within(stream: &mut TcpStream, limit: Duration) -> Option<Duration> {
    let start = Instant::now();
    let mut buffer = [0u8; 4096];
    loop {
        match tokio::time::timeout_at((start + limit).into(), stream.read(&mut buffer)).await {
            Err(_) => return None,
            Ok(Ok(0) | Err(_)) => return Some(start.elapsed()),
            Ok(Ok(_)) => {}
        }
    }
}

#[tokio::test]
async fn a_half_sent_request_and_a_silent_connection_are_cut_off_on_every_listener() {
    let (app, loopback, redirect) = app_with(|_| {}).await;
    for target in [app.address, loopback, redirect] {
        let mut silent = TcpStream::connect(target).await.unwrap();
        let mut half = TcpStream::connect(target).await.unwrap();
        if target != app.address {
            half.write_all(b"GET /healthz HTTP/1.1\r\nHost: exams.example.edu\r\n").await.unwrap();
        }
        let waited = closed_within(&mut silent, Duration::from_secs(6)).await;
        assert!(waited.is_some(), "a connection that sends nothing to {target} is closed");
        let waited = closed_within(&mut half, Duration::from_secs(6)).await;
        assert!(waited.is_some_and(|w| w < Duration::from_secs(4)), "a half-sent request to {target}: {waited:?}");
    }
    let mut kept_alive = TcpStream::connect(loopback).await.unwrap();
    kept_alive.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n").await.unwrap();
    let waited = closed_within(&mut kept_alive, Duration::from_secs(6)).await;
    assert!(waited.is_some(), "an idle keep-alive connection is closed after its answer");
    app.stop().await;
}

/// A TLS connection to the HTTPS listener, handshake done.
async fn tls_to(app: &TestApp) -> tokio_rustls::client::TlsStream<TcpStream> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, ServerName};
    let mut roots = rustls::RootCertStore::empty();
    roots.add(CertificateDer::from_pem_file(app.state.config().tls_files().0).unwrap()).unwrap();
    let config =
        rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
    let tcp = TcpStream::connect(app.address).await.unwrap();
    let connector = tokio_rustls::TlsConnector::from(std::sync::Arc::new(config));
    connector.connect(ServerName::try_from("localhost").unwrap(), tcp).await.unwrap()
}

#[tokio::test]
async fn a_half_sent_request_over_tls_is_cut_off_after_the_header_timeout() {
    let (app, _, _) = app_with(|_| {}).await;
    let mut tls = tls_to(&app).await;
    tls.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n").await.unwrap();
    let start = Instant::now();
    let mut buffer = [0u8; 1024];
    let read = tokio::time::timeout(Duration::from_secs(6), async {
        loop {
            match tls.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await;
    assert!(read.is_ok() && start.elapsed() < Duration::from_secs(4), "closed after {:?}", start.elapsed());
    app.stop().await;
}

#[tokio::test]
async fn one_address_holds_at_most_its_share_of_connections_and_others_still_get_in() {
    let (app, loopback, _) = app_with(|config| {
        config.server.max_connections_per_address = 10;
        config.server.max_connections = 14;
        config.server.idle_timeout_secs = 30;
        config.server.header_read_timeout_secs = 30;
    })
    .await;
    let mut held = Vec::new();
    for _ in 0..10 {
        held.push(connect_from("127.0.0.5", loopback).await);
    }
    let mut over = connect_from("127.0.0.5", loopback).await;
    assert!(closed_within(&mut over, Duration::from_secs(2)).await.is_some(), "the eleventh is closed at once");
    for stream in &mut held {
        assert!(closed_within(stream, Duration::from_millis(50)).await.is_none(), "the first ten stay open");
    }
    let mut other = connect_from("127.0.0.6", loopback).await;
    other.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").await.unwrap();
    let mut answer = String::new();
    other.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "another address is served: {answer}");
    for _ in 0..4 {
        held.push(connect_from("127.0.0.7", loopback).await);
    }
    let mut full = connect_from("127.0.0.8", loopback).await;
    assert!(closed_within(&mut full, Duration::from_secs(2)).await.is_some(), "the total is capped too");
    drop(held);
    app.stop().await;
}

#[tokio::test]
async fn the_redirect_listener_sends_the_security_headers() {
    let (app, _, redirect) = app_with(|_| {}).await;
    let plain = crate::helpers::client_builder(&app.state.config().tls_files().0)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response =
        plain.get(format!("http://{redirect}/exams")).header("host", "exams.example.edu").send().await.unwrap();
    assert_eq!(response.status(), 308);
    for name in ["content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy"] {
        assert!(response.headers().contains_key(name), "{name} on the redirect");
    }
    app.stop().await;
}

#[tokio::test]
async fn serve_raises_its_open_file_limit_to_the_hard_limit() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    assert!(crate::helpers::run(&["init", "--data-dir", data]).0);
    let mut command = std::process::Command::new("bash");
    command
        .args([
            "-c",
            "ulimit -Sn 1024 && exec \"$0\" serve --data-dir \"$1\" --listen 127.0.0.1:0",
            env!("CARGO_BIN_EXE_examhall"),
            data,
        ])
        .env_remove("EXAMHALL_MASTER_KEY");
    let server = crate::helpers::ServeProcess::spawn(command);
    assert!(server.wait_ready(&dir.path().join("tls/cert.pem")).await, "the server started");
    let open_files = |pid: &str| {
        let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
        let line = limits.lines().find(|l| l.starts_with("Max open files")).unwrap().to_owned();
        let numbers: Vec<String> = line.split_whitespace().skip(3).take(2).map(str::to_owned).collect();
        (numbers[0].clone(), numbers[1].clone())
    };
    let (soft, hard) = open_files(&server.child.id().to_string());
    assert_eq!(soft, hard, "the soft limit is raised to the hard one");
    if open_files("self").1 != "1024" {
        assert_ne!(soft, "1024");
    }
}
