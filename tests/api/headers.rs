//! Security headers on every response (200, 304, 401, 404, 500; pages, files
//! and API), `no-store` on every API answer, no CORS anywhere, and the
//! Python sandbox document's own policy.

use axum::Router;
use axum::routing::get;
use base64::Engine as _;
use examhall::http::{HttpLimits, with_layers};
use reqwest::Method;
use sha2::{Digest, Sha256};
use tower::ServiceExt;

use crate::access::exam_body;
use crate::helpers::{TestApp, spawn_app};
use crate::people::world;

/// The page policy, whole: every directive is checked, not just a few.
const PAGE_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self'; manifest-src 'self'; \
object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Headers every response carries, with their exact values.
const EXPECTED: &[(&str, &str)] = &[
    ("strict-transport-security", "max-age=63072000; includeSubDomains"),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-embedder-policy", "require-corp"),
    ("cross-origin-resource-policy", "same-origin"),
    // Only features Chromium knows: an unknown one (`bluetooth`) made it warn on every page.
    (
        "permissions-policy",
        "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), hid=(), midi=(), display-capture=()",
    ),
];

fn value<'a>(headers: &'a http::HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).map(|v| v.to_str().unwrap())
}

/// The shared headers, and the page policy with its framing refusal.
fn assert_security_headers(headers: &http::HeaderMap, what: &str) {
    for (name, expected) in EXPECTED {
        assert_eq!(value(headers, name), Some(*expected), "{name} on {what}");
        assert_eq!(headers.get_all(*name).iter().count(), 1, "one {name} on {what}");
    }
    assert_eq!(value(headers, "content-security-policy"), Some(PAGE_POLICY), "CSP on {what}");
    assert_eq!(value(headers, "x-frame-options"), Some("DENY"), "x-frame-options on {what}");
    assert!(headers.contains_key("x-request-id"), "request id on {what}");
}

/// No response lets another origin read it.
fn assert_no_cors(headers: &http::HeaderMap, what: &str) {
    for (name, _) in headers {
        assert!(!name.as_str().starts_with("access-control-"), "{name} on {what}");
    }
}

/// The first hashed script the shell references, e.g. `/assets/main-AbC123.js`.
async fn main_script(app: &TestApp) -> String {
    let shell = app.get("/").await.text().await.unwrap();
    let start = shell.find("/assets/").expect("the shell references hashed assets");
    let end = start + shell[start..].find('"').unwrap();
    shell[start..end].to_owned()
}

/// The Python sandbox document's path, as the app bundle names it.
async fn sandbox_path(app: &TestApp) -> String {
    let script = app.get(&main_script(app).await).await.text().await.unwrap();
    let start = script.find("/assets/python-sandbox-").expect("the app names the sandbox document");
    let end = start + script[start..].find(".html").expect("an .html path") + ".html".len();
    script[start..end].to_owned()
}

#[tokio::test]
async fn security_headers_are_on_pages_files_and_api_answers_of_every_status() {
    let app = spawn_app().await;
    let script = main_script(&app).await;
    let wasm = format!("/pyodide/{}/pyodide.asm.wasm", examhall::version::PYODIDE);
    for (path, status) in [
        ("/healthz", 200),
        ("/", 200),
        ("/check", 200),
        (script.as_str(), 200),
        (wasm.as_str(), 200),
        ("/api/v1/session", 401),
        ("/api/v1/missing", 404),
        ("/assets/missing.js", 404),
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), status, "{path}");
        assert_security_headers(response.headers(), path);
    }
    let etag = app.get(&script).await.headers()["etag"].clone();
    let revalidated = app.client.get(app.url(&script)).header("if-none-match", etag).send().await.unwrap();
    assert_eq!(revalidated.status(), 304);
    assert_security_headers(revalidated.headers(), "a 304");
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
    assert_eq!(response.headers()["cache-control"], "no-store", "a 500 of the API is not stored either");
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    let body = axum::body::to_bytes(response.into_body(), 1 << 16).await.unwrap();
    let text = String::from_utf8_lossy(&body);
    assert!(!text.contains("SECRET-DETAIL-CANARY"), "{text}");
    let problem: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(problem["type"], "urn:examhall:problem:internal");
    assert!(problem["error_id"].is_string());
}

