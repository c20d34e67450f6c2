//! Everything an organization holds about one person, for a subject-access
//! request: [`TABLES`] says, for every table of an organization database,
//! which rows are about the person (`?1` is their id) and which columns are
//! withheld (secrets such as password and token hashes, which say nothing
//! about the person), or why the table holds nothing about anyone. A test
//! fails when a table of the schema is not classified, so a new feature's
//! personal data is never left out of an export silently.

use rusqlite::Connection;
use rusqlite::types::ValueRef;
use serde_json::{Map, Value};

use super::StoreError;
use crate::domain::UserId;

/// What a table holds about a person.
#[derive(Debug, Clone, Copy)]
pub enum About {
    /// Rows about the person (the condition), with the columns withheld.
    Rows(&'static str, &'static [&'static str]),
    /// Nothing about any one person, and why.
    Nothing(&'static str),
}

const THEIR_ATTEMPTS: &str = "session_id IN (SELECT id FROM exam_sessions WHERE user_id = ?1)";

/// Rows about a person, per table: each row a JSON object of its columns.
pub type Rows = Vec<(&'static str, Vec<Map<String, Value>>)>;

/// Every table of an organization database.
pub const TABLES: &[(&str, About)] = &[
    ("users", About::Rows("id = ?1", &["password_hash"])),
    ("grants", About::Rows("user_id = ?1", &[])),
    ("erasure_requests", About::Rows("user_id = ?1", &[])),
    ("sessions", About::Rows("user_id = ?1", &["token_hash", "csrf_token"])),
    ("one_time_links", About::Rows("user_id = ?1", &["token_hash"])),
    ("candidate_links", About::Rows("user_id = ?1", &["token_hash"])),
    ("extra_time", About::Rows("user_id = ?1", &[])),
    ("exam_sessions", About::Rows("user_id = ?1", &["secret_hash"])),
    ("session_log", About::Rows(THEIR_ATTEMPTS, &[])),
    ("answers", About::Rows(THEIR_ATTEMPTS, &[])),
    ("submissions", About::Rows(THEIR_ATTEMPTS, &[])),
    (
        "submission_answers",
        About::Rows(
            "submission_id IN (SELECT s.id FROM submissions s JOIN exam_sessions e ON e.id = s.session_id
                               WHERE e.user_id = ?1)",
            &[],
        ),
    ),
    (
        "grading_results",
        About::Rows(
            "submission_id IN (SELECT s.id FROM submissions s JOIN exam_sessions e ON e.id = s.session_id
                               WHERE e.user_id = ?1)",
            &[],
        ),
    ),
    (
        "grading_marks",
        About::Rows(
            "submission_id IN (SELECT s.id FROM submissions s JOIN exam_sessions e ON e.id = s.session_id
                               WHERE e.user_id = ?1)",
            &[],
        ),
    ),
    ("late_items", About::Rows(THEIR_ATTEMPTS, &[])),
    ("signal_reviews", About::Rows(THEIR_ATTEMPTS, &[])),
    ("move_codes", About::Rows("attempt_id IN (SELECT id FROM exam_sessions WHERE user_id = ?1)", &["code_sha256"])),
    ("announcement_reads", About::Rows("user_id = ?1", &[])),
    ("incident_notes", About::Rows("user_id = ?1", &[])),
    (
        "pair_reviews",
        About::Rows(
            "attempt_a IN (SELECT id FROM exam_sessions WHERE user_id = ?1)
             OR attempt_b IN (SELECT id FROM exam_sessions WHERE user_id = ?1)",
            &[],
        ),
    ),
    (
        "audit_log",
        About::Rows(
            "actor = ?1 OR target = ?1 OR target IN (SELECT id FROM exam_sessions WHERE user_id = ?1)",
            &["prev_hash", "hash"],
        ),
    ),
    (
        "restored_audit",
        About::Rows(
            "actor = ?1 OR target = ?1 OR target IN (SELECT id FROM exam_sessions WHERE user_id = ?1)",
            &["prev_hash", "hash"],
        ),
    ),
    ("organization", About::Nothing("the organization's own identity")),
    ("courses", About::Nothing("courses; the person's are named by their grants")),
    ("sections", About::Nothing("sections; the person's are named by their grants")),
    ("exams", About::Nothing("exams as written; the person's attempts name theirs")),
    ("exam_sections", About::Nothing("which sections sit an exam")),
    ("questions", About::Nothing("questions as written")),
    ("question_tests", About::Nothing("the questions' tests")),
    ("exam_policies", About::Nothing("each exam's settings")),
    ("announcements", About::Nothing("what staff sent to a section; the person's reads are exported")),
    ("similarity_runs", About::Nothing("runs over a whole question; the person's pairs are in pair_reviews")),
    ("legal_holds", About::Nothing("holds on whole exams")),
    ("question_schemes", About::Nothing("how each question's points divide")),
    ("exam_marking", About::Nothing("each exam's marking options")),
    ("result_releases", About::Nothing("when each exam's results were released")),
    ("retention_policy", About::Nothing("the organization's policy")),
    ("purges", About::Nothing("what went from whole exams")),
    ("retention_purge", About::Nothing("a door open only inside a purge")),
    ("backup_runs", About::Nothing("the organization's backups")),
    ("audit_superseded", About::Nothing("hashes of replaced audit entries")),
    ("audit_head", About::Nothing("the audit chain's head")),
    ("audit_rewrite", About::Nothing("a door open only inside a checkpoint")),
];

/// The rows about `user`, per table (tables with none left out), in
/// [`TABLES`]' order; each row a JSON object of its columns (blobs in hex),
/// the withheld columns left out. Read in one transaction.
///
/// # Errors
/// Storage errors.
pub fn rows_about(conn: &Connection, user: UserId) -> Result<Rows, StoreError> {
    conn.execute_batch("BEGIN DEFERRED")?;
    let rows = read_all(conn, user);
    // A read transaction: ending it changes nothing, whatever happened.
    let _ = conn.execute_batch("COMMIT");
    rows
}

fn read_all(conn: &Connection, user: UserId) -> Result<Rows, StoreError> {
    let mut all = Vec::new();
    for (table, about) in TABLES {
        let About::Rows(condition, withheld) = about else { continue };
        let mut statement = conn.prepare(&format!("SELECT * FROM {table} WHERE {condition}"))?;
        let names: Vec<String> = statement.column_names().map(str::to_owned).collect();
        let mut found = Vec::new();
        let mut rows = statement.query([user])?;
        while let Some(row) = rows.next()? {
            let mut object = Map::new();
            for (index, name) in names.iter().enumerate() {
                if !withheld.contains(&name.as_str()) {
                    object.insert(name.clone(), json_of(row.get_ref(index)?));
                }
            }
            found.push(object);
        }
        if !found.is_empty() {
            all.push((*table, found));
        }
    }
    Ok(all)
}

fn json_of(value: ValueRef<'_>) -> Value {
    match value {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(n) => Value::from(n),
        ValueRef::Real(x) => serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number),
        ValueRef::Text(text) => Value::String(String::from_utf8_lossy(text).into_owned()),
        ValueRef::Blob(bytes) => Value::String(hex::encode(bytes)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::migrations;

    #[test]
    fn every_table_of_the_schema_is_classified_once_and_every_condition_runs() {
        let (_dir, conn, schema) = migrations::migrated_org();
        let mut classified: Vec<String> = TABLES.iter().map(|(name, _)| (*name).to_owned()).collect();
        classified.sort();
        let unclassified: Vec<&String> = schema.iter().filter(|t| !classified.contains(t)).collect();
        assert!(
            unclassified.is_empty(),
            "say in store::subject_access::TABLES what these hold about a person: {unclassified:?}"
        );
        assert_eq!(classified, schema, "TABLES names each table of the schema once, and no other");
        assert!(rows_about(&conn, UserId::generate()).unwrap().is_empty());
        for (table, about) in TABLES {
            let About::Rows(_, withheld) = about else { continue };
            for column in *withheld {
                let exists = conn.prepare(&format!("SELECT {column} FROM {table}")).is_ok();
                assert!(exists, "{table}.{column} is withheld but not a column");
            }
        }
    }
}
