//! Configuration: built-in defaults, then the TOML file, then `EXAMHALL_*`
//! environment variables (`__` separates sections: `EXAMHALL_SERVER__LISTEN`),
//! then command-line flags. Unknown keys are errors. Secrets never live here:
//! the master key comes from its own file, the environment or a systemd
//! credential (see [`crate::store::master_key`]).

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

pub use crate::backup::s3::S3Config;

/// The config file read when `--config` is not given (if it exists).
pub const DEFAULT_FILE: &str = "/etc/examhall/examhall.toml";

/// The documented default config, as shipped in `config/examhall.toml`.
pub const EXAMPLE: &str = include_str!("../config/examhall.toml");

/// The top-level keys; only `EXAMHALL_*` variables naming one of them are
/// read as config (others, like `EXAMHALL_MASTER_KEY`, are not config), and
/// within them an unknown key is an error.
/// A test holds it to [`Config`]'s fields.
const TOP_LEVEL_KEYS: &[&str] =
    &["data_dir", "server", "tls", "storage", "log", "auth", "exams", "backup", "retention", "metrics"];

/// Everything examhall can be configured with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Where the databases, keys, certificate and logs live.
    pub data_dir: PathBuf,
    /// Listening sockets and HTTP limits.
    pub server: ServerConfig,
    /// The certificate.
    pub tls: TlsConfig,
    /// Storage tuning and the master key's location.
    pub storage: StorageConfig,
    /// Logging.
    pub log: LogConfig,
    /// Sign-in sessions and one-time links.
    pub auth: AuthConfig,
    /// Rules of taking exams that are the appliance's, not each exam's.
    pub exams: ExamsConfig,
    /// Backups: who can read them, and where they go.
    pub backup: BackupConfig,
    /// Retention: the platform's floor under each organization's policy, and the daily purge.
    pub retention: RetentionConfig,
    /// Prometheus metrics: off unless a listener or a token is configured.
    pub metrics: MetricsConfig,
}

/// Prometheus metrics (`GET /metrics`), off by default. With `listen`, a
/// plain-HTTP listener on a loopback address serves only them; with a
/// token (`token_file`, or the systemd credential `examhall-metrics-token`),
/// the HTTPS listener serves them too, to requests that carry it as a
/// bearer token. Both may be set: the loopback listener then wants the
/// token as well.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsConfig {
    /// A loopback address for a listener that serves only `/metrics`.
    pub listen: Option<SocketAddr>,
    /// A file holding the bearer token (mode 0600, at least 32 characters).
    pub token_file: Option<PathBuf>,
}

/// Retention: the platform's floor under each organization's policy, and the daily purge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetentionConfig {
    /// The fewest days after an exam closed that an organization may keep its data.
    pub minimum_days: u32,
    /// The fewest days an organization may keep its audit entries.
    pub audit_minimum_days: u32,
    /// Whether the server purges what is due by itself, once a day.
    pub automatic: bool,
    /// The hour (UTC, 0 to 23) during which it does; a server not running
    /// then purges the next day.
    pub utc_hour: u8,
}

impl Default for RetentionConfig {
    fn default() -> Self {
        Self { minimum_days: 30, audit_minimum_days: 365, automatic: true, utc_hour: 3 }
    }
}

/// Backups: who can read them, and where they go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BackupConfig {
    /// The backup officers' public keys: age X25519 (`age1...`) or SSH
    /// (`ssh-ed25519 ...`). Every bundle is encrypted to each of them; the
    /// appliance itself cannot read its bundles.
    pub recipients: Vec<String>,
    /// Where bundles go when a command names no `--to`; empty means
    /// `<data_dir>/backups` (a mounted off-site share belongs here).
    pub dir: Option<PathBuf>,
    /// Whether the server backs up each exam when it closes (and again when
    /// its reviews change) by itself, one bundle at a time.
    pub automatic: bool,
    /// Whether it also writes each organization's bundle every night.
    pub nightly: bool,
    /// The hour (UTC, 0 to 23) from which the nightly bundle is made.
    pub nightly_utc_hour: u8,
    /// Whether a retention purge also deletes the bundles that hold only
    /// what it purged (off by default: it needs delete rights on the
    /// destination, which ransomware could use too).
    pub delete_expired: bool,
    /// An S3-compatible bucket as the destination, instead of a folder.
    pub s3: Option<S3Config>,
}

