//! Erasing students once the organization no longer keeps their exams:
//! their account rows go, their user record keeps only a pseudonym (so
//! what refers to it still does), and every audit entry tied to them by
//! their id (they acted, it was about them, it granted them a role) is
//! rewritten through one checkpoint to name the pseudonym instead: the
//! audit chain keeps what happened, not who it happened to. Entries about
//! other people are never touched, whatever they say.

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::StoreError;
use super::audit::{self, checkpoint};
use crate::clock::rfc3339;
use crate::domain::{ExamId, Timestamp, UserId};

/// The rows about a person that go with their account (their exams' rows
/// went with the exams' purges), children first.
const ACCOUNT: &[(&str, &str)] = &[
    ("erasure_requests", "user_id = ?1"),
    ("announcement_reads", "user_id = ?1"),
    ("extra_time", "user_id = ?1"),
    ("candidate_links", "user_id = ?1"),
    ("one_time_links", "user_id = ?1"),
    ("sessions", "user_id = ?1"),
    ("grants", "user_id = ?1"),
];

/// Who a person is, as the audit log may have named them.
#[derive(Debug, Clone)]
pub struct Person {
    /// Their id.
    pub id: UserId,
    /// Their sign-in address.
    pub email: String,
    /// Their name.
    pub name: String,
    /// Their student number, if any.
    pub student_number: Option<String>,
}

/// The person `id`, if the organization has them.
///
/// # Errors
/// SQL errors.
pub fn person(conn: &Connection, id: UserId) -> Result<Option<Person>, StoreError> {
    Ok(conn
        .query_row("SELECT email, display_name, student_number FROM users WHERE id = ?1", [id], |r| {
            Ok(Person { id, email: r.get(0)?, name: r.get(1)?, student_number: r.get(2)? })
        })
        .optional()?)
}

