//! Which rows go into a backup, read in one transaction.
//!
//! [`TABLES`] is the one place that says, for every table of an
//! organization database, whether it belongs to an exam bundle (and which
//! of its rows), only to an organization bundle, or to no bundle (and why).
//! A test fails when the schema has a table [`TABLES`] does not name, so a
//! new feature's data is never left out of backups silently. The order is
//! the order of restoring: a row comes after the rows it refers to.

use rusqlite::Connection;
use rusqlite::types::ValueRef;

use super::StoreError;
use crate::backup::{BundleWriter, Value};
use crate::domain::ExamId;

/// Where a table's rows go.
#[derive(Debug, Clone, Copy)]
pub enum Belongs {
    /// Rows of one exam: the condition choosing them (`?1` is the exam's id).
    Exam(&'static str),
    /// Organization rows exams refer to: all of them in an organization
    /// bundle; in an exam bundle, those its rows refer to (the condition).
    Referenced(&'static str),
    /// Every row in an organization bundle; none in an exam bundle.
    OrgOnly,
    /// In no bundle, and why.
    Never(&'static str),
}

/// The condition on a child of the exam's sessions (each names its session in `session_id`).
pub(crate) const OF_SESSIONS: &str = "session_id IN (SELECT id FROM exam_sessions WHERE exam_id = ?1)";

/// Every table of an organization database, parents first.
pub const TABLES: &[(&str, Belongs)] = &[
    ("organization", Belongs::Referenced("1 = 1")),
    (
        "users",
        Belongs::Referenced(
            "id IN (SELECT user_id FROM grants WHERE course_id = (SELECT course_id FROM exams WHERE id = ?1)
                    UNION SELECT user_id FROM exam_sessions WHERE exam_id = ?1
                    UNION SELECT user_id FROM candidate_links WHERE exam_id = ?1
                    UNION SELECT user_id FROM extra_time WHERE exam_id = ?1
                    UNION SELECT updated_by FROM exam_policies WHERE exam_id = ?1
                    UNION SELECT made_by FROM announcements WHERE exam_id = ?1
                    UNION SELECT made_by FROM incident_notes WHERE exam_id = ?1
                    UNION SELECT user_id FROM incident_notes WHERE exam_id = ?1
                    UNION SELECT requested_by FROM similarity_runs WHERE exam_id = ?1
                    UNION SELECT made_by FROM pair_reviews WHERE exam_id = ?1
                    UNION SELECT graded_by FROM grading_results WHERE question_id IN (SELECT id FROM questions WHERE exam_id = ?1)
                    UNION SELECT marked_by FROM grading_marks WHERE question_id IN (SELECT id FROM questions WHERE exam_id = ?1)
                    UNION SELECT updated_by FROM question_schemes WHERE question_id IN (SELECT id FROM questions WHERE exam_id = ?1)
                    UNION SELECT updated_by FROM exam_marking WHERE exam_id = ?1
                    UNION SELECT made_by FROM result_releases WHERE exam_id = ?1
                    UNION SELECT made_by FROM signal_reviews WHERE session_id IN (SELECT id FROM exam_sessions WHERE exam_id = ?1)
                    UNION SELECT made_by FROM submissions WHERE session_id IN (SELECT id FROM exam_sessions WHERE exam_id = ?1))",
        ),
    ),
    ("courses", Belongs::Referenced("id = (SELECT course_id FROM exams WHERE id = ?1)")),
    ("sections", Belongs::Referenced("course_id = (SELECT course_id FROM exams WHERE id = ?1)")),
    ("grants", Belongs::Referenced("course_id = (SELECT course_id FROM exams WHERE id = ?1)")),
    ("exams", Belongs::Exam("id = ?1")),
    ("exam_sections", Belongs::Exam("exam_id = ?1")),
    ("questions", Belongs::Exam("exam_id = ?1")),
    ("question_tests", Belongs::Exam("question_id IN (SELECT id FROM questions WHERE exam_id = ?1)")),
    ("exam_policies", Belongs::Exam("exam_id = ?1")),
    ("extra_time", Belongs::Exam("exam_id = ?1")),
    ("candidate_links", Belongs::Exam("exam_id = ?1")),
    ("exam_sessions", Belongs::Exam("exam_id = ?1")),
    ("session_log", Belongs::Exam(OF_SESSIONS)),
    ("answers", Belongs::Exam(OF_SESSIONS)),
    ("submissions", Belongs::Exam(OF_SESSIONS)),
    (
        "submission_answers",
        Belongs::Exam(
            "submission_id IN (SELECT s.id FROM submissions s JOIN exam_sessions e ON e.id = s.session_id
                               WHERE e.exam_id = ?1)",
        ),
    ),
    ("grading_results", Belongs::Exam("question_id IN (SELECT id FROM questions WHERE exam_id = ?1)")),
    ("question_schemes", Belongs::Exam("question_id IN (SELECT id FROM questions WHERE exam_id = ?1)")),
    ("exam_marking", Belongs::Exam("exam_id = ?1")),
    ("grading_marks", Belongs::Exam("question_id IN (SELECT id FROM questions WHERE exam_id = ?1)")),
    ("result_releases", Belongs::Exam("exam_id = ?1")),
    ("late_items", Belongs::Exam(OF_SESSIONS)),
    ("signal_reviews", Belongs::Exam(OF_SESSIONS)),
    ("announcements", Belongs::Exam("exam_id = ?1")),
    ("announcement_reads", Belongs::Exam("announcement_id IN (SELECT id FROM announcements WHERE exam_id = ?1)")),
    ("incident_notes", Belongs::Exam("exam_id = ?1")),
    ("similarity_runs", Belongs::Exam("exam_id = ?1")),
    ("pair_reviews", Belongs::Exam("exam_id = ?1")),
    ("legal_holds", Belongs::Exam("exam_id = ?1")),
    ("retention_policy", Belongs::OrgOnly),
    ("purges", Belongs::OrgOnly),
    ("erasure_requests", Belongs::OrgOnly),
    ("retention_purge", Belongs::Never("a door a purge opens and closes inside its own transaction")),
    // Before the log: a restore needs the hashes a checkpoint replaced when it replays the checkpoint.
    ("audit_superseded", Belongs::OrgOnly),
    (
        "audit_log",
        Belongs::Exam(
            "target = ?1
             OR target IN (SELECT id FROM questions WHERE exam_id = ?1)
             OR target IN (SELECT id FROM exam_sessions WHERE exam_id = ?1)
             OR target IN (SELECT id FROM candidate_links WHERE exam_id = ?1)
             OR target IN (SELECT id FROM announcements WHERE exam_id = ?1)
             OR target IN (SELECT id FROM incident_notes WHERE exam_id = ?1)
             OR target IN (SELECT id FROM similarity_runs WHERE exam_id = ?1)",
        ),
    ),
    ("restored_audit", Belongs::Exam("exam_id = ?1")),
    ("backup_runs", Belongs::OrgOnly),
    ("audit_head", Belongs::OrgOnly),
    ("audit_rewrite", Belongs::OrgOnly),
    ("sessions", Belongs::Never("sign-in sessions last hours; after a restore everyone signs in again")),
    ("one_time_links", Belongs::Never("invitation and reset links expire within days; a restore issues new ones")),
    ("move_codes", Belongs::Never("a move code works for 15 minutes")),
];

/// What to back up.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    /// One exam and the organization rows it refers to.
    Exam(ExamId),
    /// The whole organization.
    Organization,
}