impl Default for BackupConfig {
    fn default() -> Self {
        Self {
            recipients: Vec::new(),
            dir: None,
            automatic: true,
            nightly: true,
            nightly_utc_hour: 2,
            delete_expired: false,
            s3: None,
        }
    }
}

/// Rules of taking exams that are the appliance's, not each exam's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ExamsConfig {
    /// For how many minutes after a student's deadline changes that the
    /// server can prove were queued in time may still arrive (a network drop
    /// at the last moment). They are kept beside the submission for the
    /// instructor to decide, never applied by themselves.
    pub late_window_minutes: u32,
    /// The most an attempt may store, in MiB (its log and late items): far
    /// above any honest exam, so a client gone wrong cannot fill the disk.
    pub attempt_quota_mib: u32,
}

impl Default for ExamsConfig {
    fn default() -> Self {
        Self { late_window_minutes: 10, attempt_quota_mib: 64 }
    }
}

impl ExamsConfig {
    /// The rules a save follows.
    #[must_use]
    pub fn save_rules(&self) -> crate::store::attempts::log::SaveRules {
        crate::store::attempts::log::SaveRules {
            late_window: time::Duration::minutes(i64::from(self.late_window_minutes)),
            quota_bytes: u64::from(self.attempt_quota_mib) * 1024 * 1024,
        }
    }
}

/// Sign-in sessions and one-time links.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    /// A staff session ends after this many minutes without a request.
    pub staff_idle_minutes: u64,
    /// A student session ends after this many minutes without a request
    /// (long enough for the longest exam plus a margin).
    pub student_idle_minutes: u64,
    /// Every session ends this many hours after sign-in.
    pub absolute_hours: u64,
    /// Invitation and password-reset links work for this many hours.
    pub link_valid_hours: u64,
    /// Threads that hash passwords, each holding 19 MiB; 0 means one per
    /// core, at most 4.
    pub hash_threads: usize,
    /// Password checks that may wait for a hashing thread; past this (or a
    /// quarter of it from one address) the server answers 503.
    pub hash_queue: usize,
    /// How much nicer than the rest of the server the hashing threads run,
    /// 0 to 19 (Linux): at 10 a sign-in storm yields the CPU to everyone else.
    pub hash_niceness: i32,
    /// Repeated refusals (wrong passwords, bad links) within this many
    /// seconds become one audit entry with a count.
    pub refusal_window_secs: u64,
}

impl AuthConfig {
    /// The idle timeouts of sessions, by the roles their accounts hold.
    #[must_use]
    pub fn idle_timeouts(&self) -> crate::store::accounts::sessions::IdleTimeouts {
        crate::store::accounts::sessions::IdleTimeouts {
            staff: std::time::Duration::from_secs(self.staff_idle_minutes * 60),
            student: std::time::Duration::from_secs(self.student_idle_minutes * 60),
        }
    }
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            staff_idle_minutes: 30,
            student_idle_minutes: 300,
            absolute_hours: 12,
            link_valid_hours: 72,
            hash_threads: 0,
            hash_queue: 256,
            hash_niceness: 10,
            refusal_window_secs: 60,
        }
    }
}

/// Listening sockets and HTTP limits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// The HTTPS address.
    pub listen: SocketAddr,
    /// A plain-HTTP address that only redirects to HTTPS; empty for none.
    pub redirect_listen: Option<SocketAddr>,
    /// A plain-HTTP address serving the full app, for a TLS-terminating
    /// reverse proxy on the same machine. Must be a loopback address.
    pub loopback_http_listen: Option<SocketAddr>,
    /// A request that takes longer is answered with 408.
    pub request_timeout_secs: u64,
    /// The largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// How long shutdown waits for requests in flight.
    pub shutdown_grace_secs: u64,
    /// Reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpAddr>,
    /// The address people open (`https://exams.example.edu`), used in the
    /// links examhall prints; empty means `https://localhost:<port>`.
    pub public_url: Option<String>,
    /// A connection must finish its TLS handshake, and each HTTP/1 request
    /// its headers, within this many seconds.
    pub header_read_timeout_secs: u64,
    /// A connection on which nothing is read or written for this many
    /// seconds is closed (HTTP/1 and HTTP/2). Longer than a request may take.
    pub idle_timeout_secs: u64,
    /// Open connections, all addresses together.
    pub max_connections: usize,
    /// Open connections from one address (a whole exam hall behind NAT).
    pub max_connections_per_address: usize,
}

