//! Audit details that say *that* exam content changed, never what it is.
//!
//! The log is read and exported by org admins, kept for years, and the
//! database refuses to delete from it; hidden tests and model solutions in it
//! would leak to everyone who reads it, for as long as it exists. So an entry
//! about an exam names the fields that changed and carries SHA-256 hashes of
//! their values: whoever holds a version of the exam (a backup, an export)
//! can check whether it is the version an entry speaks of, and the log holds
//! nothing to read.
//!
//! A hash is the lowercase hex SHA-256 of the value's canonical JSON text:
//! object keys sorted, no white space, strings escaped as JSON requires. In
//! Python: `sha256(json.dumps(v, sort_keys=True, separators=(",", ":"),
//! ensure_ascii=False).encode()).hexdigest()`.
//!
//! The details of each exam action:
//!
//! ```text
//! exam.create     {"exam_sha256": H(exam), "questions": N}
//! exam.duplicate  {"from": SOURCE_ID, "exam_sha256": H(copy)}
//! exam.delete     {"exam_sha256": H(exam as it was)}
//! exam.publish    {"tests_run": N, "exam_sha256": H(exam as published)}
//! exam.update, exam.update_after_publish
//!                 {"changed": ["questions.2", "title"],
//!                  "fields": {"questions.2": {"before": H, "after": H}, "title": {...}},
//!                  "before_sha256": H(exam before), "after_sha256": H(exam after)}
//! ```
//!
//! A field is a top-level key of the exam as the API sends it, except the
//! questions, which are compared one by one as `questions.N` (from 1). A
//! question added or removed has `null` on the side where it is missing.

use rusqlite::Connection;
use serde::Serialize;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::{Actor, checkpoint};
use crate::clock::{Clock, SystemClock};
use crate::store::StoreError;

/// The reason recorded by the checkpoint of [`rewrite_old_entries`].
pub const REWRITE_REASON: &str = "upgrade: exam content in audit details (whole exams before and after each edit, titles) replaced by \
     SHA-256 hashes; see src/audit/digest.rs";

/// The SHA-256 of `value`'s canonical JSON text, in lowercase hex.
#[must_use]
pub fn sha256_of(value: &Value) -> String {
    let mut text = Vec::new();
    write_canonical(value, &mut text);
    hex::encode(Sha256::digest(&text))
}

/// [`sha256_of`] for anything serializable (an exam spec); a value that
/// cannot be serialized hashes as JSON `null`.
#[must_use]
pub fn sha256_of_serialized(value: &impl Serialize) -> String {
    sha256_of(&serde_json::to_value(value).unwrap_or(Value::Null))
}

/// JSON with object keys sorted, no white space.
fn write_canonical(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_unstable();
            out.push(b'{');
            for (n, key) in keys.into_iter().enumerate() {
                if n > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(serde_json::to_string(key).unwrap_or_default().as_bytes());
                out.push(b':');
                write_canonical(&map[key], out);
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (n, item) in items.iter().enumerate() {
                if n > 0 {
                    out.push(b',');
                }
                write_canonical(item, out);
            }
            out.push(b']');
        }
        scalar => out.extend_from_slice(serde_json::to_string(scalar).unwrap_or_default().as_bytes()),
    }
}

/// The details of an exam edit: which fields changed, with hashes of both
/// sides, and hashes of the whole exam before and after.
#[must_use]
pub fn exam_change(before: &impl Serialize, after: &impl Serialize) -> Value {
    let before = serde_json::to_value(before).unwrap_or(Value::Null);
    let after = serde_json::to_value(after).unwrap_or(Value::Null);
    change_between(&before, &after)
}

fn change_between(before: &Value, after: &Value) -> Value {
    let empty = Map::new();
    let (old, new) = (before.as_object().unwrap_or(&empty), after.as_object().unwrap_or(&empty));
    let mut fields = Map::new();
    let mut note = |name: String, old: Option<&Value>, new: Option<&Value>| {
        if old != new {
            let hash = |side: Option<&Value>| side.map_or(Value::Null, |v| Value::String(sha256_of(v)));
            fields.insert(name, json!({ "before": hash(old), "after": hash(new) }));
        }
    };
    let mut names: Vec<&String> = old.keys().chain(new.keys()).filter(|name| *name != "questions").collect();
    names.sort_unstable();
    names.dedup();
    for name in names {
        note(name.clone(), old.get(name), new.get(name));
    }
    let questions = |side: &Map<String, Value>| side.get("questions").and_then(Value::as_array).cloned();
    let (old_questions, new_questions) = (questions(old).unwrap_or_default(), questions(new).unwrap_or_default());
    for n in 0..old_questions.len().max(new_questions.len()) {
        note(format!("questions.{}", n + 1), old_questions.get(n), new_questions.get(n));
    }
    let changed: Vec<String> = fields.keys().cloned().collect();
    json!({
        "changed": changed,
        "fields": fields,
        "before_sha256": sha256_of(before),
        "after_sha256": sha256_of(after),
    })
}

