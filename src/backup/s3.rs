//! An S3-compatible bucket as the destination of bundles (`[backup.s3]`):
//! a university's object store (MinIO, Ceph, a cloud's), reached with
//! credentials from the environment or a private file, never the config.
//!
//! A bundle is written whole into the data directory's staging folder
//! (encrypted, as it streams), then uploaded with one `PUT`: an object
//! store makes an object visible under its key only once the upload is
//! complete, so a partial upload is never seen under the final name. It is
//! then read back and checked (size and SHA-256) before it counts. A
//! failure that may pass (no answer, a timeout, 5xx, 408, 429) is retried
//! after a pause that doubles, a bounded number of times within one overall
//! time budget; any other is not. An object this upload stored that does not
//! check out is deleted, so the bucket holds no bundle that no record names.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusty_s3::{Bucket, Credentials, S3Action as _, UrlStyle};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// How long a signed request stays valid: long enough for an upload to
/// start, short so that one seen where it should not be is soon worthless.
const SIGNED_FOR: Duration = Duration::from_secs(10 * 60);
/// Attempts per upload at most, and the pause before the second (doubling after).
const ATTEMPTS: u32 = 4;
const FIRST_PAUSE: Duration = Duration::from_millis(500);
/// One attempt's deadline ([`attempt_deadline`]): a minute, plus the
/// bundle's size at the slowest rate a working link gives (1 MiB/s), for the
/// upload and again for reading it back. All attempts together, pauses
/// included, get twice that ([`BUDGET_ATTEMPTS`]), and deleting an object
/// that did not check out one minute more: a store that stalls cannot hold
/// the backup job for longer.
const DEADLINE_FLOOR: Duration = Duration::from_secs(60);
const SLOWEST_BYTES_PER_SECOND: u64 = 1024 * 1024;
/// The overall budget of an upload, in single attempts' deadlines.
const BUDGET_ATTEMPTS: u32 = 2;
/// The most of a store's error code kept for the message.
const MAX_CODE: usize = 64;

/// An S3-compatible bucket bundles go to. Credentials come from the
/// environment (`EXAMHALL_S3_ACCESS_KEY_ID`, `EXAMHALL_S3_SECRET_ACCESS_KEY`)
/// or `credentials_file`, never from this file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct S3Config {
    /// The store's address (`https://s3.example.edu`).
    pub endpoint: String,
    /// The bucket; it must exist.
    pub bucket: String,
    /// Put before each bundle's name (`examhall/`).
    #[serde(default)]
    pub prefix: String,
    /// The region the store expects in signatures.
    #[serde(default = "default_region")]
    pub region: String,
    /// Path-style addresses (`endpoint/bucket/key`), which most
    /// self-hosted stores need; `false` for `bucket.endpoint/key`.
    #[serde(default = "path_style_default")]
    pub path_style: bool,
    /// A private file (mode 0600) holding `access_key_id` and `secret_access_key`.
    #[serde(default)]
    pub credentials_file: Option<PathBuf>,
    /// A certificate authority to trust besides the system's (PEM).
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
}

fn default_region() -> String {
    "us-east-1".to_owned()
}

const fn path_style_default() -> bool {
    true
}

/// The environment variables holding the credentials.
pub const KEY_VARIABLE: &str = "EXAMHALL_S3_ACCESS_KEY_ID";
/// See [`KEY_VARIABLE`].
pub const SECRET_VARIABLE: &str = "EXAMHALL_S3_SECRET_ACCESS_KEY";

/// A bucket bundles go to.
pub struct S3Destination {
    bucket: Bucket,
    credentials: Credentials,
    prefix: String,
    client: reqwest::Client,
}

impl std::fmt::Debug for S3Destination {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Destination").field("bucket", &self.bucket.name()).finish_non_exhaustive()
    }
}

/// The credentials file: `access_key_id` and `secret_access_key`, in TOML.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CredentialsFile {
    access_key_id: String,
    secret_access_key: String,
}

/// Checks the configuration's address and bucket (not the credentials,
/// which the service's environment may hold and a shell's not).
///
/// # Errors
/// What is wrong.
pub fn check(config: &S3Config) -> Result<(), String> {
    bucket(config).map(drop)
}

