//! Candidate links: instructors issue, list, revoke and issue again the
//! one-exam sign-in links of candidates (see `store::candidates`).

use time::OffsetDateTime;

use super::ExamStaff;
use crate::domain::SectionId;
use crate::notices::ExamEvent;
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::audit;
use crate::store::candidates::{self, Candidate, CandidateLink, IssuedLink, Reissued};

/// The most candidates one request may create.
pub const MAX_CANDIDATES: usize = 2000;

/// Every link of the exam.
///
/// # Errors
/// Storage errors.
pub async fn list(state: &AppState, on: &ExamStaff) -> Result<Vec<CandidateLink>, StoreError> {
    let (exam, now) = (on.exam.id, state.clock().now());
    on.staff.db.read(move |conn| candidates::list(conn, exam, now)).await
}

/// Where and when a batch of links works.
#[derive(Debug, Clone, Copy)]
pub struct LinkWindow {
    /// The section the candidates sit the exam with.
    pub section: SectionId,
    /// When the links start working.
    pub valid_from: OffsetDateTime,
    /// When they stop.
    pub valid_until: OffsetDateTime,
}

/// Issues a link (and an account) for each candidate.
///
/// # Errors
/// [`StoreError::Invalid`] for an empty or oversized batch, a section the
/// exam does not sit, a window that ends before it starts, or a bad candidate.
pub async fn issue(
    state: &AppState,
    on: &ExamStaff,
    window: LinkWindow,
    list: Vec<Candidate>,
) -> Result<Vec<IssuedLink>, StoreError> {
    if list.is_empty() || list.len() > MAX_CANDIDATES {
        return Err(StoreError::invalid("candidates", format!("give 1 to {MAX_CANDIDATES} candidates")));
    }
    if !on.exam.spec.section_ids.contains(&window.section) {
        return Err(StoreError::invalid("section_id", "section_id: one of the exam's sections"));
    }
    if window.valid_until <= window.valid_from {
        return Err(StoreError::invalid("valid_until", "valid_until: after valid_from"));
    }
    let (exam, now) = (on.exam.id, state.clock().now());
    let event = on
        .staff
        .actor
        .event("candidate_link.create")
        .target(exam.to_string())
        .details(serde_json::json!({ "count": list.len(), "section": window.section }));
    on.staff
        .db
        .write(move |conn| {
            let span = (window.valid_from, window.valid_until);
            let issued = candidates::issue(conn, exam, window.section, span, &list, now)?;
            audit::append(conn, &event, now)?;
            Ok(issued)
        })
        .await
        .map_err(|error| match error {
            // A student number already in use is a bad row of the batch.
            StoreError::Taken(message) => StoreError::invalid("candidates", message),
            other => other,
        })
}

/// Revokes link `id`: it stops working and its browser is signed out.
///
/// # Errors
/// [`StoreError::NotFound`] for a link not of this exam.
pub async fn revoke(state: &AppState, on: &ExamStaff, id: String) -> Result<(), StoreError> {
    let (exam, now) = (on.exam.id, state.clock().now());
    let event = on.staff.actor.event("candidate_link.revoke").target(id.clone());
    on.staff
        .db
        .write(move |conn| {
            candidates::revoke(conn, exam, &id, now)?;
            audit::append(conn, &event, now).map(|_| ())
        })
        .await
}

/// A new link for the candidate of link `id`, for a candidate who closed
/// the browser before submitting. The old link stops working and its
/// browser is signed out; a running attempt is allowed to move, so the
/// browser that opens the new link continues it. Audited as
/// `candidate_link.reissue`, and the move as `attempt.allow_move`, as when
/// staff move any attempt.
///
/// # Errors
/// [`StoreError::NotFound`] for a link not of this exam;
/// [`StoreError::WrongState`] for a replaced or expired link, or a
/// candidate with no attempt left to continue.
pub async fn reissue(state: &AppState, on: &ExamStaff, id: String) -> Result<Reissued, StoreError> {
    let (exam, now) = (on.exam.id, state.clock().now());
    let reissued_event = on.staff.actor.event("candidate_link.reissue");
    let moved_event = on.staff.actor.event("attempt.allow_move");
    let reissued = on
        .staff
        .db
        .write(move |conn| {
            let reissued = candidates::reissue(conn, exam, &id, now)?;
            let details = serde_json::json!({ "replaces": id, "attempt_moved": reissued.attempt_moved });
            audit::append(conn, &reissued_event.target(reissued.link.id.clone()).details(details), now)?;
            if let Some(attempt) = reissued.attempt_moved {
                let details = serde_json::json!({ "candidate_link": reissued.link.id });
                audit::append(conn, &moved_event.target(attempt.to_string()).details(details), now)?;
            }
            Ok(reissued)
        })
        .await?;
    if let Some(attempt) = reissued.attempt_moved {
        let student = reissued.candidate;
        let event = ExamEvent::MoveAllowed { attempt, student };
        on.tell(state.notices(), event);
    }
    Ok(reissued)
}
