//! The appliance's Ed25519 signing key: it signs every backup's manifest (and
//! later each receipt), so a restore, or anyone holding the public half, can
//! tell that a bundle came from this appliance unchanged.
//!
//! The private half is a 32-byte seed kept in `platform.db`, wrapped by the
//! master key like the organizations' data keys; the public half is also
//! written to `<data_dir>/signing.pub` in PEM (SubjectPublicKeyInfo), the
//! form `openssl pkeyutl -verify` reads, so a signature can be checked
//! without examhall. Signatures are the raw 64 bytes of RFC 8032.

use base64::Engine as _;
use ring::signature::{ED25519, Ed25519KeyPair, KeyPair as _, UnparsedPublicKey};
use secrecy::{ExposeSecret, SecretBox};

/// The DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): the 32
/// bytes of the key follow it.
const SPKI_PREFIX: [u8; 12] = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];
const PEM_LABEL: &str = "PUBLIC KEY";

/// What a receipt's signature covers: this prefix, then the SHA-256 (hex)
/// of the receipt's exact text, so a student who kept only the hash and the
/// signature can have both checked.
pub const RECEIPT_PREFIX: &str = "examhall-receipt-sha256:";

/// The bytes a receipt's signature covers.
#[must_use]
pub fn receipt_message(sha256_hex: &str) -> Vec<u8> {
    format!("{RECEIPT_PREFIX}{sha256_hex}").into_bytes()
}

/// What the wrapped seed is bound to, so it never unwraps as another key.
pub const WRAP_CONTEXT: &str = "examhall signing key v1";

/// The appliance's key pair.
pub struct SigningKey {
    pair: Ed25519KeyPair,
}

impl SigningKey {
    /// A key from its 32-byte seed.
    #[must_use]
    pub fn from_seed(seed: &SecretBox<[u8; 32]>) -> Self {
        let pair = Ed25519KeyPair::from_seed_unchecked(seed.expose_secret()).expect("any 32 bytes are an Ed25519 seed");
        Self { pair }
    }

    /// The public half.
    #[must_use]
    pub fn public(&self) -> PublicKey {
        let mut bytes = [0u8; 32];
        bytes.copy_from_slice(self.pair.public_key().as_ref());
        PublicKey(bytes)
    }

    /// The signature of `message` (64 bytes).
    #[must_use]
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        self.pair.sign(message).as_ref().to_vec()
    }
}

/// An Ed25519 public key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(pub [u8; 32]);

/// Why a public key text was refused.
#[derive(Debug, thiserror::Error)]
#[error(
    "not an Ed25519 public key: expected the PEM block examhall writes to signing.pub \
     (-----BEGIN PUBLIC KEY----- ...)"
)]
pub struct MalformedPublicKey;

impl PublicKey {
    /// Whether `signature` is this key's signature of `message`.
    #[must_use]
    pub fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        UnparsedPublicKey::new(&ED25519, self.0).verify(message, signature).is_ok()
    }

    /// The PEM text of `signing.pub`.
    #[must_use]
    pub fn to_pem(&self) -> String {
        let mut der = SPKI_PREFIX.to_vec();
        der.extend_from_slice(&self.0);
        let body = base64::engine::general_purpose::STANDARD.encode(der);
        format!("-----BEGIN {PEM_LABEL}-----\n{body}\n-----END {PEM_LABEL}-----\n")
    }

    /// Reads the PEM text of `signing.pub`.
    ///
    /// # Errors
    /// When the text is not one Ed25519 public key in PEM.
    pub fn from_pem(text: &str) -> Result<Self, MalformedPublicKey> {
        let body: String = text
            .trim()
            .strip_prefix(&format!("-----BEGIN {PEM_LABEL}-----"))
            .and_then(|rest| rest.strip_suffix(&format!("-----END {PEM_LABEL}-----")))
            .ok_or(MalformedPublicKey)?
            .split_whitespace()
            .collect();
        let der = base64::engine::general_purpose::STANDARD.decode(body).map_err(|_| MalformedPublicKey)?;
        let key = der.strip_prefix(SPKI_PREFIX.as_slice()).ok_or(MalformedPublicKey)?;
        let bytes: [u8; 32] = key.try_into().map_err(|_| MalformedPublicKey)?;
        Ok(Self(bytes))
    }

    /// A short form for people to compare: SHA-256 of the key, in hex.
    #[must_use]
    pub fn fingerprint(&self) -> String {
        use sha2::Digest as _;
        hex::encode(sha2::Sha256::digest(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SigningKey {
        SigningKey::from_seed(&crate::store::keys::random_key())
    }

    #[test]
    fn a_signature_verifies_with_its_key_only_and_only_for_its_message() {
        let (one, other) = (key(), key());
        let signature = one.sign(b"manifest");
        assert!(one.public().verifies(b"manifest", &signature));
        assert!(!one.public().verifies(b"manifest!", &signature));
        assert!(!other.public().verifies(b"manifest", &signature));
        let mut flipped = signature.clone();
        flipped[0] ^= 1;
        assert!(!one.public().verifies(b"manifest", &flipped));
    }

    #[test]
    fn the_public_key_reads_back_from_its_pem_and_nothing_else_does() {
        let public = key().public();
        let pem = public.to_pem();
        assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA"), "{pem}");
        assert_eq!(PublicKey::from_pem(&pem).unwrap(), public);
        assert!(PublicKey::from_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----").is_err());
        assert!(PublicKey::from_pem("age1qqqq").is_err());
    }
}
