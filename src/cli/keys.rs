//! `examhall keys`: the appliance's keys.

use super::CliError;
use crate::config::Config;

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
    let platform = super::org::open_platform(config)?;
    let keys = platform.signing_public_keys().await;
    platform.db().close().await;
    let keys = keys?;
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
