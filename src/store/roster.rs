//! Roster import: a CSV of students (student number, name, e-mail, course,
//! section) planned row by row, shown as a preview, then applied in one
//! transaction. Applying the same file twice changes nothing.

use std::collections::HashSet;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use time::OffsetDateTime;

use super::StoreError;
use super::accounts::users::{self, NewUser};
use super::courses::{self, GrantTarget};
use crate::domain::{DisplayName, Email, Role, SectionId, UserId};

/// What importing a row would do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// A new student account and section grant.
    Create,
    /// An existing account gets a new name or section grant.
    Update,
    /// Nothing to do.
    Unchanged,
    /// The row cannot be imported; see its errors.
    Error,
}

/// One planned row.
#[derive(Debug, Clone)]
pub struct RowPlan {
    /// Line number in the file (the header is line 1).
    pub line: usize,
    /// As given.
    pub student_number: String,
    /// As given.
    pub name: String,
    /// As given.
    pub email: String,
    /// Course code as given.
    pub course: String,
    /// Section name as given.
    pub section: String,
    /// What importing it would do.
    pub action: Action,
    /// Why it cannot be imported.
    pub errors: Vec<String>,
    /// For an update, what it changes, in words.
    pub changes: Vec<String>,
    target: Option<Target>,
}

#[derive(Debug, Clone)]
struct Target {
    existing: Option<UserId>,
    email: Email,
    name: DisplayName,
    section: SectionId,
}

/// The whole plan with its counts.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Every row.
    pub rows: Vec<RowPlan>,
    /// Rows that create an account.
    pub creates: usize,
    /// Rows that change an account.
    pub updates: usize,
    /// Rows that change nothing.
    pub unchanged: usize,
    /// Rows with errors.
    pub errors: usize,
}

const COLUMNS: [&str; 5] = ["student_number", "name", "email", "course", "section"];
const MAX_ROWS: usize = 20_000;

/// Reads and plans a roster file without changing anything.
///
/// # Errors
/// [`StoreError::Invalid`] for a file that is not a roster CSV (the message
/// says what is wrong); storage errors.
pub fn plan(conn: &Connection, csv_text: &str) -> Result<Plan, StoreError> {
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(true).from_reader(csv_text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| StoreError::invalid("roster", format!("the roster header ({e})")))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_lowercase())
        .collect();
    let index: Vec<usize> =
        COLUMNS.iter().map(|column| headers.iter().position(|h| h == column)).collect::<Option<_>>().ok_or_else(
            || StoreError::invalid("roster", format!("roster columns: the header must name {}", COLUMNS.join(","))),
        )?;
    let mut rows = Vec::new();
    let mut seen_numbers = HashSet::new();
    let mut seen_emails = HashSet::new();
    for (i, record) in reader.records().enumerate() {
        if i >= MAX_ROWS {
            return Err(StoreError::invalid("roster", format!("roster size: at most {MAX_ROWS} rows per file")));
        }
        let record = record.map_err(|e| StoreError::invalid("roster", format!("roster line {}: {e}", i + 2)))?;
        let cell = |n: usize| record.get(index[n]).unwrap_or("").to_owned();
        let mut row = RowPlan {
            line: i + 2,
            student_number: cell(0),
            name: cell(1),
            email: cell(2),
            course: cell(3),
            section: cell(4),
            action: Action::Error,
            errors: Vec::new(),
            changes: Vec::new(),
            target: None,
        };
        plan_row(conn, &mut row, &mut seen_numbers, &mut seen_emails)?;
        rows.push(row);
    }
    let count = |action| rows.iter().filter(|r| r.action == action).count();
    Ok(Plan {
        creates: count(Action::Create),
        updates: count(Action::Update),
        unchanged: count(Action::Unchanged),
        errors: count(Action::Error),
        rows,
    })
}

