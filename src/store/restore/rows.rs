//! Inserting a bundle's rows as they are: up to [`ROWS_AT_ONCE`] rows of a
//! table in one statement, each value bound from where it lies in the row,
//! a row whose key is here already kept as it is, and every reference
//! checked: as the rows go in, or, for the tables whose rows may name rows
//! later in the bundle, once at the end.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use rusqlite::Connection;
use rusqlite::types::{ToSqlOutput, ValueRef};

use crate::backup::{Field, Row};
use crate::store::StoreError;
use crate::store::backup::TABLES;

/// Rows one statement inserts at once. A statement opens its cursors and
/// ends once for all of them: one row at a time, starting and ending
/// statements took about a tenth of a big restore.
const ROWS_AT_ONCE: usize = 32;

/// Puts rows into `conn`'s tables, inside the caller's transaction.
pub(super) struct Inserter<'c> {
    conn: &'c Connection,
    /// Tables whose rows may refer to rows that come after them in the
    /// bundle (a replaced link names its successor): their references are
    /// checked at the end. Every other table's are checked as the rows go in.
    deferred: BTreeSet<&'static str>,
    /// Whether references are checked at the end (`defer_foreign_keys`) now.
    deferring: bool,
    /// The tables rows went into while deferring, which [`Inserter::check_deferred`] checks.
    to_check: BTreeSet<String>,
    /// Each table's "unless this primary key is there" clause.
    keys: BTreeMap<String, Arc<str>>,
    /// Prepared statements, by table and number of rows, for rows with their columns.
    statements: BTreeMap<(String, usize), Insert<'c>>,
    /// Rows of `waiting_table` that go in together, with the same columns:
    /// the first `waiting` (the rest are kept to be filled again).
    pending: Vec<Row>,
    waiting: usize,
    waiting_table: String,
    /// Rows added, by table.
    pub(super) added: BTreeMap<String, u64>,
    /// Rows that were there already.
    pub(super) present: u64,
}

/// An insert statement, for rows with these columns.
struct Insert<'c> {
    /// Its verb and tail, as given.
    kind: String,
    columns: Vec<String>,
    statement: rusqlite::Statement<'c>,
    /// Whether its references are checked at the end.
    deferred: bool,
}

impl<'c> Inserter<'c> {
    /// Starts with references checked as the rows go in.
    pub(super) fn new(conn: &'c Connection) -> Result<Self, StoreError> {
        conn.execute_batch("PRAGMA defer_foreign_keys = OFF")?;
        Ok(Self {
            conn,
            deferred: referring_forward(conn)?,
            deferring: false,
            to_check: BTreeSet::new(),
            keys: BTreeMap::new(),
            statements: BTreeMap::new(),
            pending: Vec::new(),
            waiting: 0,
            waiting_table: String::new(),
            added: BTreeMap::new(),
            present: 0,
        })
    }

    /// Inserts `row` into `table` unless a row with its primary key is
    /// there: with the rows of the table before it, once there are
    /// [`ROWS_AT_ONCE`] of them (or at [`Inserter::flush`]).
    pub(super) fn insert(&mut self, table: &str, row: &Row) -> Result<(), StoreError> {
        if self.waiting > 0 && (self.waiting_table != table || !self.pending[0].names().eq(row.names())) {
            self.flush()?;
        }
        if self.waiting == 0 {
            table.clone_into(&mut self.waiting_table);
        }
        if self.pending.len() == self.waiting {
            self.pending.push(Row::default());
        }
        self.pending[self.waiting].clone_from(row);
        self.waiting += 1;
        if self.waiting == ROWS_AT_ONCE {
            self.flush()?;
        }
        Ok(())
    }

