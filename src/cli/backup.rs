//! `examhall backup`: write an exam's or an organization's bundle (through
//! the running server when there is one), and check a bundle whole.
//!
//! `verify` exit codes: 0 the bundle is whole and signed by a trusted key;
//! 2 it cannot be decrypted with the identity (wrong identity, not a
//! bundle); 3 it is damaged or cut short, or its members do not match its
//! manifest; 4 it is unsigned, its signature is invalid, or the key that
//! signed is not trusted; 5 its format is newer than this examhall; 1
//! anything else (an unreadable file). `restore` checks first with the same
//! codes, then exits 6 for a whole bundle written by an older examhall (its
//! database schema is older than this one's: restore it with the version
//! that wrote it, then upgrade); a refusal by the server (another
//! organization, an open exam) exits 1 with the reason.

use std::path::{Path, PathBuf};

use super::CliError;
use crate::admin::{self, Outcome, client};
use crate::backup::{self, ReadError};
use crate::config::Config;
use crate::service::restore::SchemaMismatch;

/// Backup commands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Back up one exam (its questions, attempts, logs, answers, reviews and audit entries, with the students, course and sections they refer to).
    Exam {
        /// The organization's slug.
        #[arg(long, value_name = "SLUG")]
        org: String,
        /// The exam's id (the UUID in its page's address).
        #[arg(long, value_name = "EXAM_ID")]
        exam: String,
        /// The folder to write to (default: `[backup] dir`, or <data_dir>/backups).
        #[arg(long, value_name = "DIR")]
        to: Option<PathBuf>,
    },
    /// Back up a whole organization, consistently, while the server runs.
    Org {
        /// The organization's slug.
        #[arg(long, value_name = "SLUG")]
        org: String,
        /// The folder to write to (default: `[backup] dir`, or <data_dir>/backups).
        #[arg(long, value_name = "DIR")]
        to: Option<PathBuf>,
    },
    /// Show, per exam, the last good backup (when, where, size) and the last error.
    List {
        /// The organization's slug.
        #[arg(long, value_name = "SLUG")]
        org: String,
    },
    /// Check a bundle: decryption, every member's hash and row count, and the signature. Changes nothing.
    Verify {
        /// The bundle (.tar.zst.age).
        file: PathBuf,
        /// A backup officer's identity: an age key file (age-keygen) or an unencrypted SSH private key.
        #[arg(long, value_name = "KEY")]
        identity: PathBuf,
        /// Trust this appliance public key (another appliance's signing.pub) instead of this data directory's keys.
        #[arg(long, value_name = "PEM")]
        trust_key: Option<PathBuf>,
    },
}

/// Runs a backup command.
pub async fn run(config: &Config, command: &Command) -> Result<(), CliError> {
    let (org, exam, to) = match command {
        Command::Verify { file, identity, trust_key } => {
            return verify(config, file, identity, trust_key.as_deref()).await;
        }
        Command::List { org } => return list(config, org).await,
        Command::Exam { org, exam, to } => (org, Some(exam.clone()), to),
        Command::Org { org, to } => (org, None, to),
    };
    // The server may run in another folder: it gets an absolute path.
    let to = to.as_ref().map(|dir| std::path::absolute(dir).unwrap_or_else(|_| dir.clone()));
    match client::submit(config, admin::Command::Backup { org: org.clone(), exam, to }).await? {
        Outcome::BackedUp { file, bytes, sha256, rows, audit_head } => {
            println!("wrote {}", file.display());
            println!("  size          {bytes} bytes");
            println!("  SHA-256       {sha256}");
            println!("  audit head    {audit_head}");
            for (table, count) in rows {
                println!("  {table:<20} {count} rows");
            }
            println!("Check it with a backup officer's key: examhall backup verify {} --identity KEY", file.display());
            Ok(())
        }
        other => Err(super::unexpected(&other)),
    }
}

async fn verify(config: &Config, file: &Path, identity: &Path, trust_key: Option<&Path>) -> Result<(), CliError> {
    let opened = check(config, file, identity, trust_key).await?;
    let manifest = &opened.manifest;
    let whose = if trust_key.is_some() { "the key given with --trust-key" } else { "this appliance's key" };
    println!("{} is whole and signed by {whose} (SHA-256 {})", file.display(), opened.signed_by.fingerprint());
    println!("  organization  {} ({})", manifest.organization.slug, manifest.organization.id);
    if let Some(exam) = &manifest.exam {
        println!("  exam          {} ({})", exam.title, exam.id);
    }
    println!("  made          {} by examhall {}", manifest.created_at, manifest.examhall_version);
    println!("  audit head    {}", manifest.audit_head);
    for (table, rows) in manifest.rows_by_table() {
        println!("  {table:<20} {rows} rows");
    }
    Ok(())
}

/// Checks `file` whole with `identity`, trusting this appliance's keys or `trust_key`.
async fn check(
    config: &Config,
    file: &Path,
    identity: &Path,
    trust_key: Option<&Path>,
) -> Result<backup::Opened, CliError> {
    let identities = backup::identities_from_file(identity).map_err(CliError::new)?;
    let trusted = super::keys::trusted(config, trust_key).await?;
    let input = std::fs::File::open(file).map_err(|e| CliError::new(format!("cannot open {}: {e}", file.display())))?;
    tokio::task::spawn_blocking(move || backup::read(std::io::BufReader::new(input), &identities, &trusted))
        .await
        .map_err(|e| CliError::new(format!("the check stopped: {e}")))?
        .map_err(|error| refused(file, &error))
}

