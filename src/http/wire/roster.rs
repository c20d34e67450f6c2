//! The plan of a roster import, shown before anything changes.

use serde::Serialize;

use crate::store::roster::{self, Action};

/// What importing a roster file would do, row by row, with the counts.
#[derive(Serialize)]
pub struct Plan {
    rows: Vec<Row>,
    creates: usize,
    updates: usize,
    unchanged: usize,
    errors: usize,
}

/// One line of the file and what importing it would do.
#[derive(Serialize)]
struct Row {
    /// Line number in the file (the header is line 1).
    line: usize,
    student_number: String,
    name: String,
    email: String,
    course: String,
    section: String,
    action: Action,
    /// Why it cannot be imported.
    errors: Vec<String>,
    /// For an update, what it changes, in words.
    changes: Vec<String>,
}

impl From<&roster::Plan> for Plan {
    fn from(plan: &roster::Plan) -> Self {
        let rows = plan
            .rows
            .iter()
            .map(|row| Row {
                line: row.line,
                student_number: row.student_number.clone(),
                name: row.name.clone(),
                email: row.email.clone(),
                course: row.course.clone(),
                section: row.section.clone(),
                action: row.action,
                errors: row.errors.clone(),
                changes: row.changes.clone(),
            })
            .collect();
        Self { rows, creates: plan.creates, updates: plan.updates, unchanged: plan.unchanged, errors: plan.errors }
    }
}
