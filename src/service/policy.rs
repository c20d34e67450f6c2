//! Each exam's policy: the integrity thresholds its signals are derived
//! with (its profile's, or the instructor's adjusted table) and what the
//! proctors of its sections may do. Signals are derived from the log on
//! every read, so a change of thresholds applies to every signal at once;
//! decisions people made stay attached by the signal's key.

use crate::domain::{IntegrityProfile, Timestamp};
use crate::integrity::signals::thresholds::Thresholds;
use crate::notices::ExamEvent;
use crate::state::AppState;
use crate::store::exam_policies::{self, PolicyRow};
use crate::store::exams::Exam;
use crate::store::{Database, StoreError, audit};

use super::ExamStaff;

/// The most extra minutes an instructor may let a proctor give one student.
pub const MAX_PROCTOR_EXTRA_MINUTES: u32 = 600;

/// An exam's policy as it applies now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExamPolicy {
    /// The exam's profile (its starting point).
    pub profile: IntegrityProfile,
    /// The thresholds signals are derived with.
    pub thresholds: Thresholds,
    /// Whether the instructor adjusted them from the profile's.
    pub adjusted: bool,
    /// Proctors may read the code and replay of their sections' students.
    pub proctors_read_code: bool,
    /// The most extra minutes a proctor may give one student (0: none).
    pub proctor_extra_minutes: u32,
    /// Who set it last, by name, and when; `None` for the defaults.
    pub updated: Option<(String, Timestamp)>,
}

impl ExamPolicy {
    /// The policy of `exam` from its stored row.
    #[must_use]
    pub fn of(exam: &Exam, row: PolicyRow) -> Self {
        let profile = exam.spec.integrity_profile;
        // The table was checked when it was stored; one that no longer reads
        // (a kind renamed by an upgrade) falls back to the profile's, loudly.
        let adjusted = row.thresholds.as_deref().and_then(|json| {
            serde_json::from_str::<Thresholds>(json)
                .inspect_err(|error| tracing::warn!(exam = %exam.id, %error, "an exam's adjusted thresholds no longer read; using its profile's"))
                .ok()
        });
        Self {
            profile,
            thresholds: adjusted.unwrap_or(Thresholds::of(profile)),
            adjusted: adjusted.is_some(),
            proctors_read_code: row.proctors_read_code,
            proctor_extra_minutes: row.proctor_extra_minutes,
            updated: row.updated,
        }
    }

    /// What the audit log keeps of it: every value, none of the names.
    fn audited(&self) -> serde_json::Value {
        serde_json::json!({
            "thresholds": self.adjusted.then_some(self.thresholds),
            "proctors_read_code": self.proctors_read_code,
            "proctor_extra_minutes": self.proctor_extra_minutes,
        })
    }
}

/// The policy of `exam`.
///
/// # Errors
/// Storage errors.
pub async fn policy(db: &Database, exam: &Exam) -> Result<ExamPolicy, StoreError> {
    let (id, of) = (exam.id, exam.clone());
    let row = db.read(move |conn| exam_policies::get(conn, id)).await?;
    Ok(ExamPolicy::of(&of, row))
}

/// A new policy, as an instructor sends it.
#[derive(Debug, Clone)]
pub struct PolicyChange {
    /// The adjusted thresholds, or `None` for the profile's.
    pub thresholds: Option<Thresholds>,
    /// Proctors may read code and replays.
    pub proctors_read_code: bool,
    /// The most extra minutes a proctor may give one student.
    pub proctor_extra_minutes: u32,
}

/// Sets the exam's policy; audited with the old and the new values. Monitors
/// read their signal counts again.
///
/// # Errors
/// [`StoreError::Invalid`] for a table that cannot stand or too many minutes.
pub async fn set_policy(state: &AppState, on: &ExamStaff, change: PolicyChange) -> Result<ExamPolicy, StoreError> {
    if let Some(thresholds) = &change.thresholds {
        thresholds.check().map_err(|message| StoreError::invalid("thresholds", format!("thresholds: {message}")))?;
    }
    if change.proctor_extra_minutes > MAX_PROCTOR_EXTRA_MINUTES {
        return Err(StoreError::invalid(
            "proctor_extra_minutes",
            format!("proctor_extra_minutes: 0 to {MAX_PROCTOR_EXTRA_MINUTES}"),
        ));
    }
    // The profile's own table is no adjustment: it follows the profile.
    let profile_table = Thresholds::of(on.exam.spec.integrity_profile);
    let thresholds = change.thresholds.filter(|t| *t != profile_table);
    let row = PolicyRow {
        thresholds: thresholds.map(|t| serde_json::to_string(&t).expect("thresholds serialise")),
        proctors_read_code: change.proctors_read_code,
        proctor_extra_minutes: change.proctor_extra_minutes,
        updated: None,
    };
    let (exam, by, now) = (on.exam.clone(), on.staff.user, state.clock().now());
    let actor = on.staff.actor.clone();
    let changed = on
        .staff
        .db
        .write(move |conn| {
            let old = ExamPolicy::of(&exam, exam_policies::get(conn, exam.id)?);
            exam_policies::put(conn, exam.id, &row, by, now)?;
            let new = ExamPolicy::of(&exam, exam_policies::get(conn, exam.id)?);
            let details = serde_json::json!({ "old": old.audited(), "new": new.audited() });
            audit::append(conn, &actor.event("exam.policy").target(exam.id.to_string()).details(details), now)?;
            Ok(new)
        })
        .await?;
    on.tell(state.notices(), ExamEvent::PolicyChanged);
    Ok(changed)
}
