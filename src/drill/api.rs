//! The drill's HTTP: one client per simulated computer (its own source
//! address and connections), the session cookie and CSRF token a browser
//! keeps, and requests retried the way the browser retries them.

use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use tokio::time::Instant;

use super::DrillError;
use super::stats::{Kind, Stats};
use super::target::Target;

/// How long one request may take before the drill counts it as failed.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// The longest pause between retries, as the browser's saver.
pub const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// How many times a request is tried before the drill gives up on it.
const MAX_TRIES: u32 = 60;

/// Makes room for `students` connections (each student keeps one, two
/// while a request of the admin's or a reconnect overlaps): raises the soft
/// limit on open files to the hard one, as the server does.
///
/// # Errors
/// When even the hard limit is too small.
pub fn open_file_room(students: usize) -> Result<(), DrillError> {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let needed = u64::try_from(students * 2 + 256).unwrap_or(u64::MAX);
    let mut limit = getrlimit(Resource::Nofile);
    if limit.current.is_some_and(|current| current < needed) && limit.current != limit.maximum {
        limit.current = limit.maximum;
        let _ = setrlimit(Resource::Nofile, limit);
    }
    match getrlimit(Resource::Nofile).current {
        Some(current) if current < needed => Err(DrillError::new(format!(
            "{students} students need about {needed} open files, and this process may open {current}"
        ))
        .hint(format!(
            "raise the limit (ulimit -n {needed}, or LimitNOFILE= in a systemd unit) or drill fewer students"
        ))),
        _ => Ok(()),
    }
}

/// The TLS settings every client shares.
pub type Tls = Arc<rustls::ClientConfig>;

/// TLS for `target`: the system's authorities and `--ca-cert`, or any
/// certificate with `--insecure-tls`.
///
/// # Errors
/// A certificate file that cannot be read.
pub fn tls_config(target: &Target) -> Result<Tls, DrillError> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject as _;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| DrillError::new(format!("TLS: {e}")))?;
    if target.insecure_tls {
        return Ok(Arc::new(accepting_any_certificate()));
    }
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(cert);
    }
    if let Some(file) = &target.ca_cert {
        let unreadable = |e: &dyn std::fmt::Display| DrillError::new(format!("--ca-cert {}: {e}", file.display()));
        for cert in CertificateDer::pem_file_iter(file).map_err(|e| unreadable(&e))? {
            roots.add(cert.map_err(|e| unreadable(&e))?).map_err(|e| unreadable(&e))?;
        }
    }
    Ok(Arc::new(builder.with_root_certificates(roots).with_no_client_auth()))
}

/// A client configuration that accepts any certificate, its handshake
/// signatures still checked: `--insecure-tls`, and tests that talk to the
/// demo's throwaway self-signed certificate.
///
/// # Panics
/// Never: ring supports the default protocol versions.
#[must_use]
pub fn accepting_any_certificate() -> rustls::ClientConfig {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .expect("ring supports the default protocol versions")
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate(provider)))
        .with_no_client_auth()
}

