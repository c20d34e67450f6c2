//! `examhall serve`: HTTPS until SIGTERM or Ctrl-C.

use std::net::SocketAddr;

use super::CliError;
use crate::app::{self, AppState, Listeners};
use crate::config::Config;

/// Options of `examhall serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// HTTPS address; overrides `server.listen`.
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
}

/// Runs `examhall serve`.
pub async fn run(config: Config, args: &Args) -> Result<(), CliError> {
    serve_until_signal(config, args.listen, |addresses| {
        println!("examhall {} is serving https://{}/", crate::version::APP, addresses.https);
        if let Some(plain) = addresses.loopback_http {
            println!("  and plain HTTP for a local reverse proxy on http://{plain}/");
        }
    })
    .await
}

/// Where a started server answers.
pub struct Addresses {
    /// The HTTPS address.
    pub https: SocketAddr,
    /// The loopback plain-HTTP address, if configured.
    pub loopback_http: Option<SocketAddr>,
}

/// Checks that the data directory is initialised and private (creating
/// nothing before that), starts logging, checks the encryption library,
/// locks the data directory, loads the keys, binds, calls `announce`, and
/// serves until a signal.
pub async fn serve_until_signal(
    config: Config,
    listen: Option<SocketAddr>,
    announce: impl FnOnce(&Addresses),
) -> Result<(), CliError> {
    let data = config.data();
    if !data.platform_db().exists() {
        return Err(CliError::new(format!("{} is not initialised", data.root().display()))
            .hint(format!("run: examhall init --data-dir {}", data.root().display())));
    }
    crate::store::data_dir::check_private_dir(data.root()).map_err(|e| CliError::new(e.to_string()))?;
    let _logs = crate::telemetry::init(&config.log, Some(&config.log_dir()))
        .map_err(|e| CliError::new(format!("cannot write logs to {}: {e}", config.log_dir().display())))?;
    let sqlcipher = crate::store::sqlcipher_version()?;
    let lock = data.lock()?;
    let master = crate::store::master_rotation::load(&data, &config.master_key_file(), Some(&lock))?;
    let leftovers = data.empty_staging(&lock);
    if leftovers > 0 {
        tracing::warn!(files = leftovers, "removed bundles a stopped upload left in the staging folder");
    }
    let (cert_file, key_file) = config.tls_files();
    let tls = crate::tls::server_config(&cert_file, &key_file)?;
    let listeners = Listeners::bind(&config, listen).map_err(|e| CliError::new(e.to_string()))?;
    let addresses = Addresses {
        https: listeners.https.local_addr().map_err(|e| CliError::new(e.to_string()))?,
        loopback_http: listeners.loopback_http.as_ref().and_then(|l| l.local_addr().ok()),
    };
    let clock = crate::clock::from_env().map_err(CliError::new)?;
    let state = AppState::open(config, master, clock)?;
    // A data directory made before backups were signed gets its key now.
    state.registry().platform().signing_key(state.clock().now()).await?;
    tracing::info!(version = crate::version::APP, sqlcipher, https = %addresses.https, "examhall starting");
    announce(&addresses);
    let opening = state.clone();
    tokio::spawn(async move {
        match opening.open_organizations().await {
            Ok(count) => tracing::info!(organizations = count, "ready"),
            Err(error) => tracing::error!(%error, "an organization database did not open; /readyz stays 503"),
        }
    });
    tokio::spawn(crate::app::submit_at_deadlines(state.clone()));
    app::serve(listeners, tls, state, shutdown_signal())
        .await
        .map_err(|e| CliError::new(format!("server failed: {e}")))?;
    tracing::info!("stopped");
    Ok(())
}

/// Completes on SIGTERM (systemd stop) or SIGINT (Ctrl-C).
async fn shutdown_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = terminate => {},
        _ = tokio::signal::ctrl_c() => {},
    }
}
