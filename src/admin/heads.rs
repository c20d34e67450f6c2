//! Accepting audit heads that a log no longer holds: the one
//! `platform.db` anchored for an organization whose file was rolled back,
//! or one kept outside (printed by `audit head`, e.g. by the installer
//! before an upgrade it then rolled back). Each is recorded by a checkpoint
//! entry of kind `accept`, so the head is found in the log's history.

use super::{AcceptedHead, Failure, Outcome, TAMPERED, find_org};
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::audit::{Actor as AuditActor, AuditHead, Checkpoint};

/// The reason, trimmed, when it says something and is not too long.
fn checked_reason(reason: &str) -> Result<&str, Failure> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(Failure::new(
            "--reason must say what the investigation found, in 1 to 500 characters",
            Some("for example: --reason \"ticket 4711: restored from the 02:00 backup after a disk failure\""),
        ));
    }
    Ok(reason)
}

/// The checkpoint as the command line shows it.
fn shown(checkpoint: &Checkpoint) -> AcceptedHead {
    AcceptedHead {
        seq: checkpoint.seq,
        old_head: checkpoint.old_head.to_string(),
        new_head: checkpoint.new_head.to_string(),
        head: checkpoint.head().to_string(),
    }
}

fn not_intact(log: &str, seq: i64, what: &str) -> Failure {
    Failure::new(format!("the audit log of {log} is not intact at entry {seq}: {what}"), Some(TAMPERED))
}

/// Accepts the head `platform.db` anchored for organization `slug`, whose
/// file no longer holds it (rolled back), after investigation.
pub(super) async fn accept_anchored(
    state: &AppState,
    actor: AuditActor,
    slug: &str,
    reason: &str,
) -> Result<Outcome, Failure> {
    let reason = checked_reason(reason)?;
    let org = find_org(state, slug).await?;
    let accepted = state.registry().platform().accept_head(org.id, &actor, reason, state.clock().now()).await;
    let checkpoint = match accepted {
        Ok(checkpoint) => checkpoint,
        Err(StoreError::AuditNotIntact { seq, what }) => return Err(not_intact(&org.slug.to_string(), seq, &what)),
        Err(other) => return Err(other.into()),
    };
    Ok(Outcome::HeadAccepted { checkpoint: checkpoint.as_ref().map(shown) })
}

/// Records that `head`, kept outside, is no longer in the log of
/// organization `org` (the platform's when `None`), for `reason`: an
/// `accept` checkpoint naming it, and, for an organization, an
/// `org.accept_head` entry in the platform log. Nothing is written when
/// the log holds `head` already.
pub(super) async fn accept_replaced(
    state: &AppState,
    actor: AuditActor,
    org: Option<&str>,
    head: &str,
    reason: &str,
) -> Result<Outcome, Failure> {
    let reason = checked_reason(reason)?.to_owned();
    let head: AuditHead = head.parse().map_err(|_| {
        Failure::new(
            format!("{head} is not an audit head"),
            Some("give it as SEQ:HEX, as `examhall audit head` prints it"),
        )
    })?;
    let (org, name) = match org {
        Some(slug) => {
            let org = find_org(state, slug).await?;
            (Some(org.id), org.slug.to_string())
        }
        None => (None, "the platform".to_owned()),
    };
    let written = crate::service::audit_heads::accept_replaced(state, &actor, org, head, &reason).await;
    match written {
        Ok(checkpoint) => Ok(Outcome::HeadAccepted { checkpoint: checkpoint.as_ref().map(shown) }),
        Err(StoreError::AuditNotIntact { seq, what }) => Err(not_intact(&name, seq, &what)),
        Err(other) => Err(other.into()),
    }
}
