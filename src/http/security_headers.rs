//! Security headers on every response, errors and 404s included, and
//! `Cache-Control: no-store` on every API response.

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use base64::Engine as _;
use sha2::{Digest, Sha256};
use tower_http::set_header::SetResponseHeaderLayer;

/// The page policy: scripts only from this server (plus WebAssembly
/// compilation, which Pyodide needs), connections only back to this server,
/// no framing. A response that needs another policy sets its own header; this
/// one then stays out of the way.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self'; \
manifest-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Framing is refused (old browsers; `frame-ancestors` says the same). A
/// response that may be framed by examhall's own pages sets `SAMEORIGIN`.
pub const X_FRAME_OPTIONS: &str = "DENY";

/// Powerful features no examhall page uses, switched off for every frame.
/// Only names Chromium knows: it logs a warning for each unknown one.
pub const PERMISSIONS_POLICY: &str =
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), hid=(), midi=(), display-capture=()";

/// API answers hold personal data and, for staff, hidden tests and model
/// solutions: no browser or proxy may keep them (exam-hall PCs are shared).
pub const API_CACHE_CONTROL: &str = "no-store";

const FIXED: &[(&str, &str)] = &[
    // Two years, as the HSTS preload list asks.
    ("strict-transport-security", "max-age=63072000; includeSubDomains"),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    // Cross-origin isolation, so Python's sandbox can be interrupted and
    // answer input() through a SharedArrayBuffer.
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-embedder-policy", "require-corp"),
    ("cross-origin-resource-policy", "same-origin"),
    ("permissions-policy", PERMISSIONS_POLICY),
];

/// The policy of the document Python runs in (`/assets/python-sandbox-<hash>.html`,
/// built by assets/scripts/sandbox.mjs), given its bytes: an opaque origin
/// (`sandbox allow-scripts`, so no cookie, storage or API of examhall), its
/// one inline script allowed by hash, the Pyodide runtime the page hands over
/// run from blob: URLs, no connection of any kind, framed only by examhall's
/// own pages. None when the document does not hold exactly one inline script.
#[must_use]
pub fn python_sandbox_policy(document: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(document).ok()?;
    let (_, rest) = text.split_once("<script>")?;
    let (script, after) = rest.split_once("</script>")?;
    if after.contains("<script") {
        return None;
    }
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(script.as_bytes()));
    Some(format!(
        "default-src 'none'; script-src 'sha256-{hash}' blob: 'wasm-unsafe-eval'; worker-src blob:; \
         connect-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox allow-scripts"
    ))
}

/// Wraps `router` so that every response carries the security headers.
pub fn apply(mut router: Router) -> Router {
    router = router.layer(middleware::from_fn(no_store_for_api));
    for (name, value) in
        [(header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY), (header::X_FRAME_OPTIONS, X_FRAME_OPTIONS)]
    {
        router = router.layer(SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value)));
    }
    for (name, value) in FIXED {
        router = router
            .layer(SetResponseHeaderLayer::overriding(HeaderName::from_static(name), HeaderValue::from_static(value)));
    }
    router
}

/// Every response under `/api/`, errors included, is `no-store`, whatever
/// its handler said.
async fn no_store_for_api(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let is_api = path == "/api" || path.starts_with("/api/");
    let mut response = next.run(request).await;
    if is_api {
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(API_CACHE_CONTROL));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::python_sandbox_policy;

    #[test]
    fn the_sandbox_policy_allows_exactly_the_documents_one_inline_script() {
        let policy = python_sandbox_policy(b"<!doctype html><script>x</script></html>").unwrap();
        // SHA-256 of "x", in base64.
        assert!(
            policy
                .contains("script-src 'sha256-LXEWQrcmsEQBYnyp+6wy9chTD7GQPMTbAiWHF5IaSIE=' blob: 'wasm-unsafe-eval'"),
            "{policy}"
        );
        assert!(policy.ends_with("sandbox allow-scripts"), "{policy}");
        assert!(policy.contains("connect-src 'none'"), "{policy}");
    }

    #[test]
    fn a_sandbox_document_without_exactly_one_inline_script_gets_no_policy() {
        assert_eq!(python_sandbox_policy(b"<!doctype html><p>nothing</p>"), None);
        assert_eq!(python_sandbox_policy(b"<script>a</script><script>b</script>"), None);
        assert_eq!(python_sandbox_policy(b"<script>never closed"), None);
        assert_eq!(python_sandbox_policy(&[0xff, 0xfe]), None);
    }
}
