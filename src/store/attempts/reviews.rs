//! People's decisions on an attempt's signals: appended, never changed
//! (the database refuses updates and deletes).

use rusqlite::{Connection, params};
use time::OffsetDateTime;

use crate::domain::{AttemptId, Timestamp, UserId};
use crate::store::StoreError;

/// What a reviewer decided about a signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Explained: nothing to pursue.
    Dismissed,
    /// Kept in mind, with the comment.
    Noted,
    /// Sent on to the exam board.
    Referred,
}

impl Decision {
    /// The name stored and sent.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dismissed => "dismissed",
            Self::Noted => "noted",
            Self::Referred => "referred",
        }
    }

    /// The decision named `text`, if it is one.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Dismissed, Self::Noted, Self::Referred].into_iter().find(|d| d.as_str() == text)
    }
}

/// One decision on one signal.
#[derive(Debug, Clone)]
pub struct Review {
    /// The signal's key ([`crate::integrity::signals::Signal::key`]).
    pub signal: String,
    /// What was decided.
    pub decision: Decision,
    /// Why, in the reviewer's words.
    pub comment: String,
    /// Who decided.
    pub made_by: UserId,
    /// Their name, as staff see it.
    pub made_by_name: String,
    /// When.
    pub made_at: Timestamp,
}

/// Appends a decision on `signal` of `attempt`; returns it as listed.
///
/// # Errors
/// Storage errors.
pub fn append(
    conn: &Connection,
    attempt: AttemptId,
    signal: &str,
    decision: Decision,
    comment: &str,
    by: UserId,
    now: OffsetDateTime,
) -> Result<Review, StoreError> {
    conn.execute(
        "INSERT INTO signal_reviews (id, session_id, signal, decision, comment, made_by, made_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            uuid::Uuid::now_v7().to_string(),
            attempt,
            signal,
            decision.as_str(),
            comment,
            by,
            Timestamp::from_time(now)
        ],
    )?;
    let made_by_name: String = conn.query_row("SELECT display_name FROM users WHERE id = ?1", [by], |r| r.get(0))?;
    Ok(Review {
        signal: signal.to_owned(),
        decision,
        comment: comment.to_owned(),
        made_by: by,
        made_by_name,
        made_at: Timestamp::from_time(now),
    })
}

/// Every decision on `attempt`'s signals, newest first.
///
/// # Errors
/// Storage errors.
pub fn list(conn: &Connection, attempt: AttemptId) -> Result<Vec<Review>, StoreError> {
    let mut statement = conn.prepare_cached(
        "SELECT r.signal, r.decision, r.comment, r.made_by, u.display_name, r.made_at
         FROM signal_reviews r JOIN users u ON u.id = r.made_by
         WHERE r.session_id = ?1 ORDER BY r.made_at DESC, r.rowid DESC",
    )?;
    let rows = statement.query_map([attempt], |row| {
        let decision: String = row.get(1)?;
        Ok(Review {
            signal: row.get(0)?,
            decision: Decision::parse(&decision).unwrap_or(Decision::Noted),
            comment: row.get(2)?,
            made_by: row.get(3)?,
            made_by_name: row.get(4)?,
            made_at: row.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