/// The certificate and key. Empty paths mean `<data_dir>/tls/cert.pem` and `key.pem`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TlsConfig {
    /// PEM certificate chain.
    pub cert_file: Option<PathBuf>,
    /// PEM private key.
    pub key_file: Option<PathBuf>,
}

/// Storage tuning and the master key's location.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StorageConfig {
    /// The master key file; empty means `<data_dir>/master.key`.
    pub master_key_file: Option<PathBuf>,
    /// Read connections per database.
    pub read_connections: usize,
    /// Writes that may share one commit.
    pub write_batch_limit: usize,
    /// Checkpoint each database on a thread beside its writer, after
    /// commits; false leaves it to the writer, inside a commit.
    pub background_checkpoints: bool,
}

/// Log output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// Folder of the daily log files; empty means `<data_dir>/logs`.
    pub dir: Option<PathBuf>,
    /// `text` or `json`.
    pub format: LogFormat,
    /// A tracing filter (`info`, `examhall=debug,info`).
    pub level: String,
    /// How many days of log files are kept; older ones are removed.
    pub keep_days: u32,
}

/// The shape of log lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log shippers.
    Json,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("/var/lib/examhall"),
            server: ServerConfig::default(),
            tls: TlsConfig::default(),
            storage: StorageConfig::default(),
            log: LogConfig::default(),
            auth: AuthConfig::default(),
            exams: ExamsConfig::default(),
            backup: BackupConfig::default(),
            retention: RetentionConfig::default(),
            metrics: MetricsConfig::default(),
        }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([0, 0, 0, 0], 8443)),
            redirect_listen: None,
            loopback_http_listen: None,
            request_timeout_secs: 30,
            max_body_bytes: 2 * 1024 * 1024,
            shutdown_grace_secs: 10,
            trusted_proxies: Vec::new(),
            public_url: None,
            header_read_timeout_secs: 10,
            idle_timeout_secs: 60,
            max_connections: 8192,
            max_connections_per_address: 2048,
        }
    }
}

impl Default for StorageConfig {
    fn default() -> Self {
        Self { master_key_file: None, read_connections: 4, write_batch_limit: 1024, background_checkpoints: true }
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        Self { dir: None, format: LogFormat::Text, level: "info".to_owned(), keep_days: 30 }
    }
}

/// Why the configuration was refused. Names the key, never echoes a value
/// (a value put in the wrong key may be a secret).
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The named file does not exist.
    #[error("the config file {0} does not exist")]
    MissingFile(PathBuf),
    /// A key is unknown or has the wrong type.
    #[error("{0}")]
    Invalid(String),
}

