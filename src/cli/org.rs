//! `examhall org`: organizations, from the command line.

use std::sync::Arc;

use super::CliError;
use crate::audit::{self, Actor, AuditEvent};
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::domain::{OrgName, OrgSlug};
use crate::store::platform::{OrgStatus, Platform};
use crate::store::{OpenOptions, StoreError, master_key, organizations};

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

/// Runs an organization command.
pub async fn run(config: &Config, command: &Command) -> Result<(), CliError> {
    let platform = open_platform(config)?;
    let result = match command {
        Command::Create { slug, name } => create(&platform, slug, name).await,
        Command::List { json } => list(&platform, *json).await,
        Command::Rename { slug, name } => change(&platform, slug, Change::Rename(OrgName::parse(name)?)).await,
        Command::Deactivate { slug } => change(&platform, slug, Change::Status(OrgStatus::Deactivated)).await,
        Command::Activate { slug } => change(&platform, slug, Change::Status(OrgStatus::Active)).await,
    };
    platform.db().close().await;
    result
}

async fn create(platform: &Platform, slug: &str, name: &str) -> Result<(), CliError> {
    let slug = OrgSlug::parse(slug)?;
    let name = OrgName::parse(name)?;
    let actor = Actor::command_line();
    let org = platform.create_org(slug, name, &actor, SystemClock.now()).await.map_err(|error| match error {
        StoreError::Taken(_) => {
            CliError::new(format!("{error}")).hint("choose another --slug; `examhall org list` shows the ones in use")
        }
        other => other.into(),
    })?;
    println!("created organization {} ({})", org.slug, org.name);
    println!("  id        {}", org.id);
    println!("  database  {}", platform.data_dir().org_db(org.id).display());
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

enum Change {
    Rename(OrgName),
    Status(OrgStatus),
}

/// Renames or (de)activates an organization, audited in the platform log.
async fn change(platform: &Platform, slug: &str, change: Change) -> Result<(), CliError> {
    let org = platform.org_by_slug(OrgSlug::parse(slug)?).await.map_err(|error| match error {
        StoreError::NotFound(_) => {
            CliError::new(format!("no organization has the slug {slug}")).hint("`examhall org list` shows them")
        }
        other => other.into(),
    })?;
    let now = SystemClock.now();
    let (action, details) = match &change {
        Change::Rename(name) => ("org.update", serde_json::json!({ "name": name.as_str() })),
        Change::Status(status) => ("org.update", serde_json::json!({ "status": status.as_str() })),
    };
    let event = AuditEvent::by(&Actor::command_line(), action).target(org.id.to_string()).details(details);
    let id = org.id;
    let deactivates = matches!(change, Change::Status(OrgStatus::Deactivated));
    platform
        .db()
        .write(move |conn| {
            match &change {
                Change::Rename(name) => organizations::rename(conn, id, name)?,
                Change::Status(status) => organizations::set_status(conn, id, *status)?,
            }
            audit::append(conn, &event, now).map(|_| ())
        })
        .await?;
    if deactivates {
        let db = platform.open_org(id).await?;
        let ended = db.write(organizations::end_all_sessions).await;
        db.close().await;
        println!("ended {} session(s) of {slug}", ended?);
    }
    println!("updated organization {slug}");
    Ok(())
}
