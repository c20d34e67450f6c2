//! An exam's policy as its staff and proctors read it: the thresholds its
//! signals are derived with, the profile's own beside them (for "reset"),
//! and what proctors may do.

use serde::Serialize;

use crate::domain::{IntegrityProfile, Timestamp};
use crate::integrity::signals::thresholds::Thresholds;
use crate::service::policy::ExamPolicy;

/// The policy body.
#[derive(Serialize)]
pub struct Policy {
    profile: IntegrityProfile,
    /// The thresholds in force.
    thresholds: Thresholds,
    /// The profile's own, which the thresholds are when not adjusted.
    profile_thresholds: Thresholds,
    adjusted: bool,
    proctors_read_code: bool,
    proctor_extra_minutes: u32,
    updated_by_name: Option<String>,
    updated_at: Option<Timestamp>,
}

impl From<ExamPolicy> for Policy {
    fn from(policy: ExamPolicy) -> Self {
        let (updated_by_name, updated_at) = policy.updated.map_or((None, None), |(who, when)| (Some(who), Some(when)));
        Self {
            profile: policy.profile,
            thresholds: policy.thresholds,
            profile_thresholds: Thresholds::of(policy.profile),
            adjusted: policy.adjusted,
            proctors_read_code: policy.proctors_read_code,
            proctor_extra_minutes: policy.proctor_extra_minutes,
            updated_by_name,
            updated_at,
        }
    }
}