#[tokio::test]
async fn every_api_answer_is_no_store_including_the_instructors_view_with_hidden_tests() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let created = app.as_(&w.instructor).create_exam(w.course, exam_body(&w)).await;
    assert_eq!(created.status(), 201);
    assert_eq!(created.headers()["cache-control"], "no-store", "201");
    let exam: serde_json::Value = created.json().await.unwrap();
    let path = format!("/api/v1/courses/{}/exams/{}", w.course, exam["id"].as_str().unwrap());
    let view = app.as_(&w.instructor).exam(w.course, exam["id"].as_str().unwrap()).await;
    assert_eq!(view.status(), 200);
    assert_eq!(view.headers()["cache-control"], "no-store", "the instructor's view");
    let body: serde_json::Value = view.json().await.unwrap();
    assert_eq!(body["questions"][0]["tests"][1]["visibility"], "hidden", "the view holds hidden tests");

    for (caller, method, path, status) in [
        (Some(&w.student), Method::GET, "/api/v1/session", 200),
        (Some(&w.student), Method::GET, "/api/v1/me/exams", 200),
        (None, Method::GET, "/api/v1/session", 401),
        (Some(&w.student), Method::GET, path.as_str(), 404),
        (None, Method::GET, "/api/v1/missing", 404),
        (None, Method::GET, "/api", 404),
        (Some(&w.instructor), Method::PUT, path.as_str(), 422),
    ] {
        let body = (method == Method::PUT).then(|| serde_json::json!({}));
        let response = app.call(caller, method.clone(), path, body).await;
        assert_eq!(response.status(), status, "{method} {path}");
        assert_eq!(response.headers()["cache-control"], "no-store", "{method} {path}");
        assert_eq!(response.headers().get_all("cache-control").iter().count(), 1, "{method} {path}");
    }
    // Pages and files keep their own caching.
    assert_eq!(app.get("/").await.headers()["cache-control"], "no-cache");
    let script = main_script(&app).await;
    assert_eq!(app.get(&script).await.headers()["cache-control"], "public, max-age=31536000, immutable");
    app.stop().await;
}

#[tokio::test]
async fn no_answer_allows_cross_origin_reads_not_even_the_runtime_or_the_sandbox() {
    let app = spawn_app().await;
    let sandbox = sandbox_path(&app).await;
    let base = format!("/pyodide/{}/", examhall::version::PYODIDE);
    let mut paths = vec!["/api/v1/session".to_owned(), "/api/v1/missing".to_owned(), "/".to_owned(), sandbox];
    for file in ["pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"] {
        paths.push(format!("{base}{file}"));
    }
    for path in &paths {
        // An opaque origin (a sandboxed document) says `Origin: null`.
        for origin in ["null", "https://elsewhere.example"] {
            let response = app.client.get(app.url(path)).header("origin", origin).send().await.unwrap();
            assert!(response.status() == 200 || response.status() == 401 || response.status() == 404, "{path}");
            assert_no_cors(response.headers(), path);
            let preflight = app
                .client
                .request(Method::OPTIONS, app.url(path))
                .header("origin", origin)
                .header("access-control-request-method", "GET")
                .send()
                .await
                .unwrap();
            assert_no_cors(preflight.headers(), &format!("OPTIONS {path}"));
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn the_python_sandbox_document_runs_in_an_opaque_origin_with_only_its_own_script() {
    let app = spawn_app().await;
    let path = sandbox_path(&app).await;
    let response = app.client.get(app.url(&path)).header("accept-encoding", "identity").send().await.unwrap();
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    let html = response.text().await.unwrap();
    let script = html.split_once("<script>").unwrap().1.split_once("</script>").unwrap().0;
    assert!(!html.contains("<script src"), "the document loads no script");
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(script.as_bytes()));
    let policy = format!(
        "default-src 'none'; script-src 'sha256-{hash}' blob: 'wasm-unsafe-eval'; worker-src blob:; \
         connect-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox allow-scripts"
    );
    let what = "the sandbox document";
    assert_eq!(value(&headers, "content-security-policy"), Some(policy.as_str()), "{what}");
    assert_eq!(headers.get_all("content-security-policy").iter().count(), 1, "one policy on {what}");
    // Framed by examhall's own pages only.
    assert_eq!(value(&headers, "x-frame-options"), Some("SAMEORIGIN"));
    assert_eq!(value(&headers, "content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(value(&headers, "cache-control"), Some("public, max-age=31536000, immutable"));
    for (name, expected) in EXPECTED {
        assert_eq!(value(&headers, name), Some(*expected), "{name} on {what}");
    }
    // A revalidation must not hand the browser the page policy for it.
    let etag = headers["etag"].clone();
    let revalidated = app
        .client
        .get(app.url(&path))
        .header("accept-encoding", "identity")
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(revalidated.status(), 304);
    assert_eq!(value(revalidated.headers(), "content-security-policy"), Some(policy.as_str()));
    assert_eq!(value(revalidated.headers(), "x-frame-options"), Some("SAMEORIGIN"));
    // Compressed, it is the same document under the same policy.
    let brotli = app.client.get(app.url(&path)).header("accept-encoding", "br").send().await.unwrap();
    assert_eq!(brotli.headers()["content-encoding"], "br");
    assert_eq!(value(brotli.headers(), "content-security-policy"), Some(policy.as_str()));
    app.stop().await;
}
