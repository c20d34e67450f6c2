//! An S3-compatible bucket as the destination of bundles (`[backup.s3]`):
//! a university's object store (MinIO, Ceph, a cloud's), reached with
//! credentials from the environment or a private file, never the config.
//!
//! A bundle is written whole into the data directory's staging folder
//! (encrypted, as it streams), then uploaded with one `PUT`: an object
//! store makes an object visible under its key only once the upload is
//! complete, so a partial upload is never seen under the final name. It is
//! then read back and checked (size and SHA-256) before it counts; a failed
//! attempt is retried after a pause that doubles, a bounded number of times.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusty_s3::{Bucket, Credentials, S3Action as _, UrlStyle};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// How long a signed request stays valid: long enough for an upload to
/// start, short so that one seen where it should not be is soon worthless.
const SIGNED_FOR: Duration = Duration::from_secs(10 * 60);
/// Attempts per upload in all, and the pause before the second (doubling after).
const ATTEMPTS: u32 = 4;
/// Each attempt's deadline: a minute, plus the bundle's size at the slowest
/// rate a working link gives (1 MiB/s), for the upload and again for reading
/// it back. A store that stalls cannot hold the backup job for longer.
const DEADLINE_FLOOR: Duration = Duration::from_secs(60);
const SLOWEST_BYTES_PER_SECOND: u64 = 1024 * 1024;
const FIRST_PAUSE: Duration = Duration::from_millis(500);
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
    /// `bytes` bytes with SHA-256 `sha256`; retried on failure. Returns its
    /// [`S3Destination::location`].
    ///
    /// # Errors
    /// The last attempt's failure.
    pub async fn upload(&self, file: &Path, name: &str, bytes: u64, sha256: &str) -> Result<PathBuf, String> {
        let key = format!("{}{name}", self.prefix);
        let mut pause = FIRST_PAUSE;
        let mut last = String::new();
        let deadline = DEADLINE_FLOOR + Duration::from_secs(2 * bytes / SLOWEST_BYTES_PER_SECOND);
        for attempt in 1..=ATTEMPTS {
            let tried = tokio::time::timeout(deadline, self.put_and_check(file, &key, bytes, sha256)).await;
            match tried.unwrap_or_else(|_| Err(format!("no answer within {} s", deadline.as_secs()))) {
                Ok(()) => return Ok(self.location(name)),
                Err(error) => {
                    tracing::warn!(attempt, %error, key, "uploading a bundle failed");
                    last = error;
                }
            }
            if attempt < ATTEMPTS {
                tokio::time::sleep(pause).await;
                pause *= 2;
            }
        }
        Err(format!("uploading {key} to bucket {} failed {ATTEMPTS} times; the last: {last}", self.bucket.name()))
    }

    async fn put_and_check(&self, file: &Path, key: &str, bytes: u64, sha256: &str) -> Result<(), String> {
        let url = self.bucket.put_object(Some(&self.credentials), key).sign(SIGNED_FOR);
        let opened = tokio::fs::File::open(file).await.map_err(|e| format!("{}: {e}", file.display()))?;
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
            .map_err(failed)?;
        // 412: an object of this name is there already, from an earlier
        // attempt whose answer was lost; the check below says whether it is this bundle.
        if response.status() != reqwest::StatusCode::PRECONDITION_FAILED {
            answer_ok(response).await?;
        }
        let url = self.bucket.get_object(Some(&self.credentials), key).sign(SIGNED_FOR);
        let mut response = answer_ok(self.client.get(url).send().await.map_err(failed)?).await?;
        let (mut hasher, mut read) = (Sha256::new(), 0u64);
        while let Some(chunk) = response.chunk().await.map_err(failed)? {
            read += chunk.len() as u64;
            if read > bytes {
                return Err(format!("the stored object is larger than the {bytes} bytes uploaded"));
            }
            hasher.update(&chunk);
        }
        let stored = hex::encode(hasher.finalize());
        if read != bytes || stored != sha256 {
            return Err(format!(
                "the stored object does not match what was uploaded ({read} bytes, SHA-256 {stored}; expected {bytes} bytes, {sha256})"
            ));
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
        let url = self.bucket.delete_object(Some(&self.credentials), key).sign(SIGNED_FOR);
        let deleting = tokio::time::timeout(DEADLINE_FLOOR, self.client.delete(url).send()).await;
        let response = deleting.map_err(|_| "no answer within a minute".to_owned())?.map_err(failed)?;
        if response.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(());
        }
        answer_ok(response).await.map(drop)
    }
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
async fn answer_ok(response: reqwest::Response) -> Result<reqwest::Response, String> {
    if response.status().is_success() {
        return Ok(response);
    }
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    let code = body
        .split_once("<Code>")
        .and_then(|(_, rest)| rest.split_once("</Code>"))
        .map(|(code, _)| code.chars().filter(char::is_ascii_alphanumeric).take(MAX_CODE).collect::<String>());
    match code {
        Some(code) if !code.is_empty() => Err(format!("the object store answered {status} ({code})")),
        _ => Err(format!("the object store answered {status}")),
    }
}

/// The credentials: from the environment, or else from `file` (which must
/// be private to this user, like the master key).
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
    let metadata = std::fs::metadata(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let mode = std::os::unix::fs::PermissionsExt::mode(&metadata.permissions()) & 0o777;
    if mode & 0o077 != 0 {
        return Err(format!(
            "the S3 credentials file {} is open to other users (mode {mode:04o}); fix it with: chmod 600 {}",
            file.display(),
            file.display()
        ));
    }
    let text = zeroize::Zeroizing::new(std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?);
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