/// The details an entry written before this version should have had: exam
/// content replaced by hashes (see the module documentation), or `None`
/// when the entry holds no exam content. Used once, by the migration that
/// rewrites the old entries.
#[must_use]
pub fn redact_old_details(action: &str, details: &Value) -> Option<Value> {
    match action {
        "exam.update" | "exam.update_after_publish" => {
            let (before, after) = (details.get("before")?, details.get("after")?);
            Some(change_between(before, after))
        }
        "exam.create" => {
            let mut redacted = details.as_object()?.clone();
            let title = redacted.remove("title")?;
            redacted.insert("title_sha256".to_owned(), Value::String(sha256_of(&title)));
            Some(Value::Object(redacted))
        }
        _ => None,
    }
}

/// The migration step that rewrites every entry written before this
/// version with [`redact_old_details`], through one audit checkpoint (none
/// when no entry holds exam content). Runs inside the migration's transaction.
///
/// # Errors
/// [`StoreError::AuditNotIntact`] when the log does not verify; SQL errors.
pub fn rewrite_old_entries(conn: &Connection) -> Result<(), StoreError> {
    let actor = Actor { id: "system".to_owned(), label: "examhall upgrade".to_owned() };
    let done = checkpoint::rewrite(conn, &actor, REWRITE_REASON, SystemClock.now(), |entry| {
        let details: Value = serde_json::from_str(&entry.details).ok()?;
        redact_old_details(&entry.action, &details).map(|redacted| redacted.to_string())
    })?;
    if let Some(done) = done {
        tracing::info!(
            old_head = %done.old_head,
            checkpoint = done.seq,
            "replaced exam content in old audit entries by hashes, through an audit checkpoint"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_canonical_hash_sorts_keys_and_matches_the_documented_python() {
        // hashlib.sha256(json.dumps({"b": [1, "x\n"], "a": "é"}, sort_keys=True,
        //   separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()
        let value = json!({ "b": [1, "x\n"], "a": "é" });
        assert_eq!(sha256_of(&value), "d05af9592762ac7079e7ebf2e91b58dfb1b228393087b1ebbf5788645c943d76");
        let reordered: Value = serde_json::from_str(r#"{"a":"é","b":[1,"x\n"]}"#).unwrap();
        assert_eq!(sha256_of(&reordered), sha256_of(&value));
    }

    #[test]
    fn an_exam_change_names_fields_and_questions_and_holds_only_hashes() {
        let before = json!({ "title": "Midterm", "duration_minutes": 90,
            "questions": [{ "prompt": "p1", "model_solution": "SECRET-ONE" }, { "prompt": "p2" }] });
        let after = json!({ "title": "Midterm", "duration_minutes": 100,
            "questions": [{ "prompt": "p1", "model_solution": "SECRET-TWO" }, { "prompt": "p2" }, { "prompt": "p3" }] });
        let change = change_between(&before, &after);
        assert_eq!(change["changed"], json!(["duration_minutes", "questions.1", "questions.3"]));
        assert_eq!(change["fields"]["questions.3"]["before"], Value::Null);
        assert_eq!(change["fields"]["duration_minutes"]["after"], sha256_of(&json!(100)));
        assert_eq!(change["before_sha256"], sha256_of(&before));
        let text = change.to_string();
        assert!(!text.contains("SECRET") && !text.contains("p3") && !text.contains("Midterm"), "{text}");
    }

    #[test]
    fn old_details_with_exam_content_are_redacted_and_others_are_left_alone() {
        let old = json!({ "before": { "title": "A" }, "after": { "title": "B" } });
        let redacted = redact_old_details("exam.update", &old).unwrap();
        assert_eq!(redacted["changed"], json!(["title"]));
        let created = redact_old_details("exam.create", &json!({ "title": "Midterm" })).unwrap();
        assert_eq!(created, json!({ "title_sha256": sha256_of(&json!("Midterm")) }));
        assert_eq!(redact_old_details("exam.duplicate", &json!({ "from": "x" })), None);
        assert_eq!(redact_old_details("user.create", &json!({ "title": "x" })), None);
    }
}
