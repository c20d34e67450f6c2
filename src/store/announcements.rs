//! Announcements to the students of an exam (or of one of its sections),
//! and which student read which. Both are appended, never changed.

use rusqlite::{Connection, OptionalExtension, params};
use time::OffsetDateTime;

use crate::domain::{ExamId, SectionId, Timestamp, UserId};
use crate::store::StoreError;

/// One announcement.
#[derive(Debug, Clone)]
pub struct Announcement {
    /// Identifier.
    pub id: String,
    /// The section it is for; `None` for every section of the exam.
    pub section_id: Option<SectionId>,
    /// What it says.
    pub body: String,
    /// Who sent it.
    pub made_by_name: String,
    /// When.
    pub made_at: Timestamp,
}

/// An announcement as a student sees it: with when they read it.
#[derive(Debug, Clone)]
pub struct Received {
    /// The announcement.
    pub announcement: Announcement,
    /// When the student said they read it, if they did.
    pub read_at: Option<Timestamp>,
}

/// An announcement as a watcher sees it: with who of the students they
/// watch read it.
#[derive(Debug, Clone)]
pub struct Sent {
    /// The announcement.
    pub announcement: Announcement,
    /// The students of the watcher's sections who read it.
    pub read_by: Vec<UserId>,
}

const COLUMNS: &str = "a.id, a.section_id, a.body, u.display_name, a.made_at";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Announcement> {
    Ok(Announcement {
        id: r.get(0)?,
        section_id: r.get(1)?,
        body: r.get(2)?,
        made_by_name: r.get(3)?,
        made_at: r.get(4)?,
    })
}

/// Appends an announcement of `exam` for `section` (every section when `None`).
///
/// # Errors
/// Storage errors.
pub fn append(
    conn: &Connection,
    exam: ExamId,
    section: Option<SectionId>,
    body: &str,
    by: UserId,
    now: OffsetDateTime,
) -> Result<String, StoreError> {
    let id = uuid::Uuid::now_v7().to_string();
    conn.execute(
        "INSERT INTO announcements (id, exam_id, section_id, body, made_by, made_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![id, exam, section, body, by, Timestamp::from_time(now)],
    )?;
    Ok(id)
}

/// How many announcements `exam` has.
///
/// # Errors
/// Storage errors.
pub fn count(conn: &Connection, exam: ExamId) -> Result<usize, StoreError> {
    let count: i64 = conn.query_row("SELECT count(*) FROM announcements WHERE exam_id = ?1", [exam], |r| r.get(0))?;
    Ok(usize::try_from(count).unwrap_or(usize::MAX))
}

/// The condition that an announcement (`a`) reaches student `?2`: for the
/// whole exam, or for a section they sit.
const REACHES_STUDENT: &str = "(a.section_id IS NULL OR a.section_id IN
    (SELECT g.section_id FROM grants g WHERE g.user_id = ?2 AND g.role = 'student'))";

/// The announcements of `exam` that reach `student`, newest first, with when they read each.
///
/// # Errors
/// Storage errors.
pub fn for_student(conn: &Connection, exam: ExamId, student: UserId) -> Result<Vec<Received>, StoreError> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {COLUMNS}, r.read_at FROM announcements a JOIN users u ON u.id = a.made_by
         LEFT JOIN announcement_reads r ON r.announcement_id = a.id AND r.user_id = ?2
         WHERE a.exam_id = ?1 AND {REACHES_STUDENT}
         ORDER BY a.made_at DESC, a.rowid DESC"
    ))?;
    let rows = statement
        .query_map(params![exam, student], |r| Ok(Received { announcement: from_row(r)?, read_at: r.get(5)? }))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Whether announcement `id` of `exam` reaches `student` (`None` when not),
/// and whether they said they read it.
///
/// # Errors
/// Storage errors.
pub fn was_read(conn: &Connection, exam: ExamId, id: &str, student: UserId) -> Result<Option<bool>, StoreError> {
    Ok(conn
        .query_row(
            &format!(
                "SELECT EXISTS (SELECT 1 FROM announcement_reads r WHERE r.announcement_id = a.id AND r.user_id = ?2)
                 FROM announcements a WHERE a.exam_id = ?1 AND {REACHES_STUDENT} AND a.id = ?3"
            ),
            params![exam, student, id],
            |r| r.get(0),
        )
        .optional()?)
}

/// Records that `student` read announcement `id` of `exam`. Returns whether
/// this is the first time; `None` when no such announcement reaches them.
///
/// # Errors
/// Storage errors.
pub fn mark_read(
    conn: &Connection,
    exam: ExamId,
    id: &str,
    student: UserId,
    now: OffsetDateTime,
) -> Result<Option<bool>, StoreError> {
    let reaches: Option<String> = conn
        .query_row(
            &format!("SELECT a.id FROM announcements a WHERE a.exam_id = ?1 AND {REACHES_STUDENT} AND a.id = ?3"),
            params![exam, student, id],
            |r| r.get(0),
        )
        .optional()?;
    if reaches.is_none() {
        return Ok(None);
    }
    let added = conn.execute(
        "INSERT OR IGNORE INTO announcement_reads (announcement_id, user_id, read_at) VALUES (?1, ?2, ?3)",
        params![id, student, Timestamp::from_time(now)],
    )?;
    Ok(Some(added == 1))
}

/// The announcements of `exam` a watcher of `sections` (every section when
/// `None`) sees, newest first: those for the whole exam and for their
/// sections, each with who of their sections' students read it.
///
/// # Errors
/// Storage errors.
pub fn for_watcher(conn: &Connection, exam: ExamId, sections: Option<&[SectionId]>) -> Result<Vec<Sent>, StoreError> {
    let only = sections.map(crate::store::json_ids);
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM announcements a JOIN users u ON u.id = a.made_by
         WHERE a.exam_id = ?1 AND (?2 IS NULL OR a.section_id IS NULL OR a.section_id IN (SELECT value FROM json_each(?2)))
         ORDER BY a.made_at DESC, a.rowid DESC"
    ))?;
    let announcements: Vec<Announcement> =
        statement.query_map(params![exam, only], from_row)?.collect::<Result<_, _>>()?;
    let mut readers = conn.prepare_cached(
        "SELECT r.user_id FROM announcement_reads r
         WHERE r.announcement_id = ?1 AND (?2 IS NULL OR EXISTS (
             SELECT 1 FROM grants g WHERE g.user_id = r.user_id AND g.role = 'student'
             AND g.section_id IN (SELECT value FROM json_each(?2))))
         ORDER BY r.read_at",
    )?;
    announcements
        .into_iter()
        .map(|announcement| {
            let read_by = readers.query_map(params![announcement.id, only], |r| r.get(0))?.collect::<Result<_, _>>()?;
            Ok(Sent { announcement, read_by })
        })
        .collect()
}
