//! `examhall keys`: the appliance's keys.

use std::path::Path;

use super::CliError;
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::signing::PublicKey;
use crate::store::audit::{Actor, AuditEvent};
use crate::store::master_rotation::{self, RotationError};

/// Key commands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Print the appliance's signing public key (it signs every backup), to keep a copy off the server.
    Show,
    /// Replace the master key (the server must be stopped); the old one opens nothing afterwards.
    RotateMaster,
    /// Re-encrypt an organization's database with a new key (the server must be stopped).
    RekeyOrg {
        /// The organization's slug.
        #[arg(long)]
        org: String,
    },
}

/// Runs a key command.
pub async fn run(config: &Config, command: &Command) -> Result<(), CliError> {
    match command {
        Command::Show => show(config).await,
        Command::RotateMaster => rotate_master(config).await,
        Command::RekeyOrg { org } => rekey_org(config, org).await,
    }
}

async fn rotate_master(config: &Config) -> Result<(), CliError> {
    let held = super::offline::hold(config, "rotating the master key")?;
    // Opened once first, as the server would: a platform.db of an older
    // schema is migrated, so every wrapped key of this version is rewrapped.
    super::open_platform(config, Some(&held))?.db().close().await;
    let key_file = config.master_key_file();
    let event = AuditEvent::by(&Actor::command_line(), "keys.rotate_master");
    let rotated =
        master_rotation::rotate(&config.data(), &key_file, &held, &event, SystemClock.now()).map_err(|error| {
            match error {
                RotationError::Store(error) => CliError::from(error),
                other => CliError::new(other.to_string()),
            }
        })?;
    println!("rotated the master key; the new key is in {}", key_file.display());
    println!(
        "  platform.db re-encrypted; {} organization key(s) and {} signing key(s) rewrapped",
        rotated.org_keys, rotated.signing_keys
    );
    println!(
        "The old key no longer opens this data directory: destroy every copy of it, and keep an offline copy of the new one."
    );
    println!(
        "Copies of platform.db made before (backups of the data directory) still open with the old key and hold the"
    );
    println!(
        "organizations' keys: if the old key may have leaked, also re-encrypt each organization: examhall keys rekey-org --org SLUG"
    );
    Ok(())
}

async fn rekey_org(config: &Config, slug: &str) -> Result<(), CliError> {
    let held = super::offline::hold(config, "re-encrypting an organization's database")?;
    let platform = super::open_platform(config, Some(&held))?;
    let done = async {
        let org = super::org::by_slug(&platform, slug).await?;
        let event = AuditEvent::by(&Actor::command_line(), "org.rekey")
            .details(serde_json::json!({ "slug": org.slug.as_str() }));
        platform.rekey_org(org.id, event, SystemClock.now()).await?;
        Ok::<_, CliError>(config.data().org_db(org.id))
    }
    .await;
    platform.db().close().await;
    let file = done?;
    println!("re-encrypted {slug}'s database {} with a new key; its old key does not open it any more", file.display());
    Ok(())
}

async fn show(config: &Config) -> Result<(), CliError> {
    let keys = stored(config).await?;
    let Some(current) = keys.first() else {
        return Err(CliError::new("this appliance has no signing key yet")
            .hint("start the server once (examhall serve): it makes the key and writes signing.pub"));
    };
    println!("signing key (SHA-256 {}), also in {}:", current.fingerprint(), config.data().signing_pub().display());
    print!("{}", current.to_pem());
    println!("Keep a copy off the server: restoring a backup on a new appliance needs it (--trust-key).");
    for old in &keys[1..] {
        println!("retired key, SHA-256 {}", old.fingerprint());
    }
    Ok(())
}

/// Every signing key of this data directory's appliance, current first.
async fn stored(config: &Config) -> Result<Vec<PublicKey>, CliError> {
    let platform = super::open_platform(config, None).map_err(|error| {
        error.hint("to check what another appliance signed, or without this data directory, pass its signing.pub with --trust-key")
    })?;
    let keys = platform.signing_public_keys().await;
    platform.db().close().await;
    Ok(keys?)
}

/// A signing public key file (an appliance's `signing.pub`): its text and the key.
pub(super) fn read_public_key(path: &Path) -> Result<(String, PublicKey), CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::new(format!("cannot read the key {}: {e}", path.display())))?;
    let key = PublicKey::from_pem(&text).map_err(|e| CliError::new(format!("{}: {e}", path.display())))?;
    Ok((text, key))
}

/// The keys a signature is checked against: the one in `trust_key`, or every
/// key of this appliance (an error when it has none yet).
pub(super) async fn trusted(config: &Config, trust_key: Option<&Path>) -> Result<Vec<PublicKey>, CliError> {
    if let Some(path) = trust_key {
        return Ok(vec![read_public_key(path)?.1]);
    }
    let keys = stored(config).await?;
    if keys.is_empty() {
        return Err(CliError::new("this appliance has no signing key yet, so it has signed nothing")
            .hint("pass the signing.pub of the appliance that signed with --trust-key"));
    }
    Ok(keys)
}
