//! Erasing one student at an org admin's request, once the organization's
//! retention has purged every exam that holds their attempts: until then
//! the request is recorded and the server completes it with the daily
//! purge (the same code). Only students: staff appear in marks, reviews
//! and notes about other people, which an erasure must not rewrite.

use time::OffsetDateTime;

use super::Actor;
use crate::domain::UserId;
use crate::store::erasure::{self, Erased, Kept};
use crate::store::{Database, StoreError, audit};

/// What a request to erase someone did.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// They were erased now.
    Erased(Erased),
    /// Exams still hold their attempts: the request is recorded (`new`
    /// when this call recorded it) and completed once these are purged.
    Waiting {
        /// Whether this call recorded the request.
        new: bool,
        /// The exams it waits for.
        exams: Vec<Kept>,
    },
}

/// Erases `person` of `db` for `actor` now, or records the request when
/// exams still hold their attempts. Audited (`person.erase`, or
/// `person.erase_requested` when recorded), by the person's id only.
///
/// # Errors
/// [`StoreError::NotFound`] for no such person; [`StoreError::WrongState`]
/// for staff (naming their roles); storage errors.
pub async fn erase_or_request(
    db: &Database,
    actor: &Actor,
    person: UserId,
    now: OffsetDateTime,
) -> Result<Outcome, StoreError> {
    let (requested, erased) = (actor.event("person.erase_requested"), actor.event("person.erase"));
    let auditor = audit::Actor { id: actor.id.clone(), label: actor.label.clone() };
    db.write(move |conn| {
        let found = erasure::person(conn, person)?.ok_or_else(|| StoreError::NotFound("user".to_owned()))?;
        let staff = erasure::staff_roles(conn, person)?;
        if !staff.is_empty() {
            return Err(StoreError::WrongState(format!(
                "only students can be erased here; this person is also {}: remove those roles first",
                staff.join(", ")
            )));
        }
        let exams = erasure::kept_exams(conn, person)?;
        if !exams.is_empty() {
            let new = erasure::request(conn, person, &requested.actor_label, now)?;
            if new {
                let waits: Vec<String> = exams.iter().map(|k| k.exam.to_string()).collect();
                let event = requested.target(person.to_string()).details(serde_json::json!({ "waits_for": waits }));
                audit::append(conn, &event, now)?;
            }
            return Ok(Outcome::Waiting { new, exams });
        }
        let done = erasure::erase(conn, &found, &auditor, now)?;
        let event = erased
            .target(person.to_string())
            .details(serde_json::json!({ "pseudonym": done.pseudonym, "rows": done.rows }));
        audit::append(conn, &event, now)?;
        Ok(Outcome::Erased(done))
    })
    .await
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

/// Erases everyone whose recorded request no exam holds back any more, for
/// `actor` (the daily purge's); the erasures done.
///
/// # Errors
/// Storage errors; the erasures done before one fails stay done.
pub async fn complete_requested(db: &Database, actor: &Actor, now: OffsetDateTime) -> Result<Vec<Erased>, StoreError> {
    let waiting = db.read(erasure::requested).await?;
    let mut done = Vec::new();
    for (person, _) in waiting {
        match erase_or_request(db, actor, person, now).await {
            Ok(Outcome::Erased(erased)) => done.push(erased),
            Ok(Outcome::Waiting { .. }) => {}
            // Given a staff role since: the request waits for a person to decide.
            Err(StoreError::WrongState(why)) => tracing::warn!(%person, why, "an erasure request waits"),
            Err(error) => return Err(error),
        }
    }
    Ok(done)
}