fn bucket(config: &S3Config) -> Result<Bucket, String> {
    let endpoint: url::Url =
        config.endpoint.parse().map_err(|e| format!("backup.s3.endpoint {:?}: {e}", config.endpoint))?;
    // Signed addresses travel in the request: over plain HTTP anyone on the
    // way could replay them, so only a store on this machine may use it.
    let loopback = match endpoint.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name == "localhost",
        None => false,
    };
    if endpoint.scheme() == "http" && !loopback {
        return Err(format!(
            "backup.s3.endpoint {:?}: use https:// (plain http is allowed only for a store on this machine)",
            config.endpoint
        ));
    }
    if config.bucket.is_empty() {
        return Err("backup.s3.bucket: the bucket's name".to_owned());
    }
    let style = if config.path_style { UrlStyle::Path } else { UrlStyle::VirtualHost };
    Bucket::new(endpoint, style, config.bucket.clone(), config.region.clone())
        .map_err(|e| format!("backup.s3.endpoint: {e} (an http:// or https:// address with a host)"))
}

impl S3Destination {
    /// The destination `config` describes, with its credentials.
    ///
    /// # Errors
    /// What is wrong with the configuration or the credentials, and what to do.
    pub fn new(config: &S3Config) -> Result<Self, String> {
        let bucket = bucket(config)?;
        let credentials = credentials(config.credentials_file.as_deref())?;
        let client = client(config.ca_file.as_deref())?;
        let prefix = match config.prefix.trim_matches('/') {
            "" => String::new(),
            trimmed => format!("{trimmed}/"),
        };
        Ok(Self { bucket, credentials, prefix, client })
    }

    /// Where a bundle named `name` goes, as `backup list` shows it.
    #[must_use]
    pub fn location(&self, name: &str) -> PathBuf {
        PathBuf::from(format!("s3://{}/{}{name}", self.bucket.name(), self.prefix))
    }

    /// Uploads `file` as `name`, then reads it back and checks that it has
    /// `bytes` bytes with SHA-256 `sha256`; retried on a failure that may
    /// pass. Returns its [`S3Destination::location`].
    ///
    /// # Errors
    /// The failure that ended it (the last attempt's, when retried), and
    /// what became of an object it stored that did not check out.
    pub async fn upload(&self, file: &Path, name: &str, bytes: u64, sha256: &str) -> Result<PathBuf, String> {
        let key = format!("{}{name}", self.prefix);
        let per_attempt = attempt_deadline(bytes);
        let give_up = tokio::time::Instant::now() + per_attempt * BUDGET_ATTEMPTS;
        let mut object = Object::Unknown;
        let mut pause = FIRST_PAUSE;
        let mut attempt = 0;
        let failure = loop {
            attempt += 1;
            let deadline = per_attempt.min(give_up.saturating_duration_since(tokio::time::Instant::now()));
            let tried = tokio::time::timeout(deadline, self.attempt(file, &key, bytes, sha256, &mut object)).await;
            let failure = match tried {
                Ok(Ok(())) => return Ok(self.location(name)),
                Ok(Err(failure)) => failure,
                Err(_) => Failure::Passing(format!("no answer within {} s", deadline.as_secs())),
            };
            tracing::warn!(attempt, error = failure.text(), key, "uploading a bundle failed");
            match failure {
                Failure::Passing(_) if attempt < ATTEMPTS && tokio::time::Instant::now() + pause < give_up => {
                    tokio::time::sleep(pause).await;
                    pause *= 2;
                }
                failure => break failure,
            }
        };
        let bucket = self.bucket.name();
        let mut error = match &failure {
            Failure::Passing(last) if attempt > 1 => {
                format!("uploading {key} to bucket {bucket} failed {attempt} times; the last: {last}")
            }
            Failure::Passing(last) => format!("uploading {key} to bucket {bucket} failed: {last}"),
            Failure::Lasting(error) => {
                format!("uploading {key} to bucket {bucket} failed, not retried (it would fail the same way): {error}")
            }
            Failure::Mismatch(error) => format!("uploading {key} to bucket {bucket} failed, not retried: {error}"),
        };
        let location = self.location(name);
        match object {
            // Not counted, so no record names it: it goes, or an admin is told where it is.
            Object::Put => match self.delete_key(&key).await {
                Ok(()) => error.push_str("; the object it stored was deleted"),
                Err(e) => {
                    let _ = write!(
                        error,
                        "; deleting the object it stored failed too ({e}): remove {} by hand",
                        location.display()
                    );
                }
            },
            // Not this upload's (as far as it knows): another bundle of the
            // same name is never replaced, nor deleted.
            Object::WasThere if matches!(failure, Failure::Mismatch(_)) => {
                let _ = write!(
                    error,
                    "; {} was there before this upload and is left as it is: check it",
                    location.display()
                );
            }
            Object::Unknown | Object::WasThere => {}
        }
        Err(error)
    }