/// `--insecure-tls`: any certificate, with its handshake signatures still checked.
#[derive(Debug)]
struct AcceptAnyCertificate(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _: &rustls::pki_types::CertificateDer<'_>,
        _: &[rustls::pki_types::CertificateDer<'_>],
        _: &rustls::pki_types::ServerName<'_>,
        _: &[u8],
        _: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// A signed-in browser: its cookies and the session's CSRF token.
#[derive(Debug, Clone, Default)]
pub struct Session {
    cookies: Vec<(String, String)>,
    csrf: Option<String>,
}

/// One computer's connection to the server.
#[derive(Clone)]
pub struct Api {
    client: reqwest::Client,
    base: Arc<str>,
    /// The browser's cookies and token, once signed in.
    pub session: Session,
}

/// The server's answer: its status, `Retry-After`, and body.
#[derive(Debug)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// Seconds from `Retry-After`, if sent.
    pub retry_after: Option<u64>,
    /// The body, as text.
    pub body: String,
    cookies: Vec<(String, String)>,
}

impl Answer {
    /// The body as JSON (`Null` when it is not).
    #[must_use]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }

    /// The problem type's last part (`sequence-gap`), for a problem+json answer.
    #[must_use]
    pub fn problem(&self) -> String {
        let value = self.json();
        let kind = value["type"].as_str().unwrap_or_default();
        kind.rsplit(':').next().unwrap_or_default().to_owned()
    }
}

/// A request that got no HTTP answer (refused, reset, timed out).
#[derive(Debug)]
pub struct NetworkError(pub String);

/// What one request got.
pub type Sent = Result<Answer, NetworkError>;

/// Counts one request of `kind` that took `took` and got `sent`.
pub fn record(stats: &Stats, kind: Kind, took: Duration, sent: &Sent) {
    stats.request(kind, took, sent.as_ref().ok().map(|answer| answer.status));
}

/// Counts a request that failed for good, after every retry, as an error
/// with the server's answer (or why there was none).
pub fn gave_up(stats: &Stats, kind: Kind, sent: &Sent) {
    match sent {
        Ok(answer) => stats.unexpected(kind, answer.status, &answer.body),
        Err(error) => stats.error(&format!("{} no answer", kind.name()), error.0.clone()),
    }
}

/// What a retried request finally got, and how many of its tries got no answer.
#[derive(Debug)]
pub struct Tried {
    /// The last try's outcome.
    pub sent: Sent,
    /// Tries that got no answer: a request the server may have carried out
    /// without the browser hearing of it.
    pub unanswered: u32,
}

/// A request to send: method, path, JSON body, and the binding's secret.
#[derive(Debug, Clone)]
pub struct Request {
    method: reqwest::Method,
    path: String,
    body: Option<String>,
    secret: Option<Arc<str>>,
}

impl Request {
    /// `GET path`.
    #[must_use]
    pub fn get(path: impl Into<String>) -> Self {
        Self { method: reqwest::Method::GET, path: path.into(), body: None, secret: None }
    }

    /// `POST path` with a JSON body.
    #[must_use]
    pub fn post(path: impl Into<String>, body: impl Into<String>) -> Self {
        Self { method: reqwest::Method::POST, path: path.into(), body: Some(body.into()), secret: None }
    }

    /// `PUT path` with a JSON body.
    #[must_use]
    pub fn put(path: impl Into<String>, body: impl Into<String>) -> Self {
        Self { method: reqwest::Method::PUT, path: path.into(), body: Some(body.into()), secret: None }
    }

    /// With the attempt's secret (`X-Exam-Secret`).
    #[must_use]
    pub fn secret(mut self, secret: &Arc<str>) -> Self {
        self.secret = Some(Arc::clone(secret));
        self
    }
}

impl Api {
    /// A computer at `source` (or the system's choice of address).
    ///
    /// # Errors
    /// When the HTTP client cannot be built.
    pub fn new(target: &Target, tls: &Tls, source: Option<std::net::IpAddr>) -> Result<Self, DrillError> {
        let mut builder = reqwest::Client::builder()
            .use_preconfigured_tls((**tls).clone())
            .no_proxy()
            .connect_timeout(Duration::from_secs(10))
            .timeout(REQUEST_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(2)
            .tcp_nodelay(true)
            .local_address(source);
        if let Some(pinned) = target.pinned_localhost() {
            builder = builder.resolve("localhost", pinned);
        }
        let client = builder.build().map_err(|e| DrillError::new(format!("the HTTP client: {e}")))?;
        Ok(Self { client, base: Arc::from(target.base.as_str()), session: Session::default() })
    }

    /// Sends `request` once, as this browser.
    pub async fn send(&self, request: Request) -> Sent {
        let mut builder = self.client.request(request.method, format!("{}{}", self.base, request.path));
        if !self.session.cookies.is_empty() {
            let cookie: Vec<String> =
                self.session.cookies.iter().map(|(name, value)| format!("{name}={value}")).collect();
            builder = builder.header("cookie", cookie.join("; "));
        }
        if let Some(csrf) = &self.session.csrf {
            builder = builder.header("x-csrf-token", csrf);
        }
        if let Some(secret) = &request.secret {
            builder = builder.header("x-exam-secret", &**secret);
        }
        if let Some(body) = request.body {
            builder = builder.header("content-type", "application/json").body(body);
        }
        let response = builder.send().await.map_err(|e| NetworkError(describe(&e)))?;
        let status = response.status().as_u16();
        let retry_after =
            response.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse().ok());
        let cookies = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next()?.split_once('='))
            .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
            .collect();
        let body = response.text().await.map_err(|e| NetworkError(describe(&e)))?;
        Ok(Answer { status, retry_after, body, cookies })
    }

    /// Keeps the cookies `answer` set (a sign-in) and the CSRF token of its session view.
    pub fn signed_in(&mut self, answer: &Answer) {
        for (name, value) in &answer.cookies {
            self.session.cookies.retain(|(known, _)| known != name);
            self.session.cookies.push((name.clone(), value.clone()));
        }
        self.session.csrf = answer.json()["csrf_token"].as_str().map(str::to_owned);
    }

    /// Sends `request` until it gets an answer the browser would act on:
    /// after a network failure, a 503 or a 429 it waits (1, 2, 4 … 30 s as
    /// the browser's saver does, never less than `Retry-After`) and tries
    /// again, at most [`MAX_TRIES`] times and never past `stop`. The time
    /// of each answered try is recorded under `kind`; the waits are
    /// counted apart, not as errors.
    pub async fn retrying(&self, stats: &Stats, kind: Kind, request: Request, stop: Instant) -> Tried {
        let mut backoff = Duration::ZERO;
        let mut tried =
            Tried { sent: Err(NetworkError("not sent: the drill's time was up".to_owned())), unanswered: 0 };
        for _ in 0..MAX_TRIES {
            if Instant::now() >= stop {
                break;
            }
            let sent_at = Instant::now();
            tried.sent = self.send(request.clone()).await;
            record(stats, kind, sent_at.elapsed(), &tried.sent);
            backoff = next_backoff(backoff);
            let wait = match &tried.sent {
                // The sign-in page waits out "busy" by itself: Retry-After and up
                // to a second at random, as often as it takes (assets/src/api/session.ts).
                Ok(answer) if kind == Kind::SignIn && answer.status == 503 => {
                    Duration::from_secs(answer.retry_after.unwrap_or(1)) + jitter_up_to_a_second()
                }
                Ok(answer) if matches!(answer.status, 429 | 503) => {
                    backoff.max(Duration::from_secs(answer.retry_after.unwrap_or(1)))
                }
                Ok(_) => return tried,
                Err(_) => {
                    tried.unanswered += 1;
                    backoff
                }
            };
            tokio::time::sleep_until((Instant::now() + wait).min(stop)).await;
        }
        tried
    }
}

/// Up to a second, at random: a hall refused together does not come back together.
fn jitter_up_to_a_second() -> Duration {
    let mut bytes = [0u8; 2];
    crate::random::fill_random(&mut bytes);
    Duration::from_millis(u64::from(u16::from_le_bytes(bytes)) % 1000)
}

/// The browser saver's next pause: 1 s, then doubling, at most 30 s.
#[must_use]
pub fn next_backoff(previous: Duration) -> Duration {
    if previous.is_zero() { Duration::from_secs(1) } else { (previous * 2).min(MAX_BACKOFF) }
}

/// A network error in a few words (reqwest's chain of causes, shortened).
fn describe(error: &reqwest::Error) -> String {
    let mut text = if error.is_timeout() { "timed out".to_owned() } else { error.to_string() };
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text = format!("{text}: {cause}");
        source = cause.source();
    }
    text.chars().take(300).collect()
}

/// A password, exposed only to the request body that carries it.
#[must_use]
pub fn password_body(org: &str, email: &str, password: &SecretString) -> String {
    serde_json::json!({ "org": org, "email": email, "password": password.expose_secret() }).to_string()
}
