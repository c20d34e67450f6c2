//! `examhall retention`: an organization's retention policy, legal holds,
//! what is due, and the purge. Changes go through the running server when
//! there is one; `show` and `plan` only read.

use super::CliError;
use crate::admin::retention::{Days, PurgeLine, Retention};
use crate::admin::{self, Outcome, client};
use crate::config::Config;
use crate::service::retention::Overview;

/// Retention commands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Show the policy, the platform's minimum, legal holds, the exams and the last purges.
    Show {
        /// The organization's slug.
        #[arg(long, value_name = "SLUG")]
        org: String,
    },
    /// Set how long a closed exam's data is kept: a number of days, or `forever`. Unnamed settings stay as they are.
    Set {
        /// The organization's slug.
        #[arg(long, value_name = "SLUG")]
        org: String,
        /// Integrity evidence (edit and event log, late items, reviews, incident notes, similarity runs).
        #[arg(long, value_name = "DAYS|forever", value_parser = parse_days)]
        evidence_days: Option<Days>,
        /// The whole exam (questions, attempts, answers, submissions), evidence included.
        #[arg(long, value_name = "DAYS|forever", value_parser = parse_days)]
        exam_days: Option<Days>,
        /// Audit entries, counted from when each was written (emptied in place when their time is up).
        #[arg(long, value_name = "DAYS|forever", value_parser = parse_days)]
        audit_days: Option<Days>,
    },
    /// List what the policy says is due now, and why; changes nothing.
    Plan {
        /// The organization's slug.
        #[arg(long, value_name = "SLUG")]
        org: String,
    },
    /// Purge what is due now (what `plan` lists, exams on legal hold excepted).
    Apply {
        /// The organization's slug.
        #[arg(long, value_name = "SLUG")]
        org: String,
    },
    /// Put an exam on legal hold (a dispute in progress): no purge touches it until it is released.
    Hold {
        /// The organization's slug.
        #[arg(long, value_name = "SLUG")]
        org: String,
        /// The exam's id (`retention show` lists them).
        #[arg(long, value_name = "EXAM_ID")]
        exam: String,
        /// The dispute it is for (kept in the audit log).
        #[arg(long)]
        reason: String,
    },
    /// Release an exam's legal hold.
    Release {
        /// The organization's slug.
        #[arg(long, value_name = "SLUG")]
        org: String,
        /// The exam's id.
        #[arg(long, value_name = "EXAM_ID")]
        exam: String,
    },
}

fn parse_days(text: &str) -> Result<Days, String> {
    if text.eq_ignore_ascii_case("forever") {
        return Ok(Days::Forever);
    }
    match text.parse::<u32>() {
        Ok(days) if days > 0 => Ok(Days::Days(days)),
        _ => Err(format!("{text} is neither a number of days (1 or more) nor `forever`")),
    }
}

/// Runs a retention command.
pub async fn run(config: &Config, command: &Command) -> Result<(), CliError> {
    let (org, retention) = match command {
        Command::Show { org } => return read(config, org, false).await,
        Command::Plan { org } => return read(config, org, true).await,
        Command::Set { org, evidence_days, exam_days, audit_days } => {
            if evidence_days.is_none() && exam_days.is_none() && audit_days.is_none() {
                return Err(CliError::new("nothing to set")
                    .hint("give --evidence-days, --exam-days or --audit-days (DAYS or forever)"));
            }
            let [evidence, exam, audit] = [evidence_days, exam_days, audit_days].map(|d| d.unwrap_or(Days::Unchanged));
            (org, Retention::Set { evidence, exam, audit })
        }
        Command::Apply { org } => (org, Retention::Apply),
        Command::Hold { org, exam, reason } => (org, Retention::Hold { exam: exam.clone(), reason: reason.clone() }),
        Command::Release { org, exam } => (org, Retention::Release { exam: exam.clone() }),
    };
    let outcome =
        client::submit(config, admin::Command::Retention { org: org.clone(), retention: retention.clone() }).await?;
    match (outcome, &retention) {
        (Outcome::RetentionSet { evidence_days, exam_days, audit_days }, _) => {
            println!(
                "retention of {org}: integrity evidence {}, whole exams {}, audit entries {}",
                days(evidence_days),
                days(exam_days),
                audit_entry_days(audit_days)
            );
        }
        (Outcome::RetentionChanged { changed }, Retention::Hold { exam, .. }) => {
            println!(
                "{}",
                if changed {
                    format!("exam {exam} is on legal hold")
                } else {
                    format!("exam {exam} was on legal hold already")
                }
            );
        }
        (Outcome::RetentionChanged { changed }, Retention::Release { exam }) => {
            println!(
                "{}",
                if changed {
                    format!("released the legal hold of exam {exam}")
                } else {
                    format!("exam {exam} had no legal hold")
                }
            );
        }
        (Outcome::RetentionApplied { purged, held, bundles_deleted, bundles_left, audit_emptied, erased }, _) => {
            if purged.is_empty() && bundles_deleted.is_empty() && audit_emptied == 0 && erased.is_empty() {
                println!("nothing was due");
            }
            for pseudonym in &erased {
                println!("erased a person at the organization's request (now {pseudonym})");
            }
            if audit_emptied > 0 {
                println!(
                    "emptied {audit_emptied} audit entries past their retention (a checkpoint in the log records it; \
                     examhall audit verify still passes)"
                );
            }
            for name in &bundles_deleted {
                println!("deleted the expired bundle {name}");
            }
            for (name, why) in &bundles_left {
                eprintln!("could not delete the expired bundle {name}: {why}; the next run tries again");
            }
            for line in &purged {
                println!("purged {} of {} ({}): {} rows", line.what, line.title, line.exam, line.rows);
            }
            print_held(&held);
        }
        (other, _) => return Err(super::unexpected(&other)),
    }
    Ok(())
}