    /// One attempt: the `PUT`, unless an earlier attempt had an answer to
    /// its own (noted in `object`), then the read-back check.
    async fn attempt(
        &self,
        file: &Path,
        key: &str,
        bytes: u64,
        sha256: &str,
        object: &mut Object,
    ) -> Result<(), Failure> {
        if *object == Object::Unknown {
            let url = self.bucket.put_object(Some(&self.credentials), key).sign(SIGNED_FOR);
            let opened =
                tokio::fs::File::open(file).await.map_err(|e| Failure::Lasting(format!("{}: {e}", file.display())))?;
            let body = reqwest::Body::wrap_stream(tokio_util::io::ReaderStream::new(opened));
            let response = self
                .client
                .put(url)
                .header(reqwest::header::CONTENT_LENGTH, bytes)
                // A second bundle of the same name never replaces the first.
                .header(reqwest::header::IF_NONE_MATCH, "*")
                .body(body)
                .send()
                .await
                .map_err(passing)?;
            // 412: an object of this name is there already, from an earlier
            // attempt whose answer was lost (or another bundle of the same
            // name); the check below says whether it is this bundle.
            if response.status() == reqwest::StatusCode::PRECONDITION_FAILED {
                *object = Object::WasThere;
            } else {
                answer_ok(response).await?;
                *object = Object::Put;
            }
        }
        self.check(key, bytes, sha256).await
    }

    /// Reads the object under `key` back: is it `bytes` bytes with SHA-256 `sha256`?
    async fn check(&self, key: &str, bytes: u64, sha256: &str) -> Result<(), Failure> {
        let url = self.bucket.get_object(Some(&self.credentials), key).sign(SIGNED_FOR);
        let mut response = answer_ok(self.client.get(url).send().await.map_err(passing)?).await?;
        let (mut hasher, mut read) = (Sha256::new(), 0u64);
        while let Some(chunk) = response.chunk().await.map_err(passing)? {
            read += chunk.len() as u64;
            if read > bytes {
                return Err(Failure::Mismatch(format!("the stored object is larger than the {bytes} bytes uploaded")));
            }
            hasher.update(&chunk);
        }
        let stored = hex::encode(hasher.finalize());
        if read != bytes || stored != sha256 {
            return Err(Failure::Mismatch(format!(
                "the stored object does not match what was uploaded ({read} bytes, SHA-256 {stored}; expected {bytes} bytes, {sha256})"
            )));
        }
        Ok(())
    }

    /// Deletes the bundle at `location` (one of this bucket's); one already gone counts as deleted.
    ///
    /// # Errors
    /// The store's refusal, or a location of another bucket.
    pub async fn delete(&self, location: &str) -> Result<(), String> {
        let bucket = format!("s3://{}/", self.bucket.name());
        let key = location
            .strip_prefix(&bucket)
            .filter(|key| key.starts_with(&self.prefix) && !key.contains(".."))
            .ok_or_else(|| format!("{location} is not under the configured bucket and prefix"))?;
        self.delete_key(key).await
    }

    /// Deletes the object under `key`, within a minute; one already gone counts as deleted.
    async fn delete_key(&self, key: &str) -> Result<(), String> {
        let url = self.bucket.delete_object(Some(&self.credentials), key).sign(SIGNED_FOR);
        let deleting = async {
            let response = self.client.delete(url).send().await.map_err(failed)?;
            if response.status() == reqwest::StatusCode::NOT_FOUND {
                return Ok(());
            }
            answer_ok(response).await.map(drop).map_err(|refused| refused.text)
        };
        tokio::time::timeout(DEADLINE_FLOOR, deleting).await.map_err(|_| "no answer within a minute".to_owned())?
    }
}

/// One attempt's deadline for a bundle of `bytes` bytes (see [`DEADLINE_FLOOR`]).
fn attempt_deadline(bytes: u64) -> Duration {
    DEADLINE_FLOOR + Duration::from_secs((bytes / SLOWEST_BYTES_PER_SECOND).saturating_mul(2))
}

