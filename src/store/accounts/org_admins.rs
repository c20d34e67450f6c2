//! An organization's administrators as the platform admin sees them: who,
//! whether they have signed in, and whether an invitation of theirs is
//! still open, for handing a lost link over again.

use rusqlite::{Connection, OptionalExtension, params};
use time::OffsetDateTime;

use crate::clock::rfc3339;
use crate::domain::{Timestamp, UserId};
use crate::store::StoreError;

/// One administrator of an organization.
#[derive(Debug, Clone)]
pub struct OrgAdmin {
    /// Their id.
    pub id: UserId,
    /// Their sign-in address.
    pub email: String,
    /// Their name.
    pub name: String,
    /// Whether their account is active.
    pub active: bool,
    /// Whether they have set a password (accepted their invitation).
    pub has_password: bool,
    /// When they last signed in.
    pub last_sign_in_at: Option<Timestamp>,
    /// Until when their open invitation or reset link works, if one does.
    pub link_expires_at: Option<Timestamp>,
}

const SELECT: &str = "SELECT u.id, u.email, u.display_name, u.status = 'active', u.password_hash IS NOT NULL,
            u.last_sign_in_at,
            (SELECT max(l.expires_at) FROM one_time_links l
             WHERE l.user_id = u.id AND l.used_at IS NULL AND l.expires_at > ?1
               AND l.purpose IN ('invitation', 'password_reset'))
     FROM users u
     WHERE EXISTS (SELECT 1 FROM grants g WHERE g.user_id = u.id AND g.role = 'org_admin')";

fn admin(row: &rusqlite::Row<'_>) -> rusqlite::Result<OrgAdmin> {
    Ok(OrgAdmin {
        id: row.get(0)?,
        email: row.get(1)?,
        name: row.get(2)?,
        active: row.get(3)?,
        has_password: row.get(4)?,
        last_sign_in_at: row.get(5)?,
        link_expires_at: row.get(6)?,
    })
}

/// Every administrator of the organization, by address.
///
/// # Errors
/// SQL errors.
pub fn list(conn: &Connection, now: OffsetDateTime) -> Result<Vec<OrgAdmin>, StoreError> {
    let mut statement = conn.prepare(&format!("{SELECT} ORDER BY u.email"))?;
    let rows = statement.query_map([rfc3339(now)], admin)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The administrator `id`, if they are one.
///
/// # Errors
/// SQL errors.
pub fn find(conn: &Connection, id: UserId, now: OffsetDateTime) -> Result<Option<OrgAdmin>, StoreError> {
    Ok(conn.query_row(&format!("{SELECT} AND u.id = ?2"), params![rfc3339(now), id], admin).optional()?)
}

/// The administrator with the address `email` (any case), if there is one.
///
/// # Errors
/// SQL errors.
pub fn by_email(conn: &Connection, email: &str, now: OffsetDateTime) -> Result<Option<OrgAdmin>, StoreError> {
    Ok(conn
        .query_row(&format!("{SELECT} AND lower(u.email) = lower(?2)"), params![rfc3339(now), email], admin)
        .optional()?)
}