fn plan_row(
    conn: &Connection,
    row: &mut RowPlan,
    numbers: &mut HashSet<String>,
    emails: &mut HashSet<String>,
) -> Result<(), StoreError> {
    let number_ok = (1..=40).contains(&row.student_number.len())
        && row.student_number.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if !number_ok {
        row.errors.push("student number: 1 to 40 letters, digits or hyphens".to_owned());
    }
    let name = DisplayName::parse(&row.name).map_err(|e| row.errors.push(e.0)).ok();
    let email = Email::parse(&row.email).map_err(|e| row.errors.push(e.0)).ok();
    if !numbers.insert(row.student_number.clone()) {
        row.errors.push("student number appears twice in the file".to_owned());
    }
    if email.as_ref().is_some_and(|e| !emails.insert(e.as_str().to_owned())) {
        row.errors.push("e-mail appears twice in the file".to_owned());
    }
    let section = section_of(conn, row)?;
    let by_email: Option<(UserId, Option<String>, String)> = match &email {
        Some(e) => conn
            .query_row("SELECT id, student_number, display_name FROM users WHERE email = ?1", [e.as_str()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?,
        None => None,
    };
    let by_number: Option<UserId> = conn
        .query_row("SELECT id FROM users WHERE student_number = ?1", [&row.student_number], |r| r.get(0))
        .optional()?;
    if let Some((id, number, _)) = &by_email {
        if number.as_deref().is_some_and(|n| n != row.student_number) {
            row.errors.push("this e-mail belongs to another student number".to_owned());
        }
        if by_number.is_some_and(|other| other != *id) {
            row.errors.push("this student number belongs to another e-mail".to_owned());
        }
    } else if by_number.is_some() {
        row.errors.push("this student number belongs to another e-mail".to_owned());
    }
    let (Some(name), Some(email), Some(section), true) = (name, email, section, row.errors.is_empty()) else {
        return Ok(());
    };
    row.action = match &by_email {
        None => Action::Create,
        Some((id, _, current_name)) => {
            let granted: bool = conn.query_row(
                "SELECT count(*) > 0 FROM grants WHERE user_id = ?1 AND role = 'student' AND section_id = ?2",
                params![id, section],
                |r| r.get(0),
            )?;
            if current_name != name.as_str() {
                row.changes.push(format!("name: {current_name} → {}", name.as_str()));
            }
            if !granted {
                row.changes.push(format!("joins section {} of {} as a student", row.section, row.course));
            }
            if row.changes.is_empty() { Action::Unchanged } else { Action::Update }
        }
    };
    row.target = Some(Target { existing: by_email.map(|(id, _, _)| id), email, name, section });
    Ok(())
}

/// The section a row names, or `None` with the row's error saying which of
/// course and section is missing (and, for a section, which there are).
fn section_of(conn: &Connection, row: &mut RowPlan) -> Result<Option<SectionId>, StoreError> {
    let course: Option<crate::domain::CourseId> =
        conn.query_row("SELECT id FROM courses WHERE code = ?1", [&row.course], |r| r.get(0)).optional()?;
    let Some(course) = course else {
        let what = if row.course.is_empty() {
            "course: missing".to_owned()
        } else {
            format!("course {} does not exist: create it first, or correct the code", row.course)
        };
        row.errors.push(what);
        return Ok(None);
    };
    let section: Option<SectionId> = conn
        .query_row("SELECT id FROM sections WHERE course_id = ?1 AND name = ?2", params![course, row.section], |r| {
            r.get(0)
        })
        .optional()?;
    if section.is_none() {
        let mut statement = conn.prepare("SELECT name FROM sections WHERE course_id = ?1 ORDER BY name")?;
        let names: Vec<String> = statement.query_map([course], |r| r.get(0))?.collect::<Result<_, _>>()?;
        let has =
            if names.is_empty() { "it has no sections yet".to_owned() } else { format!("it has {}", names.join(", ")) };
        row.errors.push(format!(
            "course {} has no section {} ({has}): create it first, or correct the name",
            row.course, row.section
        ));
    }
    Ok(section)
}

/// Applies a plan with no errors (inside the caller's write transaction).
///
/// # Errors
/// [`StoreError::Invalid`] when the plan has errors; storage errors.
pub fn apply(conn: &Connection, plan: &Plan, now: OffsetDateTime) -> Result<(), StoreError> {
    if plan.errors > 0 {
        return Err(StoreError::invalid("roster", "the roster has rows with errors; fix them and preview again"));
    }
    for row in plan.rows.iter().filter(|r| matches!(r.action, Action::Create | Action::Update)) {
        let Some(target) = &row.target else { continue };
        let user = if let Some(id) = target.existing {
            users::set_display_name(conn, id, &target.name)?;
            id
        } else {
            let new = NewUser {
                email: &target.email,
                display_name: &target.name,
                student_number: Some(&row.student_number),
                password_hash: None,
            };
            users::create(conn, &new, now)?.id
        };
        match courses::grant(conn, user, Role::Student, GrantTarget::Section(target.section), now) {
            Ok(_) | Err(StoreError::Taken(_)) => {}
            Err(other) => return Err(other),
        }
    }
    Ok(())
}
