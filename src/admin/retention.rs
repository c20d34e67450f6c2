//! Retention commands on the admin socket: the policy, legal holds and a
//! purge, carried out by the process holding the data directory with the
//! same services the org admin's page uses.

use serde::{Deserialize, Serialize};

use super::{Failure, Outcome};
pub use crate::service::retention::Days;

use crate::domain::{ExamId, OrgId};
use crate::service::retention::Change;
use crate::service::{Actor, retention};
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::audit::Actor as AuditActor;
use crate::store::retention::Due;

/// A retention command.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum Retention {
    /// A new policy.
    Set {
        /// Days the integrity evidence is kept.
        evidence: Days,
        /// Days the whole exam is kept.
        exam: Days,
        /// Days audit entries are kept.
        #[serde(default)]
        audit: Days,
    },
    /// A legal hold on an exam.
    Hold {
        /// The exam's id.
        exam: String,
        /// The dispute it is for.
        reason: String,
    },
    /// A hold released.
    Release {
        /// The exam's id.
        exam: String,
    },
    /// A purge of what is due now.
    Apply,
}

/// One purge, as reported.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PurgeLine {
    /// The exam's id.
    pub exam: String,
    /// Its title.
    pub title: String,
    /// What went: "integrity evidence" or "the whole exam".
    pub what: String,
    /// Rows deleted (or that would have been).
    pub rows: u64,
    /// The hold that stopped it.
    pub held: Option<String>,
}

impl PurgeLine {
    fn new(due: &Due, rows: u64) -> Self {
        Self {
            exam: due.exam.to_string(),
            title: due.title.clone(),
            what: due.kind.label().to_owned(),
            rows,
            held: due.held.clone(),
        }
    }
}

/// Carries out `command` in organization `org`.
///
/// # Errors
/// What was wrong, and what to do.
pub async fn execute(state: &AppState, actor: AuditActor, org: OrgId, command: Retention) -> Result<Outcome, Failure> {
    let actor = Actor::audited(actor);
    match command {
        Retention::Set { evidence, exam, audit } => {
            let policy = retention::set_policy(state, &actor, org, Change { evidence, exam, audit }).await?;
            Ok(Outcome::RetentionSet {
                evidence_days: policy.evidence_days,
                exam_days: policy.exam_days,
                audit_days: policy.audit_days,
            })
        }
        Retention::Hold { exam, reason } => {
            let exam = parse_exam(&exam)?;
            let changed = retention::hold(state, &actor, org, exam, &reason).await.map_err(not_found)?;
            Ok(Outcome::RetentionChanged { changed })
        }
        Retention::Release { exam } => {
            let exam = parse_exam(&exam)?;
            let changed = retention::release(state, &actor, org, exam).await.map_err(not_found)?;
            Ok(Outcome::RetentionChanged { changed })
        }
        Retention::Apply => {
            let applied = retention::apply(state, &actor, org).await?;
            Ok(Outcome::RetentionApplied {
                purged: applied.purged.iter().map(|(due, deleted)| PurgeLine::new(due, deleted.total())).collect(),
                held: applied.held.iter().map(|due| PurgeLine::new(due, due.total())).collect(),
                bundles_deleted: applied.bundles_deleted,
                bundles_left: applied.bundles_left,
                audit_emptied: applied.audit_emptied,
                erased: applied.erased,
            })
        }
    }
}

fn parse_exam(exam: &str) -> Result<ExamId, Failure> {
    ExamId::parse(exam).map_err(|_| {
        Failure::new(
            format!("{exam} is not an exam id"),
            Some("`examhall retention show --org SLUG` lists the exams with their ids"),
        )
    })
}

fn not_found(error: StoreError) -> Failure {
    match error {
        StoreError::NotFound(what) => Failure::new(
            format!("no {what} in this organization"),
            Some("`examhall retention show --org SLUG` lists the exams with their ids"),
        ),
        other => other.into(),
    }
}
