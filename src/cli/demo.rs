//! `examhall demo`: a first look in one command. A throwaway data directory
//! (removed on exit), a self-signed certificate, a seeded organization, and
//! the link to open.

use std::net::SocketAddr;

use super::CliError;
use super::serve::serve_until_signal;
use crate::admin::{Command, Outcome, client};
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::domain::OrgId;

/// The demo's organization.
struct DemoOrg {
    id: OrgId,
    slug: String,
    name: String,
}

/// Options of `examhall demo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// HTTPS address (port 0 picks a free one).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8443")]
    pub listen: SocketAddr,
}

/// Runs the demo until Ctrl-C or SIGTERM.
pub async fn run(mut config: Config, args: &Args) -> Result<(), CliError> {
    let temp = tempfile::Builder::new()
        .prefix("examhall-demo-")
        .tempdir()
        .map_err(|e| CliError::new(format!("cannot create a temporary directory: {e}")))?;
    config.data_dir = temp.path().to_owned();
    config.storage.master_key_file = None;
    config.tls = crate::config::TlsConfig::default();
    config.log.dir = None;
    let made = super::init::initialise(&config, &[])?;
    let create = Command::OrgCreate { slug: "demo".to_owned(), name: "Demo University".to_owned() };
    let org = match client::submit(&config, create).await? {
        Outcome::OrgCreated { id, slug, name, .. } => DemoOrg { id: OrgId::parse(&id)?, slug, name },
        other => return Err(super::unexpected(&other)),
    };
    let setup = super::setup_link::issue(&config).await?;
    // Seeded before the server starts, in a directory no one else knows of.
    let platform = super::org::open_platform(&config)?;
    let org_db = platform.open_org(org.id).await?;
    let seeded = crate::service::demo::seed(&org_db, SystemClock.now()).await;
    org_db.close().await;
    platform.db().close().await;
    let seeded = seeded?;
    let data_dir = temp.path().display().to_string();
    serve_until_signal(config, Some(args.listen), |addresses| {
        println!();
        println!("examhall demo is running. Open this link in your browser:");
        println!();
        println!("    https://{}/", addresses.https);
        println!();
        println!("First create the platform administrator with the one-time set-up link:");
        println!("setup link: {}", super::setup_link::link_url(&format!("https://{}", addresses.https), &setup));
        println!();
        println!("The certificate is self-signed; your browser will ask you to accept it.");
        println!("  certificate SHA-256  {}", made.fingerprint);
        println!("  organization         {} ({})", org.name, org.slug);
        println!();
        println!("Sign in to organization `{}` with password {}:", org.slug, seeded.password);
        for (role, email) in &seeded.accounts {
            println!("  {role:<11} {email}");
        }
        println!("The course CS101 has an open exam, \"Python warm-up\", for its Monday and Thursday sections.");
        println!("  data (temporary)     {data_dir}");
        println!();
        println!("Press Ctrl-C to stop; the temporary data is removed.");
    })
    .await?;
    drop(temp);
    Ok(())
}
