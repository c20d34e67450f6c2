//! The org admin's view of retention: the policy and the platform's floor,
//! legal holds, what is due, and what was purged.

use serde::Serialize;

use crate::domain::{ExamId, Timestamp};
use crate::service::retention::Overview;

/// `GET /api/v1/org/retention`.
#[derive(Serialize)]
pub struct RetentionView {
    /// Days integrity evidence is kept after an exam closes (`null`: indefinitely).
    evidence_days: Option<u32>,
    /// Days a whole exam is kept (`null`: indefinitely).
    exam_days: Option<u32>,
    /// Days audit entries are kept after they are written (`null`: indefinitely).
    audit_days: Option<u32>,
    /// Who set the policy last, and when (`null` when never set).
    updated: Option<Updated>,
    /// The fewest days the platform allows.
    minimum_days: u32,
    /// The fewest days the platform allows for audit entries.
    audit_minimum_days: u32,
    /// Audit entries past their time, emptied by the next purge (`null`: none).
    audit_due: Option<AuditDueView>,
    /// The hour (UTC) of the daily purge, or `null` when the server does not purge by itself.
    daily_utc_hour: Option<u8>,
    /// Exams on legal hold.
    holds: Vec<HoldView>,
    /// What the policy says is due now (held ones too, marked).
    due: Vec<DueView>,
    /// The last purges, newest first.
    purged: Vec<PurgedView>,
    /// Published exams, for putting one on hold.
    exams: Vec<ExamView>,
}

#[derive(Serialize)]
struct Updated {
    by: String,
    at: Timestamp,
}

#[derive(Serialize)]
struct AuditDueView {
    /// Entries written before this go.
    before: Timestamp,
    entries: u64,
}

#[derive(Serialize)]
struct HoldView {
    exam_id: ExamId,
    title: String,
    reason: String,
    held_by: String,
    held_at: Timestamp,
}

#[derive(Serialize)]
struct DueView {
    exam_id: ExamId,
    title: String,
    /// `evidence` or `exam`.
    kind: &'static str,
    closed_at: Timestamp,
    days: u32,
    rows: u64,
    /// The hold's reason, when one keeps it.
    held: Option<String>,
}

#[derive(Serialize)]
struct PurgedView {
    exam_id: ExamId,
    title: String,
    kind: &'static str,
    purged_at: Timestamp,
    rows: u64,
}

#[derive(Serialize)]
struct ExamView {
    exam_id: ExamId,
    title: String,
}

impl RetentionView {
    /// The view of `overview` under `config`.
    #[must_use]
    pub fn new(config: &crate::config::RetentionConfig, overview: Overview) -> Self {
        let policy = overview.policy.as_ref().map(|p| p.policy.clone()).unwrap_or_default();
        Self {
            evidence_days: policy.evidence_days,
            exam_days: policy.exam_days,
            audit_days: policy.audit_days,
            updated: overview.policy.map(|p| Updated { by: p.updated_by, at: p.updated_at }),
            minimum_days: overview.minimum_days,
            audit_minimum_days: overview.audit_minimum_days,
            audit_due: overview.audit_due.map(|d| AuditDueView { before: d.before, entries: d.entries }),
            daily_utc_hour: config.automatic.then_some(config.utc_hour),
            holds: overview
                .holds
                .into_iter()
                .map(|h| HoldView {
                    exam_id: h.exam,
                    title: h.title,
                    reason: h.reason,
                    held_by: h.held_by,
                    held_at: h.held_at,
                })
                .collect(),
            due: overview
                .plan
                .into_iter()
                .map(|d| DueView {
                    exam_id: d.exam,
                    rows: d.total(),
                    title: d.title,
                    kind: d.kind.as_str(),
                    closed_at: d.closed_at,
                    days: d.days,
                    held: d.held,
                })
                .collect(),
            purged: overview
                .purged
                .into_iter()
                .map(|p| PurgedView {
                    exam_id: p.exam,
                    title: p.title,
                    kind: p.kind.as_str(),
                    purged_at: p.purged_at,
                    rows: p.rows,
                })
                .collect(),
            exams: overview.exams.into_iter().map(|(exam_id, title)| ExamView { exam_id, title }).collect(),
        }
    }
}