    /// Inserts `row` with the `extra` columns after its own, unless a row
    /// with its primary key is there.
    pub(super) fn insert_with_columns(
        &mut self,
        table: &str,
        row: &Row,
        extra: &[(&str, Field<'_>)],
    ) -> Result<(), StoreError> {
        self.flush()?;
        let tail = self.key_clause(table)?;
        self.execute(table, std::slice::from_ref(row), extra, "INSERT", &tail)
    }

    /// Inserts `row` as it is: a row the database refuses (a trigger, a key
    /// that is there) fails the restore.
    pub(super) fn insert_plain(&mut self, table: &str, row: &Row) -> Result<(), StoreError> {
        self.flush()?;
        self.execute(table, std::slice::from_ref(row), &[], "INSERT", "")
    }

    /// Inserts the rows waiting to go in.
    pub(super) fn flush(&mut self) -> Result<(), StoreError> {
        if self.waiting == 0 {
            return Ok(());
        }
        let (pending, table) = (std::mem::take(&mut self.pending), std::mem::take(&mut self.waiting_table));
        let count = std::mem::replace(&mut self.waiting, 0);
        let tail = self.key_clause(&table);
        let inserted = tail.and_then(|tail| self.execute(&table, &pending[..count], &[], "INSERT", &tail));
        (self.pending, self.waiting_table) = (pending, table);
        inserted
    }

    /// Inserts the rows waiting, then checks the references of the rows
    /// whose check waited for the end.
    ///
    /// # Errors
    /// [`StoreError::WrongState`] naming a table with a row that refers to one that is missing.
    pub(super) fn check_deferred(&mut self) -> Result<(), StoreError> {
        self.flush()?;
        let mut dangling = None;
        for table in &self.to_check {
            let sql = "SELECT EXISTS (SELECT 1 FROM pragma_foreign_key_check(?1))";
            if self.conn.query_row(sql, [table], |r| r.get::<_, bool>(0))? {
                dangling = Some(table);
                break;
            }
        }
        self.conn.execute_batch("PRAGMA defer_foreign_keys = OFF")?;
        dangling.map_or(Ok(()), |table| Err(dangling_references(table)))
    }

    /// `table`'s "unless this primary key is there" clause. An `Arc`: a
    /// statement costs a count, not a copy of the clause.
    fn key_clause(&mut self, table: &str) -> Result<Arc<str>, StoreError> {
        if let Some(tail) = self.keys.get(table) {
            return Ok(Arc::clone(tail));
        }
        let mut statement = self.conn.prepare("SELECT name FROM pragma_table_info(?1) WHERE pk > 0 ORDER BY pk")?;
        let key: Vec<String> = statement.query_map([table], |r| r.get(0))?.collect::<Result<_, _>>()?;
        let tail: Arc<str> = if key.is_empty() {
            " ON CONFLICT DO NOTHING".into()
        } else {
            format!(" ON CONFLICT ({}) DO NOTHING", quoted(key.iter().map(String::as_str)).join(", ")).into()
        };
        self.keys.insert(table.to_owned(), Arc::clone(&tail));
        Ok(tail)
    }

    /// Inserts `rows` (at least one, all with the first one's columns), each
    /// followed by the `extra` columns, with `verb` and `tail`; counts them
    /// as added or present.
    fn execute(
        &mut self,
        table: &str,
        rows: &[Row],
        extra: &[(&str, Field<'_>)],
        verb: &str,
        tail: &str,
    ) -> Result<(), StoreError> {
        let Some(first) = rows.first() else { return Ok(()) };
        let names = || first.names().chain(extra.iter().map(|(name, _)| *name));
        let key = (table.to_owned(), rows.len());
        let same = self.statements.get(&key).is_some_and(|insert| {
            insert.kind.strip_prefix(verb) == Some(tail) && insert.columns.iter().map(String::as_str).eq(names())
        });
        if !same {
            let columns: Vec<String> = names().map(str::to_owned).collect();
            if let Some(twice) = columns.iter().enumerate().find_map(|(i, c)| columns[..i].contains(c).then_some(c)) {
                return Err(StoreError::WrongState(format!(
                    "a row of {table} in the bundle names the column {twice} twice; nothing was restored"
                )));
            }
            let row_marks = |row: usize| {
                let marks: Vec<String> = (1..=columns.len()).map(|i| format!("?{}", row * columns.len() + i)).collect();
                format!("({})", marks.join(", "))
            };
            let values: Vec<String> = (0..rows.len()).map(row_marks).collect();
            let sql = format!(
                "{verb} INTO {table} ({}) VALUES {}{tail}",
                quoted(columns.iter().map(String::as_str)).join(", "),
                values.join(", ")
            );
            let (kind, deferred) = (format!("{verb}{tail}"), self.deferred.contains(table));
            let statement = self.conn.prepare(&sql)?;
            self.statements.insert(key.clone(), Insert { kind, columns, statement, deferred });
        }
        let Some(insert) = self.statements.get_mut(&key) else { unreachable!("the statement was just made") };
        if insert.deferred != self.deferring {
            let pragma =
                if insert.deferred { "PRAGMA defer_foreign_keys = ON" } else { "PRAGMA defer_foreign_keys = OFF" };
            self.conn.execute_batch(pragma)?;
            self.deferring = insert.deferred;
        }
        if insert.deferred && !self.to_check.contains(table) {
            self.to_check.insert(table.to_owned());
        }
        let mut index = 0;
        for row in rows {
            for (_, field) in row.columns().chain(extra.iter().copied()) {
                index += 1;
                insert.statement.raw_bind_parameter(index, bound(field))?;
            }
        }
        let added = insert.statement.raw_execute().map_err(|error| refused(table, error))?;
        self.present += (rows.len() - added) as u64;
        if added > 0 {
            *self.added.entry(key.0).or_default() += added as u64;
        }
        Ok(())
    }
}

/// The tables with a reference to their own rows or to a table restored
/// after them: their rows may name rows that come later in the bundle.
fn referring_forward(conn: &Connection) -> Result<BTreeSet<&'static str>, StoreError> {
    let mut statement = conn.prepare("SELECT \"table\" FROM pragma_foreign_key_list(?1)")?;
    let mut forward = BTreeSet::new();
    for (position, (table, _)) in TABLES.iter().enumerate() {
        let parents: Vec<String> = statement.query_map([table], |r| r.get(0))?.collect::<Result<_, _>>()?;
        let later =
            |parent: &String| TABLES.iter().position(|(name, _)| name == parent).is_none_or(|at| at >= position);
        if parents.iter().any(later) {
            forward.insert(*table);
        }
    }
    Ok(forward)
}

/// Column names as SQL identifiers.
fn quoted<'a>(names: impl Iterator<Item = &'a str>) -> Vec<String> {
    names.map(|c| format!("\"{}\"", c.replace('"', "\"\""))).collect()
}

/// A bundle's value as SQLite's, borrowed from the row.
fn bound(field: Field<'_>) -> ToSqlOutput<'_> {
    ToSqlOutput::Borrowed(match field {
        Field::Null => ValueRef::Null,
        Field::Bool(b) => ValueRef::Integer(i64::from(b)),
        Field::Integer(n) => ValueRef::Integer(n),
        Field::Real(x) => ValueRef::Real(x),
        Field::Text(text) | Field::Json(text) => ValueRef::Text(text.as_bytes()),
        Field::Blob(bytes) => ValueRef::Blob(bytes),
    })
}

/// The refusal of rows that refer to rows that are not there.
fn dangling_references(table: &str) -> StoreError {
    StoreError::WrongState(format!(
        "rows of {table} in the bundle refer to rows neither here nor in the bundle; nothing was restored"
    ))
}

/// A refusal of the database, in words.
fn refused(table: &str, error: rusqlite::Error) -> StoreError {
    let text = error.to_string();
    if text.contains("FOREIGN KEY") {
        dangling_references(table)
    } else if text.contains("UNIQUE") {
        StoreError::WrongState(format!(
            "a row of {table} in the bundle conflicts with a different row here (for a person, the same e-mail or \
             number under another id); nothing was restored"
        ))
    } else if text.contains("continue the chain") || text.contains("audit") {
        StoreError::WrongState(format!(
            "the bundle's audit entries do not continue one chain from its start ({text}); nothing was restored"
        ))
    } else {
        StoreError::Sqlite(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::migrations;

    #[test]
    fn blobs_come_back_as_blobs_and_numbers_as_numbers() {
        let row = Row::parse(br#"{"b":{"hex":"00ff"},"i":7,"r":0.5,"t":"x","n":null,"y":true,"o":{"k":1}}"#).unwrap();
        let values: Vec<ValueRef<'_>> = row
            .columns()
            .map(|(_, field)| match bound(field) {
                ToSqlOutput::Borrowed(value) => value,
                _ => unreachable!("every value is bound where it lies"),
            })
            .collect();
        assert_eq!(
            values,
            [
                ValueRef::Blob(&[0, 255]),
                ValueRef::Integer(7),
                ValueRef::Real(0.5),
                ValueRef::Text(b"x"),
                ValueRef::Null,
                ValueRef::Integer(1),
                ValueRef::Text(br#"{"k":1}"#),
            ]
        );
    }

    fn course(id: usize) -> Row {
        let line = format!(r#"{{"id":"c{id}","code":"C{id}","title":"T","created_at":"2026-06-01T09:00:00.000Z"}}"#);
        Row::parse(line.as_bytes()).unwrap()
    }

    #[test]
    fn rows_go_in_several_at_once_and_again_add_nothing() {
        let (_dir, conn, _) = migrations::migrated_org();
        let mut rows = Inserter::new(&conn).unwrap();
        // Two whole statements and a part of one, twice: the second time every key is there.
        for _ in 0..2 {
            for id in 0..(2 * ROWS_AT_ONCE + 5) {
                rows.insert("courses", &course(id)).unwrap();
            }
        }
        rows.check_deferred().unwrap();
        assert_eq!((rows.added["courses"], rows.present), (2 * ROWS_AT_ONCE as u64 + 5, 2 * ROWS_AT_ONCE as u64 + 5));
        let stored: i64 = conn.query_row("SELECT count(*) FROM courses", [], |r| r.get(0)).unwrap();
        assert_eq!(stored, 2 * i64::try_from(ROWS_AT_ONCE).unwrap() + 5);
    }

    #[test]
    fn a_row_that_refers_to_a_missing_row_or_conflicts_with_another_fails_naming_its_table() {
        let (_dir, conn, _) = migrations::migrated_org();
        let mut rows = Inserter::new(&conn).unwrap();
        rows.insert("courses", &course(1)).unwrap();
        let orphan = br#"{"id":"s1","course_id":"no-such-course","name":"A","created_at":"2026-06-01T09:00:00.000Z"}"#;
        rows.insert("sections", &Row::parse(orphan).unwrap()).unwrap();
        let error = rows.flush().unwrap_err().to_string();
        assert!(
            error.contains("rows of sections in the bundle refer to rows neither here nor in the bundle"),
            "{error}"
        );

        let (_dir, conn, _) = migrations::migrated_org();
        let mut rows = Inserter::new(&conn).unwrap();
        rows.insert("courses", &course(1)).unwrap();
        let same_code = br#"{"id":"other","code":"C1","title":"T","created_at":"2026-06-01T09:00:00.000Z"}"#;
        rows.insert("courses", &Row::parse(same_code).unwrap()).unwrap();
        let error = rows.check_deferred().unwrap_err().to_string();
        assert!(error.contains("a row of courses in the bundle conflicts with a different row here"), "{error}");
    }

    #[test]
    fn only_the_tables_that_name_their_own_rows_wait_for_the_end_to_check_references() {
        let (_dir, conn, _) = migrations::migrated_org();
        let forward: Vec<&str> = referring_forward(&conn).unwrap().into_iter().collect();
        assert_eq!(forward, ["candidate_links", "submissions"]);
    }
}
