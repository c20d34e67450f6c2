//! Erasing students at an org admin's request. A request is recorded
//! (audited by id, cancellable) and carried out by the next purge, the
//! server's daily one or `examhall retention apply`, once the retention
//! policy has purged every exam that holds the student's attempts; all the
//! requests a purge can carry out go in one pass, with one rewrite of the
//! audit log. Only students: staff appear in marks, reviews and notes
//! about other people, which an erasure must not rewrite.

use time::OffsetDateTime;

use super::Actor;
use crate::domain::UserId;
use crate::store::erasure::{self, Kept, Person};
use crate::store::{Database, StoreError, audit};

/// A recorded request.
#[derive(Debug, Clone)]
pub struct Requested {
    /// Whether this call recorded it (`false`: it was recorded before).
    pub new: bool,
    /// The exams that still hold the person's attempts: the purge erases
    /// them once these are gone.
    pub exams: Vec<Kept>,
}

/// Records that `person` of `db` is to be erased, for `actor`; audited
/// (`person.erase_requested`, by id) when newly recorded.
///
/// # Errors
/// [`StoreError::NotFound`] for no such person; [`StoreError::WrongState`]
/// for someone erased already, or who holds or held a staff role (named);
/// storage errors.
pub async fn request(
    db: &Database,
    actor: &Actor,
    person: UserId,
    now: OffsetDateTime,
) -> Result<Requested, StoreError> {
    let event = actor.event("person.erase_requested").target(person.to_string());
    db.write(move |conn| {
        let found = erasure::person(conn, person)?.ok_or_else(|| StoreError::NotFound("user".to_owned()))?;
        if erasure::is_erased(&found) {
            return Err(StoreError::WrongState("this person was erased already".to_owned()));
        }
        let staff = erasure::staff_roles(conn, person)?;
        if !staff.is_empty() {
            return Err(StoreError::WrongState(format!(
                "only students can be erased: this person holds or held the role of {}, and appears in records \
                 about other people",
                staff.join(", ")
            )));
        }
        let exams = erasure::kept_exams(conn, person)?;
        let new = erasure::request(conn, person, &event.actor_label, now)?;
        if new {
            let waits: Vec<String> = exams.iter().map(|k| k.exam.to_string()).collect();
            audit::append(conn, &event.details(serde_json::json!({ "waits_for": waits })), now)?;
        }
        Ok(Requested { new, exams })
    })
    .await
}

/// The recorded requests: who, and when it was asked.
///
/// # Errors
/// Storage errors.
pub async fn requested(db: &Database) -> Result<Vec<(UserId, crate::domain::Timestamp)>, StoreError> {
    db.read(erasure::requested).await
}

/// Cancels a recorded request (audited); `false` when there was none.
///
/// # Errors
/// Storage errors.
pub async fn cancel(db: &Database, actor: &Actor, person: UserId, now: OffsetDateTime) -> Result<bool, StoreError> {
    let event = actor.event("person.erase_cancelled").target(person.to_string());
    db.write(move |conn| {
        let cancelled = erasure::cancel(conn, person)?;
        if cancelled {
            audit::append(conn, &event, now)?;
        }
        Ok(cancelled)
    })
    .await
}

/// Carries out, for `actor` (the purge's), every recorded request that no
/// exam holds back any more, in one transaction with `secure_delete` on:
/// accounts erased, one rewrite of the audit log for all of them, and a
/// `person.erase` entry each (by id, with the pseudonym). Requests read
/// inside the transaction, so one cancelled meanwhile is not carried out.
/// Returns the pseudonyms of those erased.
///
/// # Errors
/// Storage errors; then nothing of this pass is kept.
pub async fn complete_requested(db: &Database, actor: &Actor, now: OffsetDateTime) -> Result<Vec<String>, StoreError> {
    let auditor = audit::Actor { id: actor.id.clone(), label: actor.label.clone() };
    let event = actor.event("person.erase");
    db.write(move |conn| {
        crate::store::connection::overwriting(conn, |conn| {
            let mut erased: Vec<(Person, u64)> = Vec::new();
            for (id, _) in erasure::requested(conn)? {
                let Some(person) = erasure::person(conn, id)? else { continue };
                let waits = erasure::is_erased(&person)
                    || !erasure::staff_roles(conn, id)?.is_empty()
                    || !erasure::kept_exams(conn, id)?.is_empty();
                if !waits {
                    let rows = erasure::erase_account(conn, &person)?;
                    erased.push((person, rows));
                }
            }
            let people: Vec<Person> = erased.iter().map(|(p, _)| p.clone()).collect();
            erasure::rewrite_audit(conn, &people, &auditor, now)?;
            let mut pseudonyms = Vec::new();
            for (person, rows) in &erased {
                let pseudonym = erasure::pseudonym(person.id);
                let details = serde_json::json!({ "pseudonym": pseudonym, "rows": rows });
                audit::append(conn, &event.clone().target(person.id.to_string()).details(details), now)?;
                pseudonyms.push(pseudonym);
            }
            Ok(pseudonyms)
        })
    })
    .await
}
