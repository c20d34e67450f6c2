//! `examhall setup-link`: the one-time link that creates the first platform
//! admin. `init` prints one; this command issues a fresh one (voiding any
//! earlier unused one) while no platform admin exists yet.

use std::time::Duration;

use super::CliError;
use crate::audit::{self, Actor, AuditEvent};
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::store::accounts::links::{self, Purpose};
use crate::store::accounts::users;
use crate::store::platform::Platform;

/// How long a set-up link works.
const VALID_FOR: Duration = Duration::from_secs(24 * 3600);

/// Runs `examhall setup-link`.
pub async fn run(config: &Config) -> Result<(), CliError> {
    let platform = super::org::open_platform(config)?;
    let issued = issue(&platform).await;
    platform.db().close().await;
    let url = link_url(&base_url(config, None), &issued?);
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

/// Issues a set-up link and returns its token.
///
/// # Errors
/// When a platform admin exists already (the link would be useless).
pub async fn issue(platform: &Platform) -> Result<String, CliError> {
    let now = SystemClock.now();
    let actor = Actor::command_line();
    let token = platform
        .db()
        .write(move |conn| {
            if users::count(conn)? > 0 {
                return Ok(None);
            }
            let token = links::issue(conn, Purpose::Setup, None, VALID_FOR, now)?;
            audit::append(conn, &AuditEvent::by(&actor, "platform.setup_link"), now)?;
            Ok(Some(token))
        })
        .await?;
    let token = token.ok_or_else(|| {
        CliError::new("a platform administrator exists already, so no set-up link is needed")
            .hint("sign in as that administrator; the set-up link only creates the first one")
    })?;
    Ok(token)
}
