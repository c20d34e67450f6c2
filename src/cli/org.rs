//! `examhall org`: organizations, from the command line.

use super::CliError;
use crate::admin::{self, Outcome, client};
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::domain::OrgSlug;
use crate::store::StoreError;
use crate::store::audit::{Actor, AuditEvent};
use crate::store::platform::{Organization, Platform};

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
    /// Crypto-erase an organization: destroy its key and delete its files (the server must be stopped).
    ///
    /// Nothing brings the data back except a backup bundle, which only the
    /// backup officers' identities open.
    Erase {
        /// The organization's slug.
        #[arg(long)]
        org: String,
        /// The slug again, to confirm.
        #[arg(long, value_name = "SLUG")]
        confirm: String,
    },
    /// List organizations.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

/// Runs an organization command; changes go through the running server if there is one.
pub async fn run(config: &Config, command: &Command) -> Result<(), CliError> {
    let change = match command {
        Command::List { json } => {
            let platform = super::open_platform(config, None)?;
            let result = list(&platform, *json).await;
            platform.db().close().await;
            return result;
        }
        Command::Erase { org, confirm } => return erase(config, org, confirm).await,
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

async fn erase(config: &Config, slug: &str, confirm: &str) -> Result<(), CliError> {
    if confirm != slug {
        return Err(CliError::new(format!("--confirm {confirm} does not repeat --org {slug}; nothing was erased"))
            .hint(format!("erasing destroys the organization's key and files for good: to go ahead, run examhall org erase --org {slug} --confirm {slug}")));
    }
    OrgSlug::parse(slug)?;
    let held = super::offline::hold(config, "erasing an organization")?;
    let platform = super::open_platform(config, Some(&held))?;
    let erased = erase_held(&platform, slug).await;
    platform.db().close().await;
    erased
}

/// Crypto-erases organization `slug` of `platform`, whose data directory
/// this process holds, and says what was removed. An organization that is
/// gone already but left files (an erase stopped after destroying the key)
/// has those removed.
pub(super) async fn erase_held(platform: &Platform, slug: &str) -> Result<(), CliError> {
    let parsed = OrgSlug::parse(slug)?;
    let (id, erased) = match platform.org_by_slug(parsed).await {
        Ok(org) => {
            let event = AuditEvent::by(&Actor::command_line(), "org.erase")
                .target(org.id.to_string())
                .details(serde_json::json!({ "slug": org.slug.as_str(), "name": org.name }));
            (Some(org.id), platform.erase_org(org.id, event, SystemClock.now()).await?)
        }
        Err(error @ StoreError::NotFound(_)) => {
            // An erase stopped after destroying the key left files with no record.
            let left = platform.remove_keyless_files().await?;
            if left.removed.is_empty() && left.left.is_empty() {
                return Err(not_found(&error));
            }
            (None, left)
        }
        Err(other) => return Err(other.into()),
    };
    match id {
        Some(id) => {
            println!("erased organization {slug} ({id}): its key is destroyed, so no copy of its database opens again");
        }
        None => {
            println!(
                "no organization {slug} is left; finished an interrupted erase (the key of these files was destroyed already):"
            );
        }
    }
    for file in erased.removed.iter().chain(&erased.copies) {
        println!("  removed {}", file.display());
    }
    for (file, error) in &erased.left {
        eprintln!(
            "  could not remove {}: {error}; it cannot be opened any more, but remove it by hand",
            file.display()
        );
    }
    println!(
        "Its backup bundles stay readable with the backup officers' identities: delete them too if it must be gone everywhere."
    );
    Ok(())
}

/// The organization `slug` names.
pub(super) async fn by_slug(platform: &Platform, slug: &str) -> Result<Organization, CliError> {
    let slug = OrgSlug::parse(slug)?;
    platform.org_by_slug(slug).await.map_err(|error| match error {
        StoreError::NotFound(_) => not_found(&error),
        other => other.into(),
    })
}

/// An organization that is not there, and how to find the right slug.
fn not_found(error: &StoreError) -> CliError {
    CliError::new(error.to_string()).hint("`examhall org list` shows the organizations and their slugs")
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
