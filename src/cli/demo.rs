//! `examhall demo`: a first look in one command. A throwaway data directory
//! (removed on exit), a self-signed certificate, a seeded organization, and
//! the link to open.

use std::net::SocketAddr;

use super::CliError;
use super::serve::serve_until_signal;
use crate::config::Config;
use crate::domain::{OrgName, OrgSlug};
use crate::service::demo::Seeded;
use crate::service::{Actor, credentials, organizations};
use crate::state::AppState;
use crate::store::platform::Organization;

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
    // Prepared before the server starts, in a directory no one else knows
    // of, through the same services the server uses.
    let master = crate::store::master_key::load(&config.master_key_file())?;
    let state = AppState::open(config.clone(), master, crate::clock::system())?;
    let prepared = prepare(&state).await;
    state.registry().close_all().await;
    let (org, setup, seeded) = prepared?;
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
        println!("What each account sees first:");
        println!("  org admin   people, courses, roster import, backups, retention and the audit log (/admin)");
        println!("  instructor  the course and its exam: edit it, watch it live, review, grade (/courses)");
        println!("  reviewer    the exam's integrity evidence and grading, without editing it");
        println!("  proctor     the live monitor of the Monday section while the exam is open");
        println!("  student     the exam: start it, write Python, run the visible tests, hand in");
        println!("  data (temporary)     {data_dir}");
        println!();
        println!("Press Ctrl-C to stop; the temporary data is removed.");
    })
    .await?;
    drop(temp);
    Ok(())
}

/// The demo organization, its people and exam, and the set-up link.
async fn prepare(state: &AppState) -> Result<(Organization, String, Seeded), CliError> {
    let actor = Actor::audited(crate::store::audit::Actor::command_line());
    let (slug, name) = (OrgSlug::parse("demo")?, OrgName::parse("Demo University")?);
    let org = organizations::create(state, &actor, slug, name).await?;
    let setup = credentials::issue_setup_link(state, &actor).await?;
    let setup = setup.ok_or_else(|| CliError::new("the demo's fresh directory already has a platform admin"))?;
    let seeded = crate::service::demo::seed(&state.registry().org(org.id).await?, state.clock().now()).await?;
    Ok((org, setup, seeded))
}
