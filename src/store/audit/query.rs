//! Reading the log: filtered pages, newest first, and CSV export.

use std::borrow::Cow;
use std::io::Write;

use rusqlite::types::{Type, Value};
use rusqlite::{Connection, Row, params_from_iter};
use time::OffsetDateTime;

use super::{AuditEvent, Outcome, chain};
use crate::store::StoreError;

/// Entries per page when a query names no limit.
pub const DEFAULT_LIMIT: u32 = 100;
/// The most entries one page may hold.
pub const MAX_LIMIT: u32 = 1000;

/// Which entries [`list`] returns. The default is the newest page of all.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// Only this actor's entries (a user id, `cli:<user>` or `system`).
    pub actor: Option<String>,
    /// Only actions that start with this text (`user.` for every user action).
    pub action_prefix: Option<String>,
    /// Only entries at or after this time.
    pub from: Option<OffsetDateTime>,
    /// Only entries before this time.
    pub to: Option<OffsetDateTime>,
    /// Entries per page: 0 means [`DEFAULT_LIMIT`]; at most [`MAX_LIMIT`].
    pub limit: u32,
    /// Only entries older than this one: the previous page's last `seq`.
    pub before_seq: Option<i64>,
}

/// One stored entry.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRecord {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// When, as stored (RFC 3339 UTC, milliseconds).
    pub at: String,
    /// Who did what, to what, with what outcome.
    pub event: AuditEvent,
    /// The entry's hash.
    pub hash: [u8; 32],
}