/// Options of `examhall restore`.
#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// The bundle (.tar.zst.age).
    file: PathBuf,
    /// A backup officer's identity: an age key file (age-keygen) or an unencrypted SSH private key.
    #[arg(long, value_name = "KEY")]
    identity: PathBuf,
    /// The organization the bundle must be of (a check; a bundle only ever goes back into its own).
    #[arg(long, value_name = "SLUG")]
    org: Option<String>,
    /// Trust this appliance public key (the signing.pub of the appliance that made the bundle) besides this one's.
    #[arg(long, value_name = "PEM")]
    trust_key: Option<PathBuf>,
}

/// Runs `examhall restore`: checks the bundle here (exit codes as `backup
/// verify`) and that it is of this examhall's schema (6 when older), then
/// restores it in the process that holds the data directory.
pub async fn restore(config: &Config, args: &RestoreArgs) -> Result<(), CliError> {
    let file = std::path::absolute(&args.file).unwrap_or_else(|_| args.file.clone());
    let opened = check(config, &file, &args.identity, args.trust_key.as_deref()).await?;
    crate::service::restore::schema_fits(&opened.manifest).map_err(|mismatch| {
        let code = if matches!(mismatch, SchemaMismatch::Older { .. }) { 6 } else { 1 };
        CliError::new(format!("{}: {mismatch}", file.display())).hint(mismatch.hint()).exit_code(code)
    })?;
    let identity = std::fs::read_to_string(&args.identity)
        .map_err(|e| CliError::new(format!("cannot read the identity file {}: {e}", args.identity.display())))?;
    let trust_key = args.trust_key.as_deref().map(super::keys::read_public_key).transpose()?.map(|(text, _)| text);
    let command = admin::Command::Restore { file, identity: admin::Secret(identity), trust_key, org: args.org.clone() };
    match client::submit(config, command).await? {
        Outcome::Restored { org, created, exam, added, present } => {
            let what = exam.map_or_else(|| "the organization".to_owned(), |title| format!("the exam \"{title}\""));
            let made = if created { " (the organization was made on this appliance)" } else { "" };
            if added.is_empty() {
                println!("restored {what} into {org}{made}: nothing changed, all {present} rows were there already");
            } else {
                println!("restored {what} into {org}{made}:");
                for (table, count) in added {
                    println!("  {table:<20} {count} rows added");
                }
                println!("  {present} rows were there already and were kept as they are");
            }
            Ok(())
        }
        other => Err(super::unexpected(&other)),
    }
}

async fn list(config: &Config, slug: &str) -> Result<(), CliError> {
    let platform = super::open_platform(config, None)?;
    let result = async {
        let org = super::org::by_slug(&platform, slug).await?.id;
        let reader = super::reading::OrgReader::open(&platform, org).await?;
        let status = crate::service::backups::status(reader.file(&platform, org)).await;
        reader.close().await;
        let (exams, whole) = status?;
        if config.backup.recipients.is_empty() {
            println!("this config has no backup recipients: no bundle can be written with it (see [backup])");
        }
        print_latest(&format!("organization {slug} (whole)"), &whole);
        for exam in exams {
            print_latest(
                &format!("{} {} ({}, closes {})", exam.course, exam.title, exam.exam, exam.closes_at),
                &exam.latest,
            );
        }
        Ok(())
    }
    .await;
    platform.db().close().await;
    result
}

fn print_latest(what: &str, latest: &crate::store::backup_runs::Latest) {
    println!("{what}");
    match &latest.ok {
        Some((at, file, bytes, sha256)) => println!("  last good   {at}  {bytes} bytes  {file}  SHA-256 {sha256}"),
        None => println!("  last good   none yet"),
    }
    if let Some((at, error)) = &latest.failed {
        println!("  last error  {at}  {error}");
    }
}

/// The message and exit code for a refused bundle.
fn refused(file: &Path, error: &ReadError) -> CliError {
    let (code, hint) = match error {
        ReadError::NotAge(_) | ReadError::WrongIdentity => {
            (2, "give the identity of one of the backup officers the bundle was encrypted to")
        }
        ReadError::Missing(what) if what.starts_with("signature") => {
            (4, "do not restore it: a bundle examhall made is always signed; this one was cut short or made elsewhere")
        }
        ReadError::Damaged(_) | ReadError::Missing(_) | ReadError::Mismatch(_) => {
            (3, "the file was changed or cut short after it was written: use another copy of the bundle")
        }
        ReadError::BadSignature | ReadError::UntrustedKey { .. } => (
            4,
            "do not restore it: the bundle was not made by this appliance as it is; for a bundle of another appliance, \
             pass its signing.pub with --trust-key",
        ),
        ReadError::NewerFormat { .. } => (5, "check it with the examhall version that made it, or a newer one"),
    };
    CliError::new(format!("{}: {error}", file.display())).hint(hint).exit_code(code)
}
