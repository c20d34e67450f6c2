//! The org admin's view of backups: whether bundles can be written, and per
//! exam (and for the whole organization) the last good bundle and the last
//! error.

use serde::Serialize;

use crate::domain::{ExamId, Timestamp};
use crate::service::backups::ExamBackups;
use crate::store::backup_runs::Latest;

/// `GET /api/v1/org/backups`.
#[derive(Serialize)]
pub struct BackupStatus {
    /// Whether backup officers' keys are configured (without them nothing is written).
    recipients_configured: bool,
    /// Whether the server backs up closed exams by itself.
    automatic: bool,
    /// The hour (UTC) of the nightly organization bundle, if there is one.
    nightly_utc_hour: Option<u8>,
    /// The organization's whole bundle.
    organization: LastRuns,
    /// Each published exam, latest close first.
    exams: Vec<ExamRuns>,
}

impl BackupStatus {
    /// The status from the configuration's `backup` and what was recorded.
    #[must_use]
    pub fn new(config: &crate::config::BackupConfig, exams: Vec<ExamBackups>, organization: Latest) -> Self {
        Self {
            recipients_configured: !config.recipients.is_empty(),
            automatic: config.automatic,
            nightly_utc_hour: config.nightly.then_some(config.nightly_utc_hour),
            organization: organization.into(),
            exams: exams.into_iter().map(ExamRuns::from).collect(),
        }
    }
}

/// One exam's backups.
#[derive(Serialize)]
struct ExamRuns {
    exam_id: ExamId,
    title: String,
    course_code: String,
    closes_at: String,
    #[serde(flatten)]
    runs: LastRuns,
}

impl From<ExamBackups> for ExamRuns {
    fn from(row: ExamBackups) -> Self {
        Self {
            exam_id: row.exam,
            title: row.title,
            course_code: row.course,
            closes_at: row.closes_at,
            runs: row.latest.into(),
        }
    }
}

/// The last good bundle and the last failure after it.
#[derive(Serialize)]
struct LastRuns {
    last_ok: Option<GoodRun>,
    last_failure: Option<FailedRun>,
}

#[derive(Serialize)]
struct GoodRun {
    at: Timestamp,
    file: String,
    bytes: u64,
    sha256: String,
}

#[derive(Serialize)]
struct FailedRun {
    at: Timestamp,
    error: String,
}

impl From<Latest> for LastRuns {
    fn from(latest: Latest) -> Self {
        Self {
            // The file's name, not where on the server it lies (IT has that in `backup list`).
            last_ok: latest.ok.map(|(at, file, bytes, sha256)| {
                let file =
                    std::path::Path::new(&file).file_name().map_or(file.clone(), |n| n.to_string_lossy().into_owned());
                GoodRun { at, file, bytes, sha256 }
            }),
            last_failure: latest.failed.map(|(at, error)| FailedRun { at, error }),
        }
    }
}
