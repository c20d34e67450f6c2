//! `examhall audit`: check an audit log's hash chain, print its head, and
//! accept a rolled-back organization's head after investigation.
//!
//! `verify` is what IT runs after an incident, and on a schedule: it exits 0
//! only when every entry is in place and unchanged and, for an organization,
//! when its file still holds the head `platform.db` anchored. `head` prints
//! the newest entry as `SEQ:HEX` alone on a line, to be kept somewhere the
//! database key cannot reach (a ticket, a backup manifest) and given back
//! later to `--expect-head`, which catches even a log rewritten with the key
//! and follows sanctioned rewrites (checkpoints). `accept-head` is the one way
//! to serve an organization refused for a rolled-back file as it is.

use super::CliError;
use super::reading::OrgReader;
use crate::admin::{self, Outcome, TAMPERED, client};
use crate::config::Config;
use crate::domain::OrgId;
use crate::service::org_file::OrgFile;
use crate::service::records;
use crate::store::StoreError;
use crate::store::audit::{AuditHead, Checkpoint, Found, Verification};
use crate::store::data_dir::LockError;
use crate::store::platform::Platform;

/// Audit log commands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Check every entry of a log (and an organization's anchor); exit 1 naming the first problem.
    Verify {
        #[command(flatten)]
        log: Log,
        /// A head printed earlier (`examhall audit head`, or a backup
        /// manifest) that must still be part of the log's history.
        #[arg(long, value_name = "SEQ:HEX")]
        expect_head: Option<AuditHead>,
    },
    /// Print the newest entry as SEQ:HEX (0:000... for an empty log).
    Head {
        #[command(flatten)]
        log: Log,
        /// Exit 1 unless this head, printed earlier, is part of the log's
        /// history (in the chain, or replaced by a checkpoint).
        #[arg(long, value_name = "SEQ:HEX")]
        expect_head: Option<AuditHead>,
    },
    /// After investigating a refused organization whose file was rolled back,
    /// serve the file as it is: records an audited checkpoint and anchors the new head.
    /// With --replaced, records instead that a head kept outside (printed by
    /// `audit head` before, e.g. by an upgrade that was then rolled back) is
    /// no longer in the log.
    AcceptHead {
        /// The organization's slug.
        #[arg(long, value_name = "SLUG", required_unless_present = "platform", conflicts_with = "platform")]
        org: Option<String>,
        /// The platform's own log (with --replaced).
        #[arg(long, requires = "replaced")]
        platform: bool,
        /// A head printed earlier that the log no longer holds.
        #[arg(long, value_name = "SEQ:HEX")]
        replaced: Option<AuditHead>,
        /// What the investigation found, for both audit logs (e.g. a ticket number).
        #[arg(long, value_name = "TEXT")]
        reason: String,
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
    let platform = super::open_platform(config, None)?;
    let result = match command {
        Command::Verify { log, expect_head } => match &log.org {
            None => verify(OrgFile::Open(platform.db()), "platform", *expect_head).await,
            Some(slug) => verify_org(&platform, slug, *expect_head).await,
        },
        Command::Head { log, expect_head } => match &log.org {
            None => head(OrgFile::Open(platform.db()), "platform", *expect_head).await,
            Some(slug) => {
                let org = super::org::by_slug(&platform, slug).await?;
                let reader = OrgReader::open(&platform, org.id).await?;
                let result = head(reader.file(&platform, org.id), org.slug.as_str(), *expect_head).await;
                reader.close().await;
                result
            }
        },
        Command::AcceptHead { org, platform: _, replaced, reason } => {
            platform.close().await;
            let command = match (org, replaced) {
                (Some(slug), None) => admin::Command::AcceptHead { slug: slug.clone(), reason: reason.clone() },
                (org, Some(head)) => admin::Command::AcceptReplacedHead {
                    org: org.clone(),
                    head: head.to_string(),
                    reason: reason.clone(),
                },
                (None, None) => return Err(CliError::new("--platform needs --replaced SEQ:HEX")),
            };
            let name = org.clone().unwrap_or_else(|| "the platform".to_owned());
            return accept_head(config, &name, command).await;
        }
    };
    platform.close().await;
    result
}

/// Verifies an organization: opened as the server opens it (which checks its
/// file and anchor); a refused file is still verified as it is, then the
/// refusal is reported.
async fn verify_org(platform: &Platform, slug: &str, expected: Option<AuditHead>) -> Result<(), CliError> {
    let org = super::org::by_slug(platform, slug).await?;
    let (name, id) = (org.slug.to_string(), org.id);
    let _lock = match platform.data_dir().lock() {
        Ok(lock) => lock,
        Err(LockError::Held { .. }) => return verify_org_beside_a_server(platform, &name, id, expected).await,
        Err(other) => return Err(other.into()),
    };
    match platform.open_org(id).await {
        Ok(db) => {
            let result = verify(OrgFile::Open(&db), &name, expected).await;
            db.close().await;
            if result.is_ok() {
                println!("  platform.db's anchored head for {name} is in this log: the file was not rolled back");
            }
            result
        }
        Err(StoreError::OrgRefused(refusal)) => refused(platform, &name, id, expected, &refusal).await,
        Err(other) => Err(other.into()),
    }
}

