//! Candidate links as the instructor sees them (never their tokens, once issued).

use serde::Serialize;

use crate::domain::{SectionId, Timestamp};
use crate::store::candidates;

/// A candidate link, listed.
#[derive(Serialize)]
pub struct CandidateLink {
    id: String,
    label: String,
    student_number: Option<String>,
    section_id: SectionId,
    valid_from: Timestamp,
    valid_until: Timestamp,
    /// `active`, `redeemed`, `revoked`, `replaced` or `expired`.
    status: &'static str,
    redeemed_at: Option<Timestamp>,
    created_at: Timestamp,
}

impl From<candidates::CandidateLink> for CandidateLink {
    fn from(link: candidates::CandidateLink) -> Self {
        Self {
            id: link.id,
            label: link.label,
            student_number: link.student_number,
            section_id: link.section_id,
            valid_from: link.valid_from,
            valid_until: link.valid_until,
            status: link.status,
            redeemed_at: link.redeemed_at,
            created_at: link.created_at,
        }
    }
}