/// What [`dump`] read besides the rows.
#[derive(Debug, Clone)]
pub struct Dumped {
    /// The database's schema version.
    pub schema_version: u32,
    /// The audit head when the rows were read (`SEQ:HEX`).
    pub audit_head: String,
}

/// Writes the rows of `scope` into `bundle`, all read in one transaction,
/// so the bundle is one consistent moment even while students save.
///
/// # Errors
/// Storage errors; the bundle's write errors (as [`StoreError::Io`]).
pub fn dump<W: std::io::Write + Send + 'static>(
    conn: &Connection,
    scope: Scope,
    bundle: &mut BundleWriter<W>,
) -> Result<Dumped, StoreError> {
    conn.execute_batch("BEGIN DEFERRED")?;
    let result = dump_in_transaction(conn, scope, bundle);
    // A read transaction: ending it changes nothing, whatever happened.
    let _ = conn.execute_batch("COMMIT");
    result
}

fn dump_in_transaction<W: std::io::Write + Send + 'static>(
    conn: &Connection,
    scope: Scope,
    bundle: &mut BundleWriter<W>,
) -> Result<Dumped, StoreError> {
    let schema_version: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let audit_head = super::audit::head(conn)?.map_or_else(|| "0:".to_owned() + &"0".repeat(64), |h| h.to_string());
    for (table, belongs) in TABLES {
        let condition = match (scope, belongs) {
            (_, Belongs::Never(_)) | (Scope::Exam(_), Belongs::OrgOnly) => continue,
            (Scope::Organization, _) => "1 = 1",
            (Scope::Exam(_), Belongs::Exam(condition) | Belongs::Referenced(condition)) => condition,
        };
        let exam = match scope {
            Scope::Exam(exam) => Some(exam.to_string()),
            Scope::Organization => None,
        };
        let sql = format!("SELECT * FROM {table} WHERE {condition}");
        let mut statement = conn.prepare(&sql)?;
        let names: Vec<String> = statement.column_names().map(str::to_owned).collect();
        let withheld: Vec<bool> = names.iter().map(|name| withheld(scope, table).contains(&name.as_str())).collect();
        let written = |error| StoreError::io("write the backup of", *table)(error);
        bundle.table(table, &names).map_err(written)?;
        let mut rows = if sql.contains("?1") { statement.query([exam])? } else { statement.query([])? };
        while let Some(row) = rows.next()? {
            // Each index is below the statement's column count: `get_ref_unwrap` cannot panic.
            let values = withheld.iter().enumerate().map(|(index, withheld)| match row.get_ref_unwrap(index) {
                _ if *withheld => Value::Null,
                ValueRef::Null => Value::Null,
                ValueRef::Integer(n) => Value::Integer(n),
                ValueRef::Real(x) => Value::Real(x),
                ValueRef::Text(bytes) => Value::Text(bytes),
                ValueRef::Blob(bytes) => Value::Blob(bytes),
            });
            bundle.row(values).map_err(written)?;
        }
    }
    Ok(Dumped { schema_version, audit_head })
}