/// What an upload knows of the object under its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Object {
    /// Nothing yet, or a `PUT` whose answer was lost.
    Unknown,
    /// The store took this upload's `PUT`: the object is this upload's.
    Put,
    /// The store refused the `PUT`: an object of this name was there already.
    WasThere,
}

/// Why an attempt failed, and so whether to try again.
#[derive(Debug)]
enum Failure {
    /// It may pass: no answer, a timeout, or the store's 5xx, 408 or 429.
    Passing(String),
    /// The same request would fail the same way (another 4xx, an unreadable file).
    Lasting(String),
    /// The object under the key is not what was uploaded: another try would read the same.
    Mismatch(String),
}

impl Failure {
    fn text(&self) -> &str {
        match self {
            Self::Passing(text) | Self::Lasting(text) | Self::Mismatch(text) => text,
        }
    }
}

/// The store's answer other than success: its status, and the message
/// [`answer_ok`] made of it.
#[derive(Debug)]
struct Refused {
    status: reqwest::StatusCode,
    text: String,
}

impl From<Refused> for Failure {
    fn from(refused: Refused) -> Self {
        use reqwest::StatusCode;
        let status = refused.status;
        if status.is_server_error() || status == StatusCode::REQUEST_TIMEOUT || status == StatusCode::TOO_MANY_REQUESTS
        {
            Self::Passing(refused.text)
        } else {
            Self::Lasting(refused.text)
        }
    }
}

/// A request that got no answer (or a cut one): worth another try.
fn passing(error: reqwest::Error) -> Failure {
    Failure::Passing(failed(error))
}

/// A failed request, described without its address: a signed address is a
/// credential until it expires, and this text reaches logs, the audit log
/// and the org admin's page.
fn failed(error: reqwest::Error) -> String {
    error.without_url().to_string()
}

/// The response, or its status and the store's error code as an error. The
/// rest of the store's answer stays out: S3 error bodies echo the access key
/// and the string that was signed.
async fn answer_ok(response: reqwest::Response) -> Result<reqwest::Response, Refused> {
    if response.status().is_success() {
        return Ok(response);
    }
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    let code = body
        .split_once("<Code>")
        .and_then(|(_, rest)| rest.split_once("</Code>"))
        .map(|(code, _)| code.chars().filter(char::is_ascii_alphanumeric).take(MAX_CODE).collect::<String>());
    let text = match code {
        Some(code) if !code.is_empty() => format!("the object store answered {status} ({code})"),
        _ => format!("the object store answered {status}"),
    };
    Err(Refused { status, text })
}

/// The credentials: from the environment, or else from `file` (which must
/// be private to this user, checked as the master key's file is).
fn credentials(file: Option<&Path>) -> Result<Credentials, String> {
    let from_env = |name| std::env::var(name).ok().filter(|value: &String| !value.is_empty());
    match (from_env(KEY_VARIABLE), from_env(SECRET_VARIABLE)) {
        (Some(key), Some(secret)) => return Ok(Credentials::new(key, secret)),
        (None, None) => {}
        _ => {
            return Err(format!(
                "set both {KEY_VARIABLE} and {SECRET_VARIABLE}, or neither (to use backup.s3.credentials_file)"
            ));
        }
    }
    let Some(file) = file else {
        return Err(format!(
            "backup.s3 has no credentials: set {KEY_VARIABLE} and {SECRET_VARIABLE}, or backup.s3.credentials_file"
        ));
    };
    let io = |e: std::io::Error| format!("backup.s3.credentials_file {}: {e}", file.display());
    // The file checked is the file read: one handle for both.
    let mut opened = std::fs::File::open(file).map_err(io)?;
    let metadata = opened.metadata().map_err(io)?;
    crate::private_path::check(file, &metadata).map_err(|e| format!("backup.s3.credentials_file: {e}"))?;
    // Sized up front, so that no copy of the secret is left behind by growing.
    let capacity = usize::try_from(metadata.len()).unwrap_or(0).min(64 * 1024) + 1;
    let mut text = zeroize::Zeroizing::new(String::with_capacity(capacity));
    std::io::Read::read_to_string(&mut opened, &mut text).map_err(io)?;
    let parsed: CredentialsFile = toml::from_str(&text)
        .map_err(|_| format!("{}: expected access_key_id = \"...\" and secret_access_key = \"...\"", file.display()))?;
    Ok(Credentials::new(parsed.access_key_id, parsed.secret_access_key))
}

