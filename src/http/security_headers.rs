//! Security headers on every response, errors and 404s included, and
//! `Cache-Control: no-store` on every API response.

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use tower_http::set_header::SetResponseHeaderLayer;

/// The page policy: scripts only from this server (plus WebAssembly
/// compilation, which Pyodide needs), connections only back to this server,
/// no framing. A response that needs another policy sets its own header; this
/// one then stays out of the way.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self'; \
manifest-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

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
    ("x-frame-options", "DENY"),
    // Cross-origin isolation, so the Python worker can be interrupted
    // through a SharedArrayBuffer.
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-embedder-policy", "require-corp"),
    ("cross-origin-resource-policy", "same-origin"),
    ("permissions-policy", PERMISSIONS_POLICY),
];

/// Wraps `router` so that every response carries the security headers.
pub fn apply(mut router: Router) -> Router {
    router = router.layer(middleware::from_fn(no_store_for_api));
    router = router.layer(SetResponseHeaderLayer::if_not_present(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    ));
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
