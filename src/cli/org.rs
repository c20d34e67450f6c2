//! `examhall org`: organizations, from the command line.

use std::sync::Arc;

use super::CliError;
use crate::admin::{self, Outcome, client};
use crate::config::Config;
use crate::store::platform::Platform;
use crate::store::{OpenOptions, master_key};

/// Organization commands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Create an organization with its own encrypted database.
    Create {
        /// Short name used on the command line and in URLs (e.g. `physics`).
        #[arg(long)]
        slug: String,
        /// Display name (e.g. "Faculty of Physics").
        #[arg(long)]
        name: String,
    },
    /// Rename an organization (its slug stays).
    Rename {
        /// The organization's slug.
        #[arg(long)]
        slug: String,
        /// The new display name.
        #[arg(long)]
        name: String,
    },
    /// Take an organization out of service: nobody can sign in; data is kept.
    Deactivate {
        /// The organization's slug.
        #[arg(long)]
        slug: String,
    },
    /// Put a deactivated organization back in service.
    Activate {
        /// The organization's slug.
        #[arg(long)]
        slug: String,
    },
    /// List organizations.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

/// Opens the platform database of `config` (the server may be running).
pub fn open_platform(config: &Config) -> Result<Platform, CliError> {
    let master = master_key::load(&config.master_key_file())?;
    Ok(Platform::open(&config.data(), Arc::new(master), OpenOptions { readers: 1, ..OpenOptions::default() })?)
}

/// Runs an organization command; changes go through the running server if there is one.
pub async fn run(config: &Config, command: &Command) -> Result<(), CliError> {
    let change = match command {
        Command::List { json } => {
            let platform = open_platform(config)?;
            let result = list(&platform, *json).await;
            platform.db().close().await;
            return result;
        }
        Command::Create { slug, name } => admin::Command::OrgCreate { slug: slug.clone(), name: name.clone() },
        Command::Rename { slug, name } => admin::Command::OrgRename { slug: slug.clone(), name: name.clone() },
        Command::Deactivate { slug } => admin::Command::OrgSetActive { slug: slug.clone(), active: false },
        Command::Activate { slug } => admin::Command::OrgSetActive { slug: slug.clone(), active: true },
    };
    match client::submit(config, change).await? {
        Outcome::OrgCreated { id, slug, name, database } => {
            println!("created organization {slug} ({name})");
            println!("  id        {id}");
            println!("  database  {}", database.display());
        }
        Outcome::OrgChanged { sessions_ended } => {
            let (Command::Rename { slug, .. } | Command::Deactivate { slug } | Command::Activate { slug }) = command
            else {
                return Ok(());
            };
            match (sessions_ended, &command) {
                (Some(ended), _) => println!("ended {ended} session(s) of {slug}"),
                (None, Command::Deactivate { .. }) => println!(
                    "its file is refused (see examhall audit verify --org {slug}): its sessions end when the file is served again"
                ),
                (None, _) => {}
            }
            println!("updated organization {slug}");
        }
        other => return Err(super::unexpected(&other)),
    }
    Ok(())
}

async fn list(platform: &Platform, json: bool) -> Result<(), CliError> {
    let orgs = platform.list_orgs().await?;
    if json {
        let rows: Vec<_> = orgs
            .iter()
            .map(|o| {
                serde_json::json!({
                    "id": o.id.to_string(), "slug": o.slug.as_str(), "name": o.name,
                    "status": o.status.as_str(), "created_at": o.created_at,
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&rows).unwrap_or_default());
        return Ok(());
    }
    if orgs.is_empty() {
        println!("no organizations yet; create one with: examhall org create --slug SLUG --name NAME");
        return Ok(());
    }
    let width = orgs.iter().map(|o| o.slug.as_str().len()).max().unwrap_or(4).max(4);
    println!("{:width$}  {:11}  {:36}  {:20}  NAME", "SLUG", "STATUS", "ID", "CREATED");
    for org in orgs {
        println!("{:width$}  {:11}  {:36}  {:20}  {}", org.slug, org.status.as_str(), org.id, org.created_at, org.name);
    }
    Ok(())
}
