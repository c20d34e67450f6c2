//! A subject-access export: everything the organization holds about one
//! person ([`crate::store::subject_access::TABLES`]), as JSON or as CSV,
//! for an org admin answering the person's request. Each export is audited
//! (`person.export`): it copies personal data out of the server.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Map, Value};

use super::Actor;
use crate::domain::UserId;
use crate::store::audit::{self, csv_cell};
use crate::store::subject_access;
use crate::store::{Database, StoreError};

/// The export's two forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON document: each table's rows as objects.
    Json,
    /// One CSV table of `table,row,column,value`, readable in a spreadsheet.
    Csv,
}

impl Format {
    fn as_str(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Csv => "csv",
        }
    }
}

/// Everything held about one person.
#[derive(Debug, Clone)]
pub struct Export {
    /// Their id.
    pub person: UserId,
    /// Their sign-in address, for the file's name.
    pub email: String,
    /// Rows per table.
    pub tables: subject_access::Rows,
}

/// Reads everything held about `person` in `db` and records, for `actor`,
/// that it was exported in `format`.
///
/// # Errors
/// [`StoreError::NotFound`] when no such person is in the organization; storage errors.
pub async fn export(
    db: &Database,
    actor: &Actor,
    person: UserId,
    format: Format,
    now: time::OffsetDateTime,
) -> Result<Export, StoreError> {
    let tables = db.read(move |conn| subject_access::rows_about(conn, person)).await?;
    let email = tables
        .iter()
        .find(|(table, _)| *table == "users")
        .and_then(|(_, rows)| rows.first())
        .and_then(|row| row.get("email")?.as_str().map(str::to_owned))
        .ok_or_else(|| StoreError::NotFound(format!("person {person}")))?;
    let counts: BTreeMap<&str, usize> = tables.iter().map(|(table, rows)| (*table, rows.len())).collect();
    let event = actor
        .event("person.export")
        .target(person.to_string())
        .details(serde_json::json!({ "format": format.as_str(), "rows": counts }));
    db.write(move |conn| audit::append(conn, &event, now).map(drop)).await?;
    Ok(Export { person, email, tables })
}

impl Export {
    /// The JSON form.
    #[must_use]
    pub fn to_json(&self, generated_at: &str) -> Value {
        let tables: Map<String, Value> = self
            .tables
            .iter()
            .map(|(table, rows)| ((*table).to_owned(), Value::Array(rows.iter().cloned().map(Value::Object).collect())))
            .collect();
        serde_json::json!({
            "person": self.person.to_string(),
            "generated_at": generated_at,
            "about": "Everything this organization's examhall holds about the person, table by table. \
                      Password and token hashes are left out: they are secrets, not information about the person.",
            "tables": tables,
        })
    }

    /// The CSV form: one line per value, `table,row,column,value`.
    #[must_use]
    pub fn to_csv(&self) -> String {
        let mut csv = String::from("table,row,column,value\r\n");
        for (table, rows) in &self.tables {
            for (index, row) in rows.iter().enumerate() {
                for (column, value) in row {
                    let text = match value {
                        Value::String(text) => text.clone(),
                        Value::Null => String::new(),
                        other => other.to_string(),
                    };
                    let _ = write!(csv, "{table},{},{},{}\r\n", index + 1, csv_cell(column), csv_cell(&text));
                }
            }
        }
        csv
    }
}
