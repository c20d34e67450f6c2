//! `examhall init`: a new data directory with its master key, platform
//! database and self-signed certificate. Never overwrites anything; if a
//! step fails, what it made is removed again.

use std::path::PathBuf;
use std::sync::Arc;

use super::CliError;
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::store::keys::MasterKey;
use crate::store::platform::Platform;
use crate::store::{OpenOptions, master_key};
use crate::tls;

/// Options of `examhall init`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Extra host names or IP addresses for the self-signed certificate
    /// (the server's name on the campus network). Repeatable.
    #[arg(long = "host", value_name = "NAME")]
    pub hosts: Vec<String>,
}

/// What `init` made.
pub struct Initialised {
    /// The master key file.
    pub master_key_file: PathBuf,
    /// The platform database.
    pub platform_db: PathBuf,
    /// The certificate, if one was generated.
    pub cert_file: PathBuf,
    /// Its SHA-256 fingerprint.
    pub fingerprint: String,
}

/// Runs `examhall init` and prints what it made, with the set-up link.
pub async fn run(config: &Config, args: &Args) -> Result<(), CliError> {
    let made = initialise(config, &args.hosts)?;
    let token = super::setup_link::issue(config).await;
    let base = base_url(config, &args.hosts);
    let link = token.map(|token| super::setup_link::link_url(&base, &token));
    let platform = super::open_platform(config, None)?;
    let signing = platform.signing_key(SystemClock.now()).await;
    platform.db().close().await;
    let signing = signing?.public();
    println!("examhall is initialised in {}", config.data_dir.display());
    println!("  master key    {} (mode 0600)", made.master_key_file.display());
    println!("  platform db   {}", made.platform_db.display());
    println!("  certificate   {}", made.cert_file.display());
    println!("  SHA-256       {}", made.fingerprint);
    println!("  signing key   {} (SHA-256 {})", config.data().signing_pub().display(), signing.fingerprint());
    println!();
    println!("  setup link    {}", link?);
    println!();
    println!("Keep a copy of the master key offline: without it no database can be read.");
    println!("Keep a copy of signing.pub off the server: restoring a backup on a new appliance needs it.");
    println!("Start the server (examhall serve), then open the set-up link within 24 hours to");
    println!("create the first platform administrator; `examhall setup-link` issues a new one.");
    if config.server.public_url.is_none() && !args.hosts.is_empty() {
        println!("So that links printed later name this host too, set in the config:");
        println!("  [server]");
        println!("  public_url = \"{base}\"");
    }
    Ok(())
}

/// The address the links `init` prints start with: `server.public_url`,
/// else the first `--host` on the configured port (none for 443), else
/// `localhost`.
fn base_url(config: &Config, hosts: &[String]) -> String {
    if config.server.public_url.is_some() {
        return super::setup_link::base_url(config, None);
    }
    let Some(host) = hosts.first() else { return super::setup_link::base_url(config, None) };
    // An IPv6 address goes in brackets in a URL.
    let host = if host.contains(':') && !host.starts_with('[') { format!("[{host}]") } else { host.clone() };
    match config.server.listen.port() {
        443 => format!("https://{host}"),
        port => format!("https://{host}:{port}"),
    }
}

/// Creates everything, or nothing.
///
/// # Errors
/// When any target exists already, or a step fails (what was made is removed).
pub fn initialise(config: &Config, hosts: &[String]) -> Result<Initialised, CliError> {
    let data = config.data();
    let key_file = config.master_key_file();
    let (cert_file, tls_key_file) = config.tls_files();
    let generate_tls = config.tls.cert_file.is_none();
    let mut targets = vec![data.platform_db(), key_file.clone()];
    if generate_tls {
        targets.extend([cert_file.clone(), tls_key_file.clone()]);
    }
    let existing: Vec<String> = targets.iter().filter(|p| p.exists()).map(|p| p.display().to_string()).collect();
    if !existing.is_empty() {
        return Err(CliError::new(format!("refusing to overwrite existing files: {}", existing.join(", ")))
            .hint("this data directory is initialised already; use another --data-dir, or move these files away"));
    }
    crate::store::sqlcipher_version()?;
    data.create_tree().map_err(|e| {
        CliError::new(format!("cannot create {}: {e}", data.root().display()))
            .hint("check the permissions of its parent folder")
    })?;

    let mut made: Vec<PathBuf> = Vec::new();
    let result = (|| {
        let master = MasterKey::generate();
        master_key::write_new(&key_file, &master)?;
        made.push(key_file.clone());
        let options = OpenOptions { create: true, ..OpenOptions::default() };
        made.push(data.platform_db());
        Platform::open(&data, Arc::new(master), options)?;
        let fingerprint = if generate_tls {
            let cert = tls::generate_self_signed(hosts, SystemClock.now())?;
            for (path, pem) in [(&cert_file, &cert.cert_pem), (&tls_key_file, &cert.key_pem)] {
                tls::write_new_pem(path, pem)
                    .map_err(|e| CliError::new(format!("cannot write {}: {e}", path.display())))?;
                made.push(path.clone());
            }
            cert.fingerprint
        } else {
            tls::fingerprint_of_file(&cert_file)?
        };
        Ok::<_, CliError>(fingerprint)
    })();
    match result {
        Ok(fingerprint) => {
            Ok(Initialised { master_key_file: key_file, platform_db: data.platform_db(), cert_file, fingerprint })
        }
        Err(error) => {
            for path in made {
                for suffix in ["", "-wal", "-shm"] {
                    let mut name = path.clone().into_os_string();
                    name.push(suffix);
                    let _ = std::fs::remove_file(PathBuf::from(name));
                }
            }
            Err(error)
        }
    }
}
