//! Prometheus metrics at `GET /metrics`, off unless configured
//! ([`crate::config::MetricsConfig`]): on a plain-HTTP loopback listener of
//! their own, and on the HTTPS listener for requests that carry the bearer
//! token.
//!
//! Events are counted where they happen, through the `metrics` facade
//! (requests here, commits in [`crate::store::writer`], background jobs
//! through [`job_done`]); states (sessions, queues, backups, audit checks)
//! are read when Prometheus scrapes, so they are never stale.

use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use secrecy::{ExposeSecret, SecretString};
use subtle::ConstantTimeEq;

use crate::config::Config;
use crate::error::Problem;
use crate::state::AppState;

/// The systemd credential that may hold the bearer token.
pub const TOKEN_CREDENTIAL: &str = "examhall-metrics-token";

/// The shortest token accepted: a guessable one would open the metrics to anyone on the network.
const MIN_TOKEN_CHARS: usize = 32;

/// Latency buckets, in seconds: a save is acknowledged in milliseconds; an
/// export or a backup may take seconds.
const SECONDS_BUCKETS: &[f64] = &[0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

/// The process-wide recorder, installed once (a process serves one data
/// directory; tests that start several apps share it).
static RECORDER: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// What serves the metrics: the recorder's handle and the token, if any.
pub struct Exporter {
    handle: PrometheusHandle,
    token: Option<SecretString>,
}

impl std::fmt::Debug for Exporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Exporter").field("token", &self.token.as_ref().map(|_| "[set]")).finish_non_exhaustive()
    }
}

impl Exporter {
    /// The exporter `config` asks for (`None`: metrics are off), with the
    /// recorder installed. The token comes from the systemd credential
    /// when there is one, else from `metrics.token_file`.
    ///
    /// # Errors
    /// A token that cannot be read, is open to others or is too short; a
    /// recorder that cannot be installed.
    pub fn from_config(config: &Config) -> std::io::Result<Option<Arc<Self>>> {
        let metrics = &config.metrics;
        let credential = std::env::var_os("CREDENTIALS_DIRECTORY")
            .map(|dir| Path::new(&dir).join(TOKEN_CREDENTIAL))
            .filter(|path| path.exists());
        let token_file = credential.or_else(|| metrics.token_file.clone());
        if metrics.listen.is_none() && token_file.is_none() {
            return Ok(None);
        }
        let token = token_file.as_deref().map(read_token).transpose()?;
        let handle = RECORDER
            .get_or_init(install)
            .clone()
            .ok_or_else(|| std::io::Error::other("cannot start the metrics recorder"))?;
        Ok(Some(Arc::new(Self { handle, token })))
    }

    /// Whether the HTTPS listener serves `/metrics` (only with a token).
    #[must_use]
    pub fn on_https(&self) -> bool {
        self.token.is_some()
    }

    fn allows(&self, headers: &HeaderMap) -> bool {
        let Some(expected) = &self.token else { return true };
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .unwrap_or("");
        bool::from(given.as_bytes().ct_eq(expected.expose_secret().as_bytes()))
    }
}

fn install() -> Option<PrometheusHandle> {
    let builder = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".to_owned()), SECONDS_BUCKETS)
        .ok()?;
    let recorder = builder.build_recorder();
    let handle = recorder.handle();
    match ::metrics::set_global_recorder(recorder) {
        Ok(()) => {
            describe();
            Some(handle)
        }
        Err(error) => {
            tracing::error!(%error, "another metrics recorder is installed; /metrics is off");
            None
        }
    }
}

/// Reads the token: one line, private to this user, long enough.
fn read_token(path: &Path) -> std::io::Result<SecretString> {
    let problem = |what: String| std::io::Error::other(format!("metrics token {}: {what}", path.display()));
    let metadata = std::fs::metadata(path).map_err(|e| problem(e.to_string()))?;
    crate::private_path::check(path, &metadata).map_err(|e| problem(e.to_string()))?;
    let text = std::fs::read_to_string(path).map_err(|e| problem(e.to_string()))?;
    let token = text.trim();
    if token.chars().count() < MIN_TOKEN_CHARS || token.chars().any(char::is_whitespace) {
        return Err(problem(format!(
            "must be one word of at least {MIN_TOKEN_CHARS} characters (e.g. from `openssl rand -hex 32`)"
        )));
    }
    Ok(SecretString::from(token.to_owned()))
}

