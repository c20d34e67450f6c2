//! `examhall keys`: the appliance's keys.

use std::path::Path;

use super::CliError;
use crate::config::Config;
use crate::signing::PublicKey;

/// Key commands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Print the appliance's signing public key (it signs every backup), to keep a copy off the server.
    Show,
}

/// Runs a key command.
pub async fn run(config: &Config, command: &Command) -> Result<(), CliError> {
    match command {
        Command::Show => show(config).await,
    }
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
    let platform = super::org::open_platform(config).map_err(|error| {
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