impl Config {
    /// Layers defaults, the config file (`file`, or [`DEFAULT_FILE`] when it
    /// exists) and the environment.
    ///
    /// # Errors
    /// A missing `--config` file, an unknown key, a value of the wrong type,
    /// or a value that fails [`Config::validate`].
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Self::default()));
        match file {
            Some(path) if !path.exists() => return Err(ConfigError::MissingFile(path.to_owned())),
            Some(path) => figment = figment.merge(Toml::file_exact(path)),
            None if Path::new(DEFAULT_FILE).exists() => figment = figment.merge(Toml::file_exact(DEFAULT_FILE)),
            None => {}
        }
        let env = Env::prefixed("EXAMHALL_")
            .filter(|key| {
                let key = key.as_str().to_ascii_lowercase();
                key.split("__").next().is_some_and(|top| TOP_LEVEL_KEYS.contains(&top))
            })
            .split("__");
        figment = figment.merge(env);
        let config: Self = figment.extract().map_err(|error| ConfigError::Invalid(describe(&error)))?;
        config.validate()?;
        Ok(config)
    }

    /// Checks rules that types cannot express.
    ///
    /// # Errors
    /// The first broken rule, named by its key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |message: &str| Err(ConfigError::Invalid(message.to_owned()));
        if self.server.loopback_http_listen.is_some_and(|address| !address.ip().is_loopback()) {
            return invalid(
                "server.loopback_http_listen: must be a loopback address (127.0.0.1 or ::1); plain HTTP never leaves the machine",
            );
        }
        if self.server.request_timeout_secs == 0 {
            return invalid("server.request_timeout_secs: must be at least 1");
        }
        if self.server.max_body_bytes < 1024 {
            return invalid("server.max_body_bytes: must be at least 1024");
        }
        let server = &self.server;
        if server.header_read_timeout_secs == 0 || server.idle_timeout_secs <= server.request_timeout_secs {
            return invalid(
                "server.header_read_timeout_secs: at least 1; server.idle_timeout_secs: longer than server.request_timeout_secs",
            );
        }
        if server.max_connections_per_address == 0 || server.max_connections < server.max_connections_per_address {
            return invalid("server.max_connections: at least server.max_connections_per_address, which is at least 1");
        }
        if self.auth.hash_queue == 0 || self.auth.hash_threads > 64 || self.auth.refusal_window_secs == 0 {
            return invalid("auth.hash_queue and auth.refusal_window_secs: at least 1; auth.hash_threads: at most 64");
        }
        if !(0..=19).contains(&self.auth.hash_niceness) {
            return invalid("auth.hash_niceness: from 0 (as the rest of the server) to 19 (the lowest priority)");
        }
        if self.storage.read_connections == 0 || self.storage.write_batch_limit == 0 {
            return invalid("storage.read_connections and storage.write_batch_limit: must be at least 1");
        }
        if self.retention.utc_hour > 23 {
            return invalid("retention.utc_hour: an hour of the day, 0 to 23 (UTC)");
        }
        if self.retention.minimum_days == 0 {
            return invalid("retention.minimum_days: at least 1");
        }
        if self.backup.nightly_utc_hour > 23 {
            return invalid("backup.nightly_utc_hour: an hour of the day, 0 to 23 (UTC)");
        }
        if let Some(s3) = &self.backup.s3
            && let Err(problem) = crate::backup::s3::check(s3)
        {
            return Err(ConfigError::Invalid(problem));
        }
        if let Err(problem) = crate::backup::parse_recipients(&self.backup.recipients) {
            return Err(ConfigError::Invalid(problem));
        }
        if self.server.public_url.as_deref().is_some_and(|url| !url.starts_with("https://")) {
            return invalid("server.public_url: an https:// address, e.g. https://exams.example.edu");
        }
        let auth = &self.auth;
        if [auth.staff_idle_minutes, auth.student_idle_minutes, auth.absolute_hours, auth.link_valid_hours].contains(&0)
        {
            return invalid("auth: every timeout must be at least 1");
        }
        if self.exams.late_window_minutes > 24 * 60 {
            return invalid("exams.late_window_minutes: at most 1440 (a day)");
        }
        if self.exams.attempt_quota_mib == 0 {
            return invalid("exams.attempt_quota_mib: must be at least 1");
        }
        if self.log.keep_days == 0 {
            return invalid("log.keep_days: at least 1 (today's file)");
        }
        if self.metrics.listen.is_some_and(|address| !address.ip().is_loopback()) {
            return invalid(
                "metrics.listen: must be a loopback address (127.0.0.1 or ::1); put it behind the HTTPS listener with metrics.token_file to reach it from elsewhere",
            );
        }
        if self.log.level.parse::<tracing_subscriber::EnvFilter>().is_err() {
            return invalid("log.level: not a valid filter (try \"info\" or \"examhall=debug,info\")");
        }
        Ok(())
    }

    /// The data directory's layout.
    #[must_use]
    pub fn data(&self) -> crate::store::data_dir::DataDir {
        crate::store::data_dir::DataDir::new(&self.data_dir)
    }

    /// The master key file in effect.
    #[must_use]
    pub fn master_key_file(&self) -> PathBuf {
        self.storage.master_key_file.clone().unwrap_or_else(|| self.data().default_master_key())
    }

    /// The certificate and key files in effect.
    #[must_use]
    pub fn tls_files(&self) -> (PathBuf, PathBuf) {
        let tls = self.data().tls();
        (
            self.tls.cert_file.clone().unwrap_or_else(|| tls.join("cert.pem")),
            self.tls.key_file.clone().unwrap_or_else(|| tls.join("key.pem")),
        )
    }

    /// The log folder in effect.
    #[must_use]
    pub fn log_dir(&self) -> PathBuf {
        self.log.dir.clone().unwrap_or_else(|| self.data().default_logs())
    }

    /// The folder backups go to by default.
    #[must_use]
    pub fn backup_dir(&self) -> PathBuf {
        self.backup.dir.clone().unwrap_or_else(|| self.data_dir.join("backups"))
    }
}

