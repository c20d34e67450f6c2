//! One-time codes that move a running attempt to another computer. Staff
//! issue a code; the student types it on the new computer, whose start then
//! takes the attempt over ([`super::rebind`]). A code is short enough to
//! read aloud across an exam hall, so it is bounded instead: it lives
//! [`CODE_LIFETIME`], is void after [`MAX_WRONG_TRIES`], works once, and
//! only for its attempt. Only its SHA-256 is stored.

use rusqlite::{Connection, OptionalExtension, params};
use time::OffsetDateTime;

use crate::auth::token;
use crate::domain::{AttemptId, Timestamp, UserId};
use crate::random::fill_random;
use crate::store::StoreError;

/// How long an issued code works.
pub const CODE_LIFETIME: time::Duration = time::Duration::minutes(15);

/// Wrong codes typed for one attempt before its code is void.
pub const MAX_WRONG_TRIES: u32 = 5;

/// Letters and digits no one confuses when reading them aloud (no 0/O, 1/I).
const ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// Characters in a code (40 bits).
const CODE_LENGTH: usize = 8;

/// A fresh code, shown as two groups of four (`ABCD-EFGH`).
fn generate() -> String {
    let mut bytes = [0u8; CODE_LENGTH];
    fill_random(&mut bytes);
    // 32 divides 256: every letter is equally likely.
    let letters: String = bytes.iter().map(|b| char::from(ALPHABET[usize::from(b % 32)])).collect();
    format!("{}-{}", &letters[..4], &letters[4..])
}

/// A typed code as it is compared: upper case, without spaces or dashes.
#[must_use]
pub fn normalise(typed: &str) -> String {
    typed.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect()
}

/// An issued code, shown once to the staff member who issued it.
#[derive(Debug, Clone)]
pub struct IssuedCode {
    /// The code, as people read it.
    pub code: String,
    /// When it stops working.
    pub expires_at: OffsetDateTime,
}

/// Issues a code for `attempt`, replacing any earlier one.
///
/// # Errors
/// Storage errors.
pub fn issue(conn: &Connection, attempt: AttemptId, by: UserId, now: OffsetDateTime) -> Result<IssuedCode, StoreError> {
    let code = generate();
    let expires_at = now + CODE_LIFETIME;
    conn.execute(
        "INSERT INTO move_codes (attempt_id, code_sha256, issued_by, issued_at, expires_at, wrong_tries)
         VALUES (?1, ?2, ?3, ?4, ?5, 0)
         ON CONFLICT (attempt_id) DO UPDATE SET code_sha256 = excluded.code_sha256, issued_by = excluded.issued_by,
             issued_at = excluded.issued_at, expires_at = excluded.expires_at, wrong_tries = 0",
        params![
            attempt,
            token::digest(&normalise(&code)),
            by,
            Timestamp::from_time(now),
            Timestamp::from_time(expires_at)
        ],
    )?;
    Ok(IssuedCode { code, expires_at })
}

/// What typing a code did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redeemed {
    /// The code was right and in time: it is used up. Who issued it.
    Accepted {
        /// The staff member who issued the code.
        issued_by: UserId,
    },
    /// No code, a wrong one, or one past its time or tries.
    Refused,
}

/// Checks `typed` against `attempt`'s code. A right code is used up; a wrong
/// one counts against the code, which is void after [`MAX_WRONG_TRIES`].
///
/// # Errors
/// Storage errors.
pub fn redeem(conn: &Connection, attempt: AttemptId, typed: &str, now: OffsetDateTime) -> Result<Redeemed, StoreError> {
    let stored: Option<(Vec<u8>, UserId, Timestamp, u32)> = conn
        .query_row(
            "SELECT code_sha256, issued_by, expires_at, wrong_tries FROM move_codes WHERE attempt_id = ?1",
            [attempt],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let Some((digest, issued_by, expires_at, wrong_tries)) = stored else { return Ok(Redeemed::Refused) };
    if expires_at.time() <= now || wrong_tries >= MAX_WRONG_TRIES {
        conn.execute("DELETE FROM move_codes WHERE attempt_id = ?1", [attempt])?;
        return Ok(Redeemed::Refused);
    }
    if token::digest(&normalise(typed)) != digest {
        conn.execute("UPDATE move_codes SET wrong_tries = wrong_tries + 1 WHERE attempt_id = ?1", [attempt])?;
        return Ok(Redeemed::Refused);
    }
    conn.execute("DELETE FROM move_codes WHERE attempt_id = ?1", [attempt])?;
    Ok(Redeemed::Accepted { issued_by })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_two_groups_of_four_unambiguous_characters_and_read_back_however_typed() {
        let code = generate();
        assert_eq!(code.len(), 9);
        assert_eq!(&code[4..5], "-");
        assert!(code.bytes().filter(|b| *b != b'-').all(|b| ALPHABET.contains(&b)), "{code}");
        assert_ne!(generate(), code, "40 random bits");
        assert_eq!(normalise(" abcd efgh "), "ABCDEFGH");
        assert_eq!(normalise(&code.to_lowercase()), normalise(&code));
    }
}