/// One page of entries matching `query`, newest first. The next page is the
/// same query with `before_seq` set to the last `seq` of this one.
///
/// # Errors
/// SQL errors, or a stored value that is not what examhall writes.
pub fn list(conn: &Connection, query: &AuditQuery) -> Result<Vec<AuditRecord>, StoreError> {
    let mut sql = String::from(
        "SELECT seq, at, actor, actor_label, action, target, outcome, client_addr, details, hash
         FROM audit_log WHERE action <> 'audit.emptied'",
    );
    let mut values = Vec::new();
    if let Some(actor) = &query.actor {
        sql.push_str(" AND actor = ?");
        values.push(Value::Text(actor.clone()));
    }
    if let Some(prefix) = &query.action_prefix {
        // substr, not LIKE: a prefix may hold `_` or `%`, which LIKE would
        // treat as wildcards.
        sql.push_str(" AND substr(action, 1, length(?)) = ?");
        values.push(Value::Text(prefix.clone()));
        values.push(Value::Text(prefix.clone()));
    }
    if let Some(from) = query.from {
        sql.push_str(" AND at >= ?");
        values.push(Value::Text(chain::format_at(from)));
    }
    if let Some(to) = query.to {
        sql.push_str(" AND at < ?");
        values.push(Value::Text(chain::format_at(to)));
    }
    if let Some(before) = query.before_seq {
        sql.push_str(" AND seq < ?");
        values.push(Value::Integer(before));
    }
    sql.push_str(" ORDER BY seq DESC LIMIT ?");
    let limit = if query.limit == 0 { DEFAULT_LIMIT } else { query.limit.min(MAX_LIMIT) };
    values.push(Value::Integer(i64::from(limit)));
    let mut statement = conn.prepare_cached(&sql)?;
    let rows = statement.query_map(params_from_iter(values.iter()), row_to_record)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

fn row_to_record(row: &Row<'_>) -> rusqlite::Result<AuditRecord> {
    let invalid = |index: usize, what: &str| {
        rusqlite::Error::FromSqlConversionFailure(index, Type::Text, format!("not {what}").into())
    };
    let outcome: String = row.get(6)?;
    let client_addr: Option<String> = row.get(7)?;
    let details: String = row.get(8)?;
    let event = AuditEvent {
        actor: row.get(2)?,
        actor_label: row.get(3)?,
        action: row.get(4)?,
        target: row.get(5)?,
        outcome: Outcome::parse(&outcome).ok_or_else(|| invalid(6, "an outcome"))?,
        client_addr: client_addr.map(|addr| addr.parse().map_err(|_| invalid(7, "an address"))).transpose()?,
        details: serde_json::from_str(&details).map_err(|_| invalid(8, "JSON"))?,
    };
    Ok(AuditRecord { seq: row.get(0)?, at: row.get(1)?, event, hash: row.get(9)? })
}

/// How many times `action` was refused against `target`: an aggregated
/// entry (repeated refusals) counts by its `count`, any other entry once.
///
/// # Errors
/// Storage errors.
pub fn times_refused(conn: &Connection, action: &str, target: &str) -> Result<u32, StoreError> {
    let times: i64 = conn.query_row(
        "SELECT coalesce(sum(coalesce(json_extract(details, '$.count'), 1)), 0)
         FROM audit_log WHERE target = ?1 AND action = ?2 AND outcome = 'denied'",
        rusqlite::params![target, action],
        |row| row.get(0),
    )?;
    Ok(u32::try_from(times).unwrap_or(u32::MAX))
}

/// The newest `limit` entries about `target` whose action is one of
/// `actions` and that were refused (`refused`) or not, oldest first (the
/// index on the target finds them).
///
/// # Errors
/// SQL errors, or a stored value that is not what examhall writes.
pub fn about(
    conn: &Connection,
    target: &str,
    actions: &[&str],
    refused: bool,
    limit: u32,
) -> Result<Vec<AuditRecord>, StoreError> {
    let mut statement = conn.prepare_cached(
        "SELECT seq, at, actor, actor_label, action, target, outcome, client_addr, details, hash
         FROM audit_log WHERE target = ?1 AND action IN (SELECT value FROM json_each(?2)) AND (outcome = 'denied') = ?3
         ORDER BY seq DESC LIMIT ?4",
    )?;
    let actions = serde_json::Value::from(actions.to_vec()).to_string();
    let rows = statement.query_map(rusqlite::params![target, actions, refused, limit], row_to_record)?;
    let mut newest_first = rows.collect::<Result<Vec<_>, _>>()?;
    newest_first.reverse();
    Ok(newest_first)
}

/// Writes `records` as CSV (RFC 4180: a header row, CRLF line ends, quotes
/// around cells that need them). A cell that starts with `=`, `+`, `-`, `@`,
/// a tab or a carriage return gets a leading `'`, so a spreadsheet shows it
/// as text instead of running it as a formula.
///
/// # Errors
/// Errors of `out`.
pub fn write_csv(records: &[AuditRecord], mut out: impl Write) -> std::io::Result<()> {
    out.write_all(b"seq,at,actor,actor_label,action,target,outcome,client_addr,details,hash\r\n")?;
    for record in records {
        let event = &record.event;
        let cells = [
            record.seq.to_string(),
            record.at.clone(),
            event.actor.clone(),
            event.actor_label.clone(),
            event.action.clone(),
            event.target.clone().unwrap_or_default(),
            event.outcome.as_str().to_owned(),
            event.client_addr.map(|addr| addr.to_string()).unwrap_or_default(),
            event.details.to_string(),
            hex::encode(record.hash),
        ];
        let line: Vec<Cow<'_, str>> = cells.iter().map(|cell| csv_cell(cell)).collect();
        out.write_all(line.join(",").as_bytes())?;
        out.write_all(b"\r\n")?;
    }
    out.flush()
}

/// One CSV cell: formula triggers neutralised, then quoted if it must be.
#[must_use]
pub fn csv_cell(text: &str) -> Cow<'_, str> {
    let text: Cow<'_, str> = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    };
    if text.contains(['"', ',', '\r', '\n']) { Cow::Owned(format!("\"{}\"", text.replace('"', "\"\""))) } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_as_rfc_4180_asks_and_formulas_are_defused() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("+1"), "'+1");
        assert_eq!(csv_cell("-2"), "'-2");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("a=b"), "a=b");
    }
}