/// Says what each metric means, for `# HELP` lines.
fn describe() {
    use ::metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!("examhall_http_requests_total", "HTTP requests answered, by method, matched route and status.");
    describe_histogram!(
        "examhall_http_request_duration_seconds",
        Unit::Seconds,
        "Time to answer an HTTP request, by method and matched route."
    );
    describe_histogram!(
        "examhall_db_commit_duration_seconds",
        Unit::Seconds,
        "Time of one group commit of a database's writer (database: platform or an organization's id)."
    );
    describe_histogram!("examhall_db_commit_batch_size", "Writes that shared one group commit.");
    describe_gauge!("examhall_db_write_queue_depth", "Writes waiting for a database's writer.");
    describe_counter!("examhall_background_jobs_total", "Background task runs, by task and result (ok or error).");
    // Every series exists from the start at 0, so the first failure is an increase.
    for task in crate::telemetry::TASKS {
        for result in ["ok", "error"] {
            ::metrics::counter!("examhall_background_jobs_total", "task" => task, "result" => result).absolute(0);
        }
    }
    describe_gauge!(
        "examhall_org_open",
        "1 for an organization the server serves, 0 for one it refused or has not opened."
    );
    describe_gauge!("examhall_exam_sessions_active", "Exam attempts whose browser was heard within the last 45 s.");
    describe_gauge!("examhall_ready", "1 once every database is open (/readyz answers 200).");
    describe_gauge!("examhall_build_info", "Always 1; the version is a label.");
    describe_gauge!("examhall_org_info", "Always 1: an organization's id (the database label) and slug.");
    describe_gauge!(
        "examhall_backup_last_success_timestamp_seconds",
        Unit::Seconds,
        "When the newest good backup bundle of an organization (whole, or of one of its exams) was made."
    );
    describe_gauge!("examhall_audit_check_intact", "1 when the last daily check found the audit log whole, else 0.");
    describe_gauge!(
        "examhall_audit_check_timestamp_seconds",
        Unit::Seconds,
        "When the last daily check of an audit log ran."
    );
}

/// Middleware: counts each request by method, matched route (never the raw
/// path, which may carry a token) and status, and times it.
pub async fn record_request(request: Request, next: Next) -> Response {
    let started = Instant::now();
    // Known methods only: a client's made-up ones would grow the label set without bound.
    let method = match *request.method() {
        axum::http::Method::GET => "GET",
        axum::http::Method::POST => "POST",
        axum::http::Method::PUT => "PUT",
        axum::http::Method::PATCH => "PATCH",
        axum::http::Method::DELETE => "DELETE",
        axum::http::Method::HEAD => "HEAD",
        axum::http::Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    };
    // One allocation per request, shared by both series' labels.
    let route = request.extensions().get::<MatchedPath>().map_or("(unmatched)", MatchedPath::as_str);
    let route = ::metrics::SharedString::from_shared(std::sync::Arc::<str>::from(route));
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    ::metrics::histogram!("examhall_http_request_duration_seconds", "method" => method, "route" => route.clone())
        .record(started.elapsed());
    ::metrics::counter!("examhall_http_requests_total", "method" => method, "route" => route, "status" => status)
        .increment(1);
    response
}

/// `GET /metrics`, for the HTTPS router (merged only when a token is set)
/// and the loopback listener.
pub fn router(state: AppState, exporter: Arc<Exporter>) -> Router {
    Router::new().route("/metrics", get(scrape)).with_state((state, exporter))
}

/// The loopback listener's whole app: `/metrics` alone, in the shared middleware.
pub fn loopback_app(state: AppState, exporter: Arc<Exporter>) -> Router {
    let limits = crate::http::HttpLimits { max_body_bytes: 1024, request_timeout: std::time::Duration::from_secs(10) };
    crate::http::with_layers(router(state, exporter), limits)
}

async fn scrape(State((state, exporter)): State<(AppState, Arc<Exporter>)>, headers: HeaderMap) -> Response {
    if !exporter.allows(&headers) {
        let problem = Problem::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            Some("/metrics needs the bearer token of metrics.token_file".to_owned()),
        );
        let mut response = problem.into_response();
        response.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
        return response;
    }
    crate::service::observed::observe(&state).await;
    let text = exporter.handle.render();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], text).into_response()
}
