//! People who sign in.

use rusqlite::{Connection, Row, params};
use time::OffsetDateTime;

use super::{StoreError, optional};
use crate::clock::rfc3339;
use crate::domain::{DisplayName, Email, Timestamp, UserId};

/// Whether a person may sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UserStatus {
    /// May sign in.
    Active,
    /// May not; sessions were ended when disabled.
    Disabled,
}

/// A person, without the password hash.
#[derive(Debug, Clone)]
pub struct User {
    /// Identifier.
    pub id: UserId,
    /// Sign-in name.
    pub email: String,
    /// Shown to staff.
    pub display_name: String,
    /// University student number, for students.
    pub student_number: Option<String>,
    /// Active or disabled.
    pub status: UserStatus,
    /// Whether a password is set (false until an invitation is redeemed).
    pub has_password: bool,
    /// When the account was made.
    pub created_at: Timestamp,
    /// The last sign-in, if ever.
    pub last_sign_in_at: Option<Timestamp>,
}

const COLUMNS: &str =
    "id, email, display_name, student_number, status, password_hash IS NOT NULL, created_at, last_sign_in_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<User> {
    Ok(User {
        id: row.get(0)?,
        email: row.get(1)?,
        display_name: row.get(2)?,
        student_number: row.get(3)?,
        status: if row.get::<_, String>(4)? == "active" { UserStatus::Active } else { UserStatus::Disabled },
        has_password: row.get(5)?,
        created_at: row.get(6)?,
        last_sign_in_at: row.get(7)?,
    })
}

/// What a new account starts with.
pub struct NewUser<'a> {
    /// Sign-in name.
    pub email: &'a Email,
    /// Shown to staff.
    pub display_name: &'a DisplayName,
    /// For students.
    pub student_number: Option<&'a str>,
    /// An argon2id hash, or `None` to send an invitation.
    pub password_hash: Option<String>,
}

/// Creates an account.
///
/// # Errors
/// [`StoreError::Taken`] when the e-mail or student number is taken.
pub fn create(conn: &Connection, new: &NewUser<'_>, now: OffsetDateTime) -> Result<User, StoreError> {
    let id = UserId::generate();
    conn.execute(
        "INSERT INTO users (id, email, display_name, student_number, password_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![id, new.email.as_str(), new.display_name.as_str(), new.student_number, new.password_hash, rfc3339(now)],
    )
    .map_err(|e| StoreError::taken_on_unique(e, || format!("the e-mail {} or student number is already taken", new.email)))?;
    by_id(conn, id)?.ok_or_else(|| StoreError::NotFound("the new user".to_owned()))
}

/// The account with `id`.
///
/// # Errors
/// Storage errors.
pub fn by_id(conn: &Connection, id: UserId) -> Result<Option<User>, StoreError> {
    optional(conn.query_row(&format!("SELECT {COLUMNS} FROM users WHERE id = ?1"), [id], from_row))
}

/// The account with `email`, and its password hash, for sign-in.
///
/// # Errors
/// Storage errors.
pub fn for_sign_in(conn: &Connection, email: &Email) -> Result<Option<(User, Option<String>)>, StoreError> {
    optional(conn.query_row(
        &format!("SELECT {COLUMNS}, password_hash FROM users WHERE email = ?1"),
        [email.as_str()],
        |row| Ok((from_row(row)?, row.get(8)?)),
    ))
}

/// The password hash of `id`.
///
/// # Errors
/// Storage errors.
pub fn password_hash(conn: &Connection, id: UserId) -> Result<Option<String>, StoreError> {
    Ok(optional(conn.query_row("SELECT password_hash FROM users WHERE id = ?1", [id], |row| row.get(0)))?.flatten())
}

/// Every account, by e-mail.
///
/// # Errors
/// Storage errors.
pub fn list(conn: &Connection) -> Result<Vec<User>, StoreError> {
    let mut statement = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM users ORDER BY email"))?;
    let rows = statement.query_map([], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// How many accounts exist.
///
/// # Errors
/// Storage errors.
pub fn count(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.query_row("SELECT count(*) FROM users", [], |row| row.get(0))?)
}

/// Sets a new password hash.
///
/// # Errors
/// Storage errors.
pub fn set_password(conn: &Connection, id: UserId, hash: &str) -> Result<(), StoreError> {
    conn.execute("UPDATE users SET password_hash = ?2 WHERE id = ?1", params![id, hash])?;
    Ok(())
}

/// Replaces `user`'s password hash `old` by `new`, the same password hashed
/// at the current setting; nothing when the hash changed meanwhile (a new
/// password set in between wins).
///
/// # Errors
/// Storage errors.
pub fn upgrade_password_hash(conn: &Connection, id: UserId, old: &str, new: &str) -> Result<(), StoreError> {
    conn.execute("UPDATE users SET password_hash = ?3 WHERE id = ?1 AND password_hash = ?2", params![id, old, new])?;
    Ok(())
}

/// Activates or disables an account.
///
/// # Errors
/// Storage errors.
pub fn set_status(conn: &Connection, id: UserId, status: UserStatus) -> Result<(), StoreError> {
    let text = if status == UserStatus::Active { "active" } else { "disabled" };
    conn.execute("UPDATE users SET status = ?2 WHERE id = ?1", params![id, text])?;
    Ok(())
}

/// Renames an account.
///
/// # Errors
/// Storage errors.
pub fn set_display_name(conn: &Connection, id: UserId, name: &DisplayName) -> Result<(), StoreError> {
    conn.execute("UPDATE users SET display_name = ?2 WHERE id = ?1", params![id, name.as_str()])?;
    Ok(())
}

/// Sets the sign-in address.
///
/// # Errors
/// [`StoreError::Taken`] when another account has it.
pub fn set_email(conn: &Connection, id: UserId, email: &Email) -> Result<(), StoreError> {
    conn.execute("UPDATE users SET email = ?2 WHERE id = ?1", params![id, email.as_str()])
        .map_err(|e| StoreError::taken_on_unique(e, || format!("another account has the e-mail {email}")))?;
    Ok(())
}

/// Records a successful sign-in.
///
/// # Errors
/// Storage errors.
pub fn signed_in(conn: &Connection, id: UserId, now: OffsetDateTime) -> Result<(), StoreError> {
    conn.execute("UPDATE users SET last_sign_in_at = ?2 WHERE id = ?1", params![id, rfc3339(now)])?;
    Ok(())
}
