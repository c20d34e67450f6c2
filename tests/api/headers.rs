//! Security headers on 200, 404 and 500 responses.

use axum::Router;
use axum::routing::get;
use examhall::http::{HttpLimits, with_layers};
use tower::ServiceExt;

use crate::helpers::spawn_app;

const EXPECTED: &[(&str, &str)] = &[
    ("strict-transport-security", "max-age=63072000; includeSubDomains"),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-embedder-policy", "require-corp"),
    ("x-frame-options", "DENY"),
];

fn assert_security_headers(headers: &http::HeaderMap, what: &str) {
    for (name, value) in EXPECTED {
        assert_eq!(headers.get(*name).map(|v| v.to_str().unwrap()), Some(*value), "{name} on {what}");
    }
    let csp = headers.get("content-security-policy").unwrap_or_else(|| panic!("CSP on {what}")).to_str().unwrap();
    for directive in
        ["script-src 'self' 'wasm-unsafe-eval'", "connect-src 'self'", "frame-ancestors 'none'", "object-src 'none'"]
    {
        assert!(csp.contains(directive), "{directive} in the CSP on {what}: {csp}");
    }
    assert!(!csp.contains("unsafe-inline"), "no inline scripts or styles on {what}: {csp}");
    assert!(headers.contains_key("x-request-id"), "request id on {what}");
}

#[tokio::test]
async fn security_headers_are_on_200_and_404_responses() {
    let app = spawn_app().await;
    for (path, status) in [("/healthz", 200), ("/", 200), ("/api/v1/missing", 404), ("/assets/missing.js", 404)] {
        let response = app.get(path).await;
        assert_eq!(response.status(), status, "{path}");
        assert_security_headers(response.headers(), path);
    }
    app.stop().await;
}

#[tokio::test]
async fn a_panicking_handler_gives_a_generic_500_problem_with_security_headers() {
    async fn fails() -> &'static str {
        panic!("SECRET-DETAIL-CANARY")
    }
    let failing = Router::new().route("/api/v1/fails", get(fails));
    let limits = HttpLimits { max_body_bytes: 1024 * 1024, request_timeout: std::time::Duration::from_secs(5) };
    let app = with_layers(failing, limits);
    let request = http::Request::get("/api/v1/fails").body(axum::body::Body::empty()).unwrap();
    let response = app.oneshot(request).await.unwrap();
    assert_eq!(response.status(), 500);
    assert_security_headers(response.headers(), "a 500");
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    let body = axum::body::to_bytes(response.into_body(), 1 << 16).await.unwrap();
    let text = String::from_utf8_lossy(&body);
    assert!(!text.contains("SECRET-DETAIL-CANARY"), "{text}");
    let problem: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(problem["type"], "urn:examhall:problem:internal");
    assert!(problem["error_id"].is_string());
}
