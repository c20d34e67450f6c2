//! Passwords: the rules a new password must meet, and argon2id hashing.

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use secrecy::{ExposeSecret, SecretString};

use crate::domain::InvalidValue;

/// Memory cost in KiB (19 MiB), passes and lanes: the OWASP minimum for
/// argon2id, about 30 ms per hash on the reference machine.
const MEMORY_KIB: u32 = 19 * 1024;
const PASSES: u32 = 2;
const LANES: u32 = 1;

/// Shortest and longest accepted password, in characters. Long passphrases
/// are welcome; the upper bound only stops hashing megabytes.
const MIN_CHARS: usize = 8;
const MAX_CHARS: usize = 128;

/// A password that meets the rules. Never printed, never logged.
pub struct NewPassword(SecretString);

impl NewPassword {
    /// Checks length (8 to 128 characters, counted as characters, never
    /// truncated) and refuses the most common passwords.
    ///
    /// # Errors
    /// Which rule is broken; never the password itself.
    pub fn parse(text: &str) -> Result<Self, InvalidValue> {
        let chars = text.chars().count();
        if chars < MIN_CHARS {
            return Err(InvalidValue(format!("password: use at least {MIN_CHARS} characters")));
        }
        if chars > MAX_CHARS {
            return Err(InvalidValue(format!("password: use at most {MAX_CHARS} characters")));
        }
        if is_common(text) {
            return Err(InvalidValue(
                "password: this is one of the most common passwords; choose another (a few unrelated words work well)"
                    .to_owned(),
            ));
        }
        Ok(Self(SecretString::from(text.to_owned())))
    }

    /// The argon2id hash in PHC form, for storage.
    ///
    /// # Panics
    /// When the operating system has no randomness for the salt.
    #[must_use]
    pub fn hash(&self) -> String {
        hasher()
            .hash_password(self.0.expose_secret().as_bytes())
            .expect("argon2id hashing with a fresh salt")
            .to_string()
    }
}

fn hasher() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, PASSES, LANES, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Whether `password` matches `stored` (a PHC string). When there is no
/// stored hash (unknown account, password not set), a dummy hash is checked
/// anyway, so the answer takes the same time either way.
#[must_use]
pub fn verify(password: &str, stored: Option<&str>) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| {
        hasher().hash_password(b"examhall timing equaliser").map(|h| h.to_string()).unwrap_or_default()
    });
    let matched = hasher().verify_password(password.as_bytes(), stored.unwrap_or(dummy)).is_ok();
    matched && stored.is_some()
}

/// The bundled list of common passwords of 8 characters or more, lowercased
/// and sorted (see `COMMON_PASSWORDS_LICENSE`).
const COMMON: &str = include_str!("common_passwords.txt");

fn is_common(password: &str) -> bool {
    static LIST: OnceLock<Vec<&'static str>> = OnceLock::new();
    let list = LIST.get_or_init(|| COMMON.lines().collect());
    list.binary_search(&password.to_lowercase().as_str()).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_is_counted_in_characters_and_nothing_is_truncated() {
        assert!(NewPassword::parse("short").is_err());
        assert!(NewPassword::parse("ŝŝŝŝŝŝŝŝ").is_ok());
        assert!(NewPassword::parse(&"x".repeat(129)).is_err());
        let long = format!("{}A", "correct horse battery staple ".repeat(4));
        let hash = NewPassword::parse(&long).unwrap().hash();
        assert!(verify(&long, Some(&hash)));
        assert!(!verify(&long[..long.len() - 1], Some(&hash)), "the last character counts");
    }

    #[test]
    fn common_passwords_are_refused_whatever_their_case() {
        for common in ["password", "Password1", "12345678", "QWERTYUIOP", "iloveyou"] {
            assert!(NewPassword::parse(common).is_err(), "{common} accepted");
        }
        assert!(COMMON.lines().is_sorted(), "binary search needs the list sorted");
        assert!(NewPassword::parse("lantern-orbit-walnut").is_ok());
    }

    #[test]
    fn hashes_are_argon2id_with_the_minimum_cost() {
        let hash = NewPassword::parse("lantern-orbit-walnut").unwrap().hash();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert!(verify("lantern-orbit-walnut", Some(&hash)));
        assert!(!verify("lantern-orbit-walnuts", Some(&hash)));
        assert!(!verify("anything", None));
    }
}