/// Staff roles `id` holds or ever held (by the audit log's grants and
/// creations): only students can be erased here, since staff appear in
/// marks, reviews and notes about other people, and a role removed just
/// before must not make that possible.
///
/// # Errors
/// SQL errors.
pub fn staff_roles(conn: &Connection, id: UserId) -> Result<Vec<String>, StoreError> {
    let mut statement = conn.prepare(
        "SELECT role FROM grants WHERE user_id = ?1 AND role <> 'student'
         UNION
         SELECT json_extract(details, '$.role') FROM audit_log
         WHERE (target = ?1 OR json_extract(details, '$.user') = ?1) AND action IN ('grant.create', 'user.create')
           AND json_extract(details, '$.role') IS NOT NULL AND json_extract(details, '$.role') <> 'student'
         ORDER BY 1",
    )?;
    let rows = statement.query_map([id], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Whether `person` was erased already.
#[must_use]
pub fn is_erased(person: &Person) -> bool {
    person.email.starts_with("erased-") && person.email.ends_with(ERASED_DOMAIN)
}

const ERASED_DOMAIN: &str = "@erased.invalid";

/// An exam whose data still holds a person's attempt.
#[derive(Debug, Clone)]
pub struct Kept {
    /// The exam.
    pub exam: ExamId,
    /// Its title.
    pub title: String,
    /// When it closes (its own closing time).
    pub closes_at: Timestamp,
    /// Whether a legal hold keeps it.
    pub held: bool,
}

/// The exams whose data still holds `id`'s attempts: what an erasure waits
/// for.
///
/// # Errors
/// SQL errors.
pub fn kept_exams(conn: &Connection, id: UserId) -> Result<Vec<Kept>, StoreError> {
    let mut statement = conn.prepare(
        "SELECT e.id, e.title, e.closes_at, EXISTS (SELECT 1 FROM legal_holds h WHERE h.exam_id = e.id)
         FROM exams e
         WHERE e.id IN (SELECT exam_id FROM exam_sessions WHERE user_id = ?1
                        UNION SELECT exam_id FROM incident_notes WHERE user_id = ?1)
         ORDER BY e.closes_at, e.id",
    )?;
    let rows = statement
        .query_map([id], |r| Ok(Kept { exam: r.get(0)?, title: r.get(1)?, closes_at: r.get(2)?, held: r.get(3)? }))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Records that `id` is to be erased once nothing keeps them; `false` when
/// that was recorded already.
///
/// # Errors
/// SQL errors.
pub fn request(conn: &Connection, id: UserId, by: &str, now: OffsetDateTime) -> Result<bool, StoreError> {
    let added = conn.execute(
        "INSERT INTO erasure_requests (user_id, requested_by, requested_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (user_id) DO NOTHING",
        params![id, by, rfc3339(now)],
    )?;
    Ok(added == 1)
}

/// Cancels a recorded request; `false` when there was none.
///
/// # Errors
/// SQL errors.
pub fn cancel(conn: &Connection, id: UserId) -> Result<bool, StoreError> {
    Ok(conn.execute("DELETE FROM erasure_requests WHERE user_id = ?1", [id])? == 1)
}

/// The people waiting to be erased, with when it was asked.
///
/// # Errors
/// SQL errors.
pub fn requested(conn: &Connection) -> Result<Vec<(UserId, Timestamp)>, StoreError> {
    let mut statement = conn.prepare("SELECT user_id, requested_at FROM erasure_requests ORDER BY requested_at")?;
    let rows = statement.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The name an erased person goes by from now on: not derived from
/// anything about them but their random id.
#[must_use]
pub fn pseudonym(id: UserId) -> String {
    let digest = Sha256::digest(id.to_string().as_bytes());
    format!("erased person {}", hex::encode(&digest[..16]))
}

/// Erases the account of `person` (whose exams' data is gone: the caller
/// checked [`kept_exams`]), in the caller's transaction: account rows
/// deleted and the user record reduced to the pseudonym (disabled, no
/// password, no student number). The audit entries are [`rewrite_audit`]'s.
/// Returns the rows deleted.
///
/// # Errors
/// SQL errors.
pub fn erase_account(conn: &Connection, person: &Person) -> Result<u64, StoreError> {
    let pseudonym = pseudonym(person.id);
    let mut rows = 0u64;
    for (table, condition) in ACCOUNT {
        rows +=
            u64::try_from(conn.execute(&format!("DELETE FROM {table} WHERE {condition}"), [person.id])?).unwrap_or(0);
    }
    let short = pseudonym.trim_start_matches("erased person ");
    conn.execute(
        "UPDATE users SET email = ?2, display_name = ?3, student_number = NULL, password_hash = NULL,
                          status = 'disabled', last_sign_in_at = NULL
         WHERE id = ?1",
        params![person.id, format!("erased-{short}{ERASED_DOMAIN}"), pseudonym],
    )?;
    Ok(rows)
}

/// Rewrites, through one checkpoint by `actor`, every audit entry tied to
/// one of `people` by id (who acted, what it was about, whom it granted a
/// role) to name their pseudonym instead: the label and address of who
/// acted, and any string in the details that is their address, name or
/// student number, or holds their address as a whole word. The
/// checkpoint's entry, or `None` when no entry named them.
///
/// # Errors
/// SQL errors; [`StoreError::AuditNotIntact`] when the audit log does not
/// verify (nothing is rewritten over tampering).
pub fn rewrite_audit(
    conn: &Connection,
    people: &[Person],
    actor: &audit::Actor,
    now: OffsetDateTime,
) -> Result<Option<i64>, StoreError> {
    if people.is_empty() {
        return Ok(None);
    }
    let reason = format!(
        "{} erased at the organization's request; entries naming them now name their pseudonyms",
        if people.len() == 1 { "a person".to_owned() } else { format!("{} people", people.len()) }
    );
    // Worked out once, not once per entry of the log.
    let ids: Vec<String> = people.iter().map(|p| p.id.to_string()).collect();
    let pseudonyms: Vec<String> = people.iter().map(|p| pseudonym(p.id)).collect();
    let done = checkpoint::rewrite_entries(conn, actor, &reason, now, |entry| {
        let (index, details) = tied(entry, &ids)?;
        scrubbed(entry, &people[index], &pseudonyms[index], details)
    })?;
    Ok(done.map(|c| c.seq))
}

/// Which of `ids` `entry` is tied to (who acted, what it was about, or the
/// `user` its details name), with its details when they had to be read for
/// that; `None` when it is tied to none of them. Details are parsed only
/// when they mention a `user`.
fn tied(entry: &checkpoint::StoredEntry, ids: &[String]) -> Option<(usize, Option<Value>)> {
    if let Some(index) = ids.iter().position(|id| entry.actor() == id || entry.target() == Some(id.as_str())) {
        return Some((index, None));
    }
    if !entry.details.contains("\"user\"") {
        return None;
    }
    let details: Value = serde_json::from_str(&entry.details).ok()?;
    let user = details.get("user").and_then(Value::as_str)?;
    let index = ids.iter().position(|id| id == user)?;
    Some((index, Some(details)))
}

/// `entry` naming `person`'s pseudonym instead of them; `None` when it did
/// not name them. `details` are the entry's, when already parsed.
fn scrubbed(
    entry: &checkpoint::StoredEntry,
    person: &Person,
    pseudonym: &str,
    details: Option<Value>,
) -> Option<checkpoint::Changed> {
    let by_them = entry.actor() == person.id.to_string();
    let mut details = match details {
        Some(details) => details,
        None => serde_json::from_str(&entry.details).ok()?,
    };
    let details_changed = scrub_value(&mut details, person, pseudonym);
    if !by_them && !details_changed {
        return None;
    }
    Some(checkpoint::Changed {
        actor_label: if by_them { pseudonym.to_owned() } else { entry.actor_label().to_owned() },
        client_addr: if by_them { None } else { entry.client_addr().map(str::to_owned) },
        details: if details_changed { details.to_string() } else { entry.details.clone() },
    })
}

fn scrub_value(value: &mut Value, person: &Person, pseudonym: &str) -> bool {
    match value {
        Value::String(text) => match replace(text, person, pseudonym) {
            Some(new) => {
                *text = new;
                true
            }
            None => false,
        },
        Value::Array(items) => {
            items.iter_mut().fold(false, |changed, item| scrub_value(item, person, pseudonym) | changed)
        }
        Value::Object(fields) => {
            fields.values_mut().fold(false, |changed, item| scrub_value(item, person, pseudonym) | changed)
        }
        _ => false,
    }
}

/// `text` with `person` replaced, or `None` when it does not name them: the
/// whole text is their address (ASCII case aside), name or student number,
/// or it holds their address as a whole word.
fn replace(text: &str, person: &Person, pseudonym: &str) -> Option<String> {
    let trimmed = text.trim();
    let exact = [Some(person.name.as_str()), person.student_number.as_deref()];
    if trimmed.eq_ignore_ascii_case(&person.email) || exact.iter().flatten().any(|k| !k.is_empty() && trimmed == *k) {
        return Some(pseudonym.to_owned());
    }
    let email = person.email.as_bytes();
    if email.is_empty() || !text.is_ascii() {
        return None;
    }
    let bytes = text.as_bytes();
    let part = |b: u8| b.is_ascii_alphanumeric() || b"._%+-@".contains(&b);
    let mut out = String::with_capacity(text.len());
    let (mut start, mut i, mut found) = (0, 0, false);
    while i + email.len() <= bytes.len() {
        let whole = bytes[i..i + email.len()].eq_ignore_ascii_case(email)
            && (i == 0 || !part(bytes[i - 1]))
            && bytes.get(i + email.len()).is_none_or(|b| !part(*b));
        if whole {
            out.push_str(&text[start..i]);
            out.push_str(pseudonym);
            i += email.len();
            start = i;
            found = true;
        } else {
            i += 1;
        }
    }
    out.push_str(&text[start..]);
    found.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ada() -> Person {
        Person {
            id: UserId::generate(),
            email: "Ada@Student.Example".into(),
            name: "Ada Lovelace".into(),
            student_number: Some("s123".into()),
        }
    }

    #[test]
    fn every_mention_of_the_person_is_replaced_and_nothing_else() {
        let ada = ada();
        let p = "erased person 0a1b2c3d";
        assert_eq!(replace("ada@student.example", &ada, p).as_deref(), Some(p));
        assert_eq!(
            replace("invited ADA@student.example twice", &ada, p).as_deref(),
            Some("invited erased person 0a1b2c3d twice")
        );
        assert_eq!(replace("Ada Lovelace", &ada, p).as_deref(), Some(p));
        assert_eq!(replace("s123", &ada, p).as_deref(), Some(p));
        assert_eq!(replace("Ada", &ada, p), None, "a part of a name is not the person");
        assert_eq!(replace("s1234", &ada, p), None);
        assert_eq!(replace("bob@student.example", &ada, p), None);
        let mut details =
            serde_json::json!({"email": "ada@student.example", "rows": [{"name": "Ada Lovelace"}], "n": 3});
        assert!(scrub_value(&mut details, &ada, p));
        assert_eq!(details, serde_json::json!({"email": p, "rows": [{"name": p}], "n": 3}));
    }
}