fn days(days: Option<u32>) -> String {
    days.map_or_else(|| "kept indefinitely".to_owned(), |d| format!("kept {d} days after the exam closes"))
}

fn audit_entry_days(days: Option<u32>) -> String {
    days.map_or_else(|| "kept indefinitely".to_owned(), |d| format!("kept {d} days after they are written"))
}

fn print_held(held: &[PurgeLine]) {
    for line in held {
        let reason = line.held.as_deref().unwrap_or_default();
        println!("kept {} of {} ({}): on legal hold ({reason})", line.what, line.title, line.exam);
    }
}

async fn read(config: &Config, slug: &str, plan: bool) -> Result<(), CliError> {
    let platform = super::open_platform(config, None)?;
    let result = async {
        let org = super::org::by_slug(&platform, slug).await?.id;
        let reader = super::reading::OrgReader::open(&platform, org).await?;
        let now = crate::clock::from_env().map_err(CliError::new)?.now();
        let overview = crate::service::retention::overview(reader.file(&platform, org), config, now).await;
        reader.close().await;
        let overview = overview?;
        if plan {
            print_plan(&overview);
        } else {
            print_overview(slug, &overview);
        }
        Ok(())
    }
    .await;
    platform.db().close().await;
    result
}

fn print_plan(overview: &Overview) {
    if overview.policy.is_none() {
        println!("no retention policy: everything is kept (set one with examhall retention set)");
        return;
    }
    if overview.plan.is_empty() && overview.expired_bundles.is_empty() && overview.audit_due.is_none() {
        println!("nothing is due");
    }
    if let Some(due) = &overview.audit_due {
        println!(
            "due: {} audit entries written before {} (emptied in place; the chain stays whole)",
            due.entries, due.before
        );
    }
    for file in &overview.expired_bundles {
        println!("due: the expired bundle {file} ([backup] delete_expired)");
    }
    for due in &overview.plan {
        let why = format!("closed {}, kept {} days", due.closed_at, due.days);
        match &due.held {
            Some(reason) => println!(
                "kept: {} of {} ({}), {why}, but on legal hold ({reason})",
                due.kind.label(),
                due.title,
                due.exam
            ),
            None => println!("due: {} of {} ({}), {why}: {} rows", due.kind.label(), due.title, due.exam, due.total()),
        }
        for (table, rows) in &due.rows {
            println!("  {table:20} {rows}");
        }
    }
}

fn print_overview(slug: &str, overview: &Overview) {
    match &overview.policy {
        Some(stored) => {
            println!("retention of {slug} (set by {} at {}):", stored.updated_by, stored.updated_at);
            println!("  integrity evidence  {}", days(stored.policy.evidence_days));
            println!("  whole exams         {}", days(stored.policy.exam_days));
            println!("  audit entries       {}", audit_entry_days(stored.policy.audit_days));
        }
        None => println!("retention of {slug}: no policy, everything is kept"),
    }
    println!(
        "  platform minimum    {} days (audit entries {} days)",
        overview.minimum_days, overview.audit_minimum_days
    );
    for hold in &overview.holds {
        println!(
            "legal hold: {} ({}), since {} by {}: {}",
            hold.title, hold.exam, hold.held_at, hold.held_by, hold.reason
        );
    }
    println!("exams:");
    for (id, title) in &overview.exams {
        println!("  {id}  {title}");
    }
    for purge in &overview.purged {
        println!(
            "purged {} of {} ({}) at {}: {} rows",
            purge.kind.label(),
            purge.title,
            purge.exam,
            purge.purged_at,
            purge.rows
        );
    }
}
