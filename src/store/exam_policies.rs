//! Each exam's policy as its instructor set it. The thresholds are kept as
//! the JSON the service checked; reading them back as a table is the
//! service's (the store does not know the integrity rules).

use rusqlite::{Connection, OptionalExtension, params};
use time::OffsetDateTime;

use crate::domain::{ExamId, Timestamp, UserId};
use crate::store::StoreError;

/// One exam's policy row.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PolicyRow {
    /// The adjusted thresholds as JSON, or `None` for the exam's profile.
    pub thresholds: Option<String>,
    /// Proctors may read the code and replay of their sections' students.
    pub proctors_read_code: bool,
    /// The most extra minutes a proctor may give one student (0: none).
    pub proctor_extra_minutes: u32,
    /// Who set it last, by name, and when; `None` for the defaults.
    pub updated: Option<(String, Timestamp)>,
}

/// The policy of `exam`; the defaults when none was set.
///
/// # Errors
/// Storage errors.
pub fn get(conn: &Connection, exam: ExamId) -> Result<PolicyRow, StoreError> {
    Ok(conn
        .query_row(
            "SELECT p.thresholds, p.proctors_read_code, p.proctor_extra_minutes, u.display_name, p.updated_at
             FROM exam_policies p JOIN users u ON u.id = p.updated_by WHERE p.exam_id = ?1",
            [exam],
            |r| {
                Ok(PolicyRow {
                    thresholds: r.get(0)?,
                    proctors_read_code: r.get(1)?,
                    proctor_extra_minutes: r.get(2)?,
                    updated: Some((r.get(3)?, r.get(4)?)),
                })
            },
        )
        .optional()?
        .unwrap_or_default())
}

/// Sets the policy of `exam`.
///
/// # Errors
/// Storage errors.
pub fn put(
    conn: &Connection,
    exam: ExamId,
    row: &PolicyRow,
    by: UserId,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO exam_policies (exam_id, thresholds, proctors_read_code, proctor_extra_minutes, updated_by, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (exam_id) DO UPDATE SET thresholds = excluded.thresholds,
             proctors_read_code = excluded.proctors_read_code, proctor_extra_minutes = excluded.proctor_extra_minutes,
             updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        params![exam, row.thresholds, row.proctors_read_code, row.proctor_extra_minutes, by, Timestamp::from_time(now)],
    )?;
    Ok(())
}
