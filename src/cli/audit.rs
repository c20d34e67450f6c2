//! `examhall audit`: check an audit log's hash chain, and print its head.
//!
//! `verify` is what IT runs after an incident, and on a schedule: it exits 0
//! only when every entry is in place and unchanged. `head` prints the newest
//! entry as `SEQ:HEX` alone on a line, to be kept somewhere the database key
//! cannot reach (a ticket, a backup manifest) and given back later to
//! `verify --expect-head`, which catches even a log rewritten with the key.

use super::CliError;
use crate::audit::{self, AuditHead};
use crate::config::Config;
use crate::domain::OrgSlug;
use crate::store::platform::Platform;
use crate::store::{Database, StoreError};

/// What to do when a log fails verification.
const TAMPERED: &str = "restore this database from the last backup whose audit head verified, and investigate \
                        who had access to the master key or the database files since then";

/// Audit log commands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Check every entry of a log; exit 1 naming the first bad one.
    Verify {
        #[command(flatten)]
        log: Log,
        /// A head printed earlier (`examhall audit head`, or a backup
        /// manifest) that must still be part of the chain.
        #[arg(long, value_name = "SEQ:HEX")]
        expect_head: Option<AuditHead>,
    },
    /// Print the newest entry as SEQ:HEX (0:000... for an empty log).
    Head {
        #[command(flatten)]
        log: Log,
    },
}

/// Which log: one organization's, or the platform's.
#[derive(Debug, clap::Args)]
#[group(required = true, multiple = false)]
pub struct Log {
    /// The organization with this slug.
    #[arg(long, value_name = "SLUG")]
    org: Option<String>,
    /// The platform's own log (organizations created, platform admins).
    #[arg(long)]
    platform: bool,
}

/// Runs an audit command.
pub async fn run(config: &Config, command: &Command) -> Result<(), CliError> {
    let platform = super::org::open_platform(config)?;
    let result = run_on(&platform, command).await;
    platform.db().close().await;
    result
}

async fn run_on(platform: &Platform, command: &Command) -> Result<(), CliError> {
    let (Command::Verify { log, .. } | Command::Head { log }) = command;
    let (name, org_db) = match &log.org {
        None => ("platform".to_owned(), None),
        Some(slug) => {
            let (slug, db) = open_org(platform, slug).await?;
            (slug, Some(db))
        }
    };
    let db = org_db.as_ref().unwrap_or(platform.db());
    let result = match command {
        Command::Verify { expect_head, .. } => verify(db, &name, *expect_head).await,
        Command::Head { .. } => head(db).await,
    };
    if let Some(db) = org_db {
        db.close().await;
    }
    result
}

/// The database of the organization with `slug`, and its slug to print.
async fn open_org(platform: &Platform, slug: &str) -> Result<(String, Database), CliError> {
    let slug = OrgSlug::parse(slug)?;
    let org = platform.org_by_slug(slug).await.map_err(|error| match error {
        StoreError::NotFound(_) => {
            CliError::new(error.to_string()).hint("`examhall org list` shows the organizations and their slugs")
        }
        other => other.into(),
    })?;
    Ok((org.slug.to_string(), platform.open_org(org.id).await?))
}

async fn verify(db: &Database, name: &str, expected: Option<AuditHead>) -> Result<(), CliError> {
    let verification = db.read(move |conn| audit::verify(conn, expected.as_ref())).await?;
    let Some(problem) = verification.problem else {
        let head = verification.head.unwrap_or(AuditHead::EMPTY);
        let entries = match verification.entries {
            1 => "1 entry".to_owned(),
            n => format!("{n} entries"),
        };
        println!("audit log of {name}: {entries}, head {head}, intact");
        return Ok(());
    };
    let sound = match verification.head {
        Some(head) => format!("entries 1 to {} are sound (head {head})", head.seq),
        None => "no entry before it is sound".to_owned(),
    };
    println!("audit log of {name}: NOT INTACT at entry {}", problem.seq);
    println!("  {}", problem.what);
    println!("  {sound}");
    Err(CliError::new(format!("the audit log of {name} was tampered with at entry {}", problem.seq)).hint(TAMPERED))
}

async fn head(db: &Database) -> Result<(), CliError> {
    let head = db.read(audit::head).await?;
    println!("{}", head.unwrap_or(AuditHead::EMPTY));
    Ok(())
}