/// [`verify_org`] while a server holds the data directory: the file is
/// checked as opening it would, and read as it is; nothing is written.
async fn verify_org_beside_a_server(
    platform: &Platform,
    name: &str,
    id: OrgId,
    expected: Option<AuditHead>,
) -> Result<(), CliError> {
    match platform.check_org(id).await {
        Ok(()) => {
            report(name, records::verify(OrgFile::AsItIs(platform, id), expected).await?, expected)?;
            println!("  platform.db's anchored head for {name} is in this log: the file was not rolled back");
            Ok(())
        }
        Err(StoreError::OrgRefused(refusal)) => refused(platform, name, id, expected, &refusal).await,
        Err(other) => Err(other.into()),
    }
}

/// Reports a refused organization: its log verified as it is (a log that is
/// not intact is the graver finding, said first), then the refusal.
async fn refused(
    platform: &Platform,
    name: &str,
    id: OrgId,
    expected: Option<AuditHead>,
    refusal: &crate::store::org_refusal::Refusal,
) -> Result<(), CliError> {
    let as_it_is = records::verify(OrgFile::AsItIs(platform, id), expected).await;
    let tampered = as_it_is.ok().and_then(|verification| report(name, verification, expected).err());
    println!("  REFUSED: {refusal}");
    Err(tampered.unwrap_or_else(|| CliError::new(refusal.to_string()).hint(refusal.what_to_do())))
}

async fn verify(file: OrgFile<'_>, name: &str, expected: Option<AuditHead>) -> Result<(), CliError> {
    let verification = records::verify(file, expected).await?;
    report(name, verification, expected)
}

/// Prints what [`crate::store::audit::verify`] found; an error when the log is not intact.
fn report(name: &str, verification: Verification, expected: Option<AuditHead>) -> Result<(), CliError> {
    let Some(problem) = verification.problem else {
        let head = verification.head.unwrap_or(AuditHead::EMPTY);
        let entries = match verification.entries {
            1 => "1 entry".to_owned(),
            n => format!("{n} entries"),
        };
        println!("audit log of {name}: {entries}, head {head}, intact");
        for checkpoint in &verification.checkpoints {
            println!("  {}", describe(checkpoint));
        }
        if let (Some(expected), Some(checkpoint)) = (expected, &verification.expected_replaced_by) {
            println!("  the expected head {expected} was replaced by the checkpoint at entry {}", checkpoint.seq);
        }
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

/// One line about a checkpoint: a sanctioned change IT should know about.
fn describe(checkpoint: &Checkpoint) -> String {
    format!(
        "checkpoint at entry {} ({}, {} by {}): replaced head {}; {}",
        checkpoint.seq,
        checkpoint.kind.as_str(),
        checkpoint.at,
        checkpoint.actor_label,
        checkpoint.old_head,
        checkpoint.reason
    )
}

async fn head(file: OrgFile<'_>, name: &str, expected: Option<AuditHead>) -> Result<(), CliError> {
    print_head(name, records::head(file, expected).await?, expected)
}

/// Prints the head of a log (and says where `expected` stands in it).
fn print_head(
    name: &str,
    (head, found): (Option<AuditHead>, Option<Found>),
    expected: Option<AuditHead>,
) -> Result<(), CliError> {
    match (expected, found) {
        (Some(expected), None) => {
            return Err(CliError::new(format!(
                "the expected head {expected} is not part of the history of the audit log of {name}"
            ))
            .hint(format!(
                "run `examhall audit verify` with the same log and --expect-head {expected} to see where the log \
                 departs from it; then {TAMPERED}"
            )));
        }
        (Some(expected), Some(Found::Replaced(checkpoint))) => {
            eprintln!("note: {expected} was replaced: {}", describe(&checkpoint));
        }
        _ => {}
    }
    println!("{}", head.unwrap_or(AuditHead::EMPTY));
    Ok(())
}

async fn accept_head(config: &Config, name: &str, command: admin::Command) -> Result<(), CliError> {
    let replaced = matches!(command, admin::Command::AcceptReplacedHead { .. });
    let checkpoint = match client::submit(config, command).await? {
        Outcome::HeadAccepted { checkpoint } => checkpoint,
        other => return Err(super::unexpected(&other)),
    };
    let Some(checkpoint) = checkpoint else {
        let which = if replaced { "that head" } else { "the head platform.db anchored for it" };
        println!("nothing to accept: the audit log of {name} holds {which}");
        return Ok(());
    };
    println!("accepted the audit head of {name}");
    let what = if replaced { "given" } else { "anchored" };
    println!(
        "  checkpoint entry {} records the {what} head {} (no longer in the log) and the head it follows, {}",
        checkpoint.seq, checkpoint.old_head, checkpoint.new_head
    );
    if !replaced {
        println!("  platform.db now anchors {name} at {}", checkpoint.head);
        println!("  a running server serves {name} again from its next request");
    }
    Ok(())
}