/// An HTTPS client trusting the system's certificate authorities (a
/// university's own included, once IT installed it) and `ca_file` if given.
fn client(ca_file: Option<&Path>) -> Result<reqwest::Client, String> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject as _;
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(cert);
    }
    if let Some(file) = ca_file {
        let certs = CertificateDer::pem_file_iter(file).map_err(|e| format!("{}: {e}", file.display()))?;
        for cert in certs {
            roots.add(cert.map_err(|e| format!("{}: {e}", file.display()))?).map_err(|e| e.to_string())?;
        }
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .connect_timeout(Duration::from_secs(10))
        // A signed request goes to the store it was signed for, nowhere else.
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: impl Into<String>) -> reqwest::Response {
        reqwest::Response::from(http::Response::builder().status(status).body(body.into()).unwrap())
    }

    #[tokio::test]
    async fn a_stores_error_answer_keeps_its_status_and_code_and_nothing_else() {
        let body = "<Error><Code>SignatureDoesNotMatch</Code><AWSAccessKeyId>AKIAEXAMPLE</AWSAccessKeyId>\
                    <StringToSign>secret-ish</StringToSign></Error>";
        let refused = answer_ok(answer(403, body)).await.unwrap_err();
        assert_eq!(refused.text, "the object store answered 403 Forbidden (SignatureDoesNotMatch)");
        assert!(matches!(Failure::from(refused), Failure::Lasting(_)), "a 403 is not tried again");

        // A code is kept only as letters and digits, and only so long.
        let refused = answer_ok(answer(400, "<Code>Bad<b>&amp;</Code>")).await.unwrap_err();
        assert_eq!(refused.text, "the object store answered 400 Bad Request (Badbamp)");
        let refused = answer_ok(answer(404, format!("<Code>{}</Code>", "A".repeat(500)))).await.unwrap_err();
        assert_eq!(refused.text, format!("the object store answered 404 Not Found ({})", "A".repeat(MAX_CODE)));
        let refused = answer_ok(answer(500, "AKIAEXAMPLE went wrong")).await.unwrap_err();
        assert_eq!(refused.text, "the object store answered 500 Internal Server Error");

        for (status, again) in [(500, true), (503, true), (408, true), (429, true), (404, false), (412, false)] {
            let failure = Failure::from(answer_ok(answer(status, "")).await.unwrap_err());
            assert_eq!(matches!(failure, Failure::Passing(_)), again, "{status}");
        }
        assert!(answer_ok(answer(200, "")).await.is_ok());
    }

    #[tokio::test]
    async fn a_request_that_gets_no_answer_fails_without_its_signed_address() {
        // A loopback port nothing listens on.
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let config = S3Config {
            endpoint: format!("http://127.0.0.1:{port}"),
            bucket: "bundles".to_owned(),
            prefix: "examhall/".to_owned(),
            region: default_region(),
            path_style: true,
            credentials_file: None,
            ca_file: None,
        };
        let destination = S3Destination {
            bucket: bucket(&config).unwrap(),
            credentials: Credentials::new("AKIAEXAMPLE", "the-secret-access-key"),
            prefix: "examhall/".to_owned(),
            client: client(None).unwrap(),
        };
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("bundle");
        std::fs::write(&file, b"the bundle").unwrap();

        let error = destination.upload(&file, "b.tar.zst.age", 10, &"0".repeat(64)).await.unwrap_err();
        assert!(error.contains(&format!("failed {ATTEMPTS} times")), "no answer is tried again: {error}");
        for secret in ["X-Amz-Signature", "X-Amz-Credential", "AKIAEXAMPLE", "the-secret-access-key", "http://"] {
            assert!(!error.contains(secret), "{secret} in {error}");
        }
        let error = destination.delete("s3://bundles/examhall/b.tar.zst.age").await.unwrap_err();
        for secret in ["X-Amz-Signature", "X-Amz-Credential", "AKIAEXAMPLE", "the-secret-access-key", "http://"] {
            assert!(!error.contains(secret), "{secret} in {error}");
        }
    }
}
