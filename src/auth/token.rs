//! Secret tokens (sessions, one-time links): 256 random bits from the
//! operating system, shown once, stored only as their SHA-256.

use sha2::{Digest, Sha256};

use crate::store::keys::fill_random;

/// A fresh token in URL- and cookie-safe form (64 hex characters).
#[must_use]
pub fn generate() -> String {
    let mut bytes = [0u8; 32];
    fill_random(&mut bytes);
    hex::encode(bytes)
}

/// The stored form of a token: its SHA-256. A token is high-entropy, so a
/// plain hash cannot be reversed, and a database leak yields no usable token.
#[must_use]
pub fn digest(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Whether `text` has the shape of a token, before any lookup.
#[must_use]
pub fn looks_valid(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_well_formed_and_stored_hashed() {
        let (a, b) = (generate(), generate());
        assert_ne!(a, b);
        assert!(looks_valid(&a));
        assert!(!looks_valid("abc"));
        assert_eq!(digest(&a), digest(&a));
        assert_ne!(digest(&a), a.as_bytes());
    }
}
