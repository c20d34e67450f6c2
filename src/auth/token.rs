//! Secret tokens (sessions, one-time links): 256 random bits from the
//! operating system, shown once, stored only as their SHA-256.

use sha2::{Digest, Sha256};

use crate::random::fill_random;

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
        assert!(!looks_valid(&a.to_uppercase()), "one spelling per token");
        assert!(!looks_valid(&format!("{}g", &a[..63])));
    }

    #[test]
    fn the_stored_form_is_the_sha256_of_the_token_text() {
        // Computed independently: `printf %s 0123456789abcdef…` (four times) `| sha256sum`.
        let token = "0123456789abcdef".repeat(4);
        assert_eq!(hex::encode(digest(&token)), KNOWN_DIGEST);
        assert_ne!(digest(&token), digest(&token.replace('0', "1")), "every character counts");
    }

    const KNOWN_DIGEST: &str = "a8ae6e6ee929abea3afcfc5258c8ccd6f85273e0d4626d26c7279f3250f77c8e";
}
