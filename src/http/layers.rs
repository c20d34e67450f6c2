//! The middleware every route shares, outermost first: request id, tracing,
//! security headers, problem+json for bare errors, panic catching, timeout,
//! body limit.

use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use super::security_headers;
use crate::error::{PROBLEM_JSON, Problem};

/// Limits applied to every request.
#[derive(Debug, Clone, Copy)]
pub struct HttpLimits {
    /// Largest accepted body.
    pub max_body_bytes: usize,
    /// Longest a request may take.
    pub request_timeout: Duration,
}

/// Wraps `router` in the shared middleware.
pub fn with_layers(router: Router, limits: HttpLimits) -> Router {
    let router = router
        .layer(DefaultBodyLimit::max(limits.max_body_bytes))
        .layer(RequestBodyLimitLayer::new(limits.max_body_bytes))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, limits.request_timeout))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(middleware::from_fn(problem_for_bare_errors));
    security_headers::apply(router)
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(middleware::map_request(drop_client_request_id))
}

/// A client's own `X-Request-Id` would be copied into every log line of the
/// request; ids are the server's to make.
async fn drop_client_request_id(mut request: Request) -> Request {
    request.headers_mut().remove("x-request-id");
    request
}

/// The span of one request: method, the matched route (never the raw path or
/// query, which may carry a token) and the request id.
fn request_span(request: &Request) -> tracing::Span {
    let route = request.extensions().get::<MatchedPath>().map_or("(unmatched)", MatchedPath::as_str);
    let id = request.extensions().get::<RequestId>().and_then(|id| id.header_value().to_str().ok()).unwrap_or("-");
    tracing::info_span!("request", method = %request.method(), route, request_id = id)
}

fn panic_response(_panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let id = uuid::Uuid::new_v4().to_string();
    tracing::error!(error_id = %id, "a request handler panicked");
    let mut problem = Problem::for_status(StatusCode::INTERNAL_SERVER_ERROR);
    problem.error_id = Some(id);
    problem.into_response()
}

/// Errors made by layers (body limit, timeout, unknown method) carry plain
/// text; every error a client sees is problem+json.
async fn problem_for_bare_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if (status.is_client_error() || status.is_server_error()) && !is_problem {
        let mut replaced = Problem::for_status(status).into_response();
        if let Some(allow) = response.headers().get(header::ALLOW) {
            replaced.headers_mut().insert(header::ALLOW, allow.clone());
        }
        return replaced;
    }
    response
}
