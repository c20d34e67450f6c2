//! `examhall setup-link`: the one-time link that creates the first platform
//! admin. `init` prints one; this command issues a fresh one (voiding any
//! earlier unused one) while no platform admin exists yet.

use super::CliError;
use crate::admin::{Command, Outcome, client};
use crate::config::Config;

/// Runs `examhall setup-link`.
pub async fn run(config: &Config) -> Result<(), CliError> {
    let url = link_url(&base_url(config, None), &issue(config).await?);
    println!("setup link: {url}");
    println!("It works once, for 24 hours. Open it to create the first platform administrator.");
    Ok(())
}

/// The address people open: `server.public_url`, or the HTTPS listener on
/// `localhost` (the demo passes the address it actually bound).
#[must_use]
pub fn base_url(config: &Config, bound: Option<std::net::SocketAddr>) -> String {
    if let Some(url) = &config.server.public_url {
        return url.trim_end_matches('/').to_owned();
    }
    match bound {
        Some(address) => format!("https://{address}"),
        None => format!("https://localhost:{}", config.server.listen.port()),
    }
}

/// The full URL of a set-up link under `base`.
#[must_use]
pub fn link_url(base: &str, token: &str) -> String {
    format!("{base}/link/platform.{token}")
}

/// Issues a set-up link and returns its token, through the running server
/// if there is one.
///
/// # Errors
/// When a platform admin exists already (the link would be useless).
pub async fn issue(config: &Config) -> Result<String, CliError> {
    match client::submit(config, Command::SetupLink).await? {
        Outcome::SetupLink { token } => Ok(token),
        other => Err(super::unexpected(&other)),
    }
}