/// Describes a figment error by key and kind only, without the offending value.
fn describe(error: &figment::Error) -> String {
    use figment::error::Kind;
    let mut lines = Vec::new();
    for error in error.clone() {
        let key = if error.path.is_empty() { "config".to_owned() } else { error.path.join(".") };
        let source = error.metadata.as_ref().map(|m| format!(" (from {})", m.name)).unwrap_or_default();
        let what = match &error.kind {
            Kind::UnknownField(field, _) => {
                let full = if error.path.last() == Some(field) || error.path.is_empty() {
                    error.path.join(".").max(field.clone())
                } else {
                    format!("{key}.{field}")
                };
                format!("unknown key `{full}`{source}; see `examhall config example` for every key")
            }
            Kind::InvalidType(_, expected) | Kind::InvalidValue(_, expected) => {
                format!("`{key}`{source}: expected {expected}")
            }
            Kind::UnknownVariant(_, expected) => format!("`{key}`{source}: expected one of {}", expected.join(", ")),
            Kind::MissingField(field) => format!("`{key}.{field}`{source}: missing"),
            Kind::Message(message) if !message.contains('=') => format!("`{key}`{source}: {message}"),
            _ => format!("`{key}`{source}: invalid value"),
        };
        lines.push(what);
    }
    lines.join("; ")
}

#[cfg(test)]
#[allow(clippy::result_large_err, reason = "figment::Jail's closures return figment::Error")]
mod tests {
    use super::*;
    use figment::Jail;

    #[test]
    fn every_section_of_the_config_can_be_set_from_the_environment() {
        let defaults = serde_json::to_value(Config::default()).unwrap();
        let mut sections: Vec<&str> = defaults.as_object().unwrap().keys().map(String::as_str).collect();
        let mut listed = TOP_LEVEL_KEYS.to_vec();
        sections.sort_unstable();
        listed.sort_unstable();
        assert_eq!(listed, sections, "TOP_LEVEL_KEYS names every top-level key of Config, and no other");
        Jail::expect_with(|jail| {
            jail.create_file("e.toml", "")?;
            jail.set_env("EXAMHALL_RETENTION__UTC_HOUR", "5");
            assert_eq!(Config::load(Some(Path::new("e.toml"))).unwrap().retention.utc_hour, 5);
            Ok(())
        });
    }

    #[test]
    fn the_shipped_example_is_exactly_the_defaults() {
        let example: Config = Figment::from(Toml::string(EXAMPLE)).extract().unwrap();
        assert_eq!(example, Config::default());
    }

    #[test]
    fn the_file_then_the_environment_override_the_defaults() {
        Jail::expect_with(|jail| {
            jail.create_file("e.toml", "data_dir = \"/srv/exams\"\n[server]\nlisten = \"127.0.0.1:9443\"\n")?;
            jail.set_env("EXAMHALL_SERVER__REQUEST_TIMEOUT_SECS", "12");
            jail.set_env("EXAMHALL_MASTER_KEY", "not a config key");
            jail.set_env("EXAMHALL_STORAGE__READ_CONNECTIONS", "2");
            let config = Config::load(Some(Path::new("e.toml"))).unwrap();
            assert_eq!(config.data_dir, PathBuf::from("/srv/exams"));
            assert_eq!(config.server.listen.port(), 9443);
            assert_eq!(config.server.request_timeout_secs, 12);
            assert_eq!(config.storage.read_connections, 2);
            jail.set_env("EXAMHALL_SERVER__LISTN", "127.0.0.1:1");
            let error = Config::load(Some(Path::new("e.toml"))).unwrap_err().to_string();
            assert!(error.contains("server.listn"), "{error}");
            Ok(())
        });
    }

    #[test]
    fn unknown_keys_and_bad_values_are_named_without_echoing_the_value() {
        Jail::expect_with(|jail| {
            jail.create_file("e.toml", "[storage]\nmaster_key = \"s3cret-canary\"\n")?;
            let error = Config::load(Some(Path::new("e.toml"))).unwrap_err().to_string();
            assert!(error.contains("storage.master_key"), "{error}");
            assert!(!error.contains("s3cret-canary"), "{error}");
            jail.create_file("f.toml", "[server]\nlisten = \"s3cret-canary\"\n")?;
            let error = Config::load(Some(Path::new("f.toml"))).unwrap_err().to_string();
            assert!(error.contains("server.listen"), "{error}");
            assert!(!error.contains("s3cret-canary"), "{error}");
            jail.create_file("g.toml", "[server]\nloopback_http_listen = \"0.0.0.0:8080\"\n")?;
            let error = Config::load(Some(Path::new("g.toml"))).unwrap_err().to_string();
            assert!(error.contains("loopback"), "{error}");
            assert!(matches!(Config::load(Some(Path::new("missing.toml"))), Err(ConfigError::MissingFile(_))));
            Ok(())
        });
    }
}