/// Columns an exam bundle leaves empty: people's password hashes go with
/// the organization's own bundle only (a backup officer gets every
/// exam's bundle; an exam restored onto a new appliance asks its people to
/// set a password again).
fn withheld(scope: Scope, table: &str) -> &'static [&'static str] {
    match (scope, table) {
        (Scope::Exam(_), "users") => &["password_hash"],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::migrations;

    #[test]
    fn every_table_of_the_schema_is_classified_once_and_every_classified_table_exists() {
        let (_dir, _conn, schema) = migrations::migrated_org();
        let mut classified: Vec<String> = TABLES.iter().map(|(name, _)| (*name).to_owned()).collect();
        classified.sort();
        let unclassified: Vec<&String> = schema.iter().filter(|t| !classified.contains(t)).collect();
        assert!(unclassified.is_empty(), "say in store::backup::TABLES where these tables' rows go: {unclassified:?}");
        assert_eq!(classified, schema, "TABLES names each table of the schema once, and no other");
    }

    #[test]
    fn every_condition_of_an_exam_bundle_runs_on_the_schema() {
        let (_dir, conn, _) = migrations::migrated_org();
        for (table, belongs) in TABLES {
            if let Belongs::Exam(condition) | Belongs::Referenced(condition) = belongs {
                let sql = format!("SELECT count(*) FROM {table} WHERE {condition}");
                let count: Result<i64, _> = if sql.contains("?1") {
                    conn.query_row(&sql, ["no-such-exam"], |r| r.get(0))
                } else {
                    conn.query_row(&sql, [], |r| r.get(0))
                };
                assert!(count.is_ok(), "{table}: {count:?}");
            }
        }
    }
}
