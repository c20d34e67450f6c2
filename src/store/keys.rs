//! The key envelope.
//!
//! A 32-byte master key (from a file, the environment or a systemd
//! credential) wraps one random 32-byte key per organization database with
//! ChaCha20-Poly1305; the wrapped keys live in `platform.db`. The platform
//! database's own key is derived from the master key with HKDF, so the master
//! key is the only secret IT has to keep. Destroying a wrapped key makes its
//! database, and every copy of it, unreadable (crypto-erase).

use ring::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::hkdf;
use secrecy::{ExposeSecret, SecretBox};
use zeroize::Zeroizing;

pub use crate::random::fill_random;

use super::StoreError;

const KEY_LEN: usize = 32;
const WRAP_FORMAT_V1: u8 = 1;
const NONCE_LEN: usize = aead::NONCE_LEN;

/// 32 random bytes, wiped when dropped.
#[must_use]
pub fn random_key() -> SecretBox<[u8; KEY_LEN]> {
    let mut bytes = Box::new([0u8; KEY_LEN]);
    fill_random(bytes.as_mut());
    SecretBox::new(bytes)
}

fn key_from_hex(text: &str) -> Option<SecretBox<[u8; KEY_LEN]>> {
    let mut bytes = Box::new([0u8; KEY_LEN]);
    hex::decode_to_slice(text.trim(), bytes.as_mut()).ok()?;
    Some(SecretBox::new(bytes))
}

/// The appliance's master key. Never logged, never in the config file.
pub struct MasterKey(SecretBox<[u8; KEY_LEN]>);

/// Why a master key text was refused. Never contains the text itself.
#[derive(Debug, thiserror::Error)]
#[error("a master key is 64 hexadecimal characters (32 bytes)")]
pub struct MalformedKey;

impl MasterKey {
    /// A new random master key.
    #[must_use]
    pub fn generate() -> Self {
        Self(random_key())
    }

    /// Reads the hexadecimal form kept in a key file or the environment.
    ///
    /// # Errors
    /// When the text is not 64 hexadecimal characters.
    pub fn from_hex(text: &str) -> Result<Self, MalformedKey> {
        key_from_hex(text).map(Self).ok_or(MalformedKey)
    }

    /// The hexadecimal form, for writing the key file. Wiped when dropped.
    #[must_use]
    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(hex::encode(self.0.expose_secret()))
    }

    /// The key of `platform.db`, derived so that it differs from the master key
    /// itself and from every wrapped key.
    #[must_use]
    pub fn platform_db_key(&self) -> DatabaseKey {
        let salt = hkdf::Salt::new(hkdf::HKDF_SHA256, b"examhall");
        let prk = salt.extract(self.0.expose_secret());
        let info: &[&[u8]] = &[b"examhall platform.db v1"];
        let okm = prk.expand(info, hkdf::HKDF_SHA256).expect("32 bytes is a valid HKDF-SHA256 output length");
        let mut bytes = Box::new([0u8; KEY_LEN]);
        okm.fill(bytes.as_mut()).expect("the output buffer matches the requested length");
        DatabaseKey(SecretBox::new(bytes))
    }

    fn aead_key(&self) -> LessSafeKey {
        let unbound = UnboundKey::new(&aead::CHACHA20_POLY1305, self.0.expose_secret())
            .expect("a 32-byte key is valid for ChaCha20-Poly1305");
        LessSafeKey::new(unbound)
    }

    /// Wraps a database key. `context` (the organization ID) is bound into
    /// the tag, so a wrapped key copied onto another organization's record
    /// does not open.
    #[must_use]
    pub fn wrap(&self, key: &DatabaseKey, context: &str) -> Vec<u8> {
        self.seal(key.0.expose_secret(), context)
    }

    /// Unwraps a key made by [`MasterKey::wrap`] with the same `context`.
    ///
    /// # Errors
    /// [`StoreError::KeyUnwrap`] for a wrong master key, context or a damaged record.
    pub fn unwrap(&self, wrapped: &[u8], context: &str) -> Result<DatabaseKey, StoreError> {
        self.open(wrapped, context).map(DatabaseKey)
    }

    /// Wraps another 32-byte secret of the appliance (the seed of its
    /// signing key), bound to `context` as [`MasterKey::wrap`] is.
    #[must_use]
    pub fn wrap_secret(&self, secret: &SecretBox<[u8; KEY_LEN]>, context: &str) -> Vec<u8> {
        self.seal(secret.expose_secret(), context)
    }

    /// Unwraps a secret made by [`MasterKey::wrap_secret`].
    ///
    /// # Errors
    /// [`StoreError::KeyUnwrap`] for a wrong master key, context or a damaged record.
    pub fn unwrap_secret(&self, wrapped: &[u8], context: &str) -> Result<SecretBox<[u8; KEY_LEN]>, StoreError> {
        self.open(wrapped, context)
    }

    fn seal(&self, secret: &[u8; KEY_LEN], context: &str) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        fill_random(&mut nonce);
        let mut sealed = secret.to_vec();
        self.aead_key()
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(context.as_bytes()), &mut sealed)
            .expect("sealing 32 bytes cannot exceed the AEAD's limits");
        let mut out = Vec::with_capacity(1 + NONCE_LEN + sealed.len());
        out.push(WRAP_FORMAT_V1);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    fn open(&self, wrapped: &[u8], context: &str) -> Result<SecretBox<[u8; KEY_LEN]>, StoreError> {
        let (&format, rest) = wrapped.split_first().ok_or(StoreError::KeyUnwrap)?;
        if format != WRAP_FORMAT_V1 || rest.len() != NONCE_LEN + KEY_LEN + aead::CHACHA20_POLY1305.tag_len() {
            return Err(StoreError::KeyUnwrap);
        }
        let (nonce, sealed) = rest.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| StoreError::KeyUnwrap)?;
        let mut buffer = Zeroizing::new(sealed.to_vec());
        let plain = self
            .aead_key()
            .open_in_place(nonce, Aad::from(context.as_bytes()), &mut buffer)
            .map_err(|_| StoreError::KeyUnwrap)?;
        let mut bytes = Box::new([0u8; KEY_LEN]);
        bytes.copy_from_slice(plain);
        Ok(SecretBox::new(bytes))
    }
}

/// The raw key of one SQLCipher database.
pub struct DatabaseKey(SecretBox<[u8; KEY_LEN]>);

impl DatabaseKey {
    /// A new random key, for a new organization.
    #[must_use]
    pub fn generate() -> Self {
        Self(random_key())
    }

    /// The value for `PRAGMA key`: a raw key in SQLCipher's blob-literal form,
    /// so no key derivation runs when a connection opens. Wiped when dropped.
    #[must_use]
    pub(crate) fn pragma_value(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("\"{}\"", *self.raw_literal()))
    }

    /// The key as SQLCipher's raw-key text `x'…'`, for `ATTACH … KEY ?`.
    /// Wiped when dropped.
    #[must_use]
    pub(crate) fn raw_literal(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("x'{}'", hex::encode(self.0.expose_secret())))
    }
}

impl Clone for DatabaseKey {
    fn clone(&self) -> Self {
        Self(SecretBox::new(Box::new(*self.0.expose_secret())))
    }
}

impl std::fmt::Debug for DatabaseKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DatabaseKey(<redacted>)")
    }
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrapped_key_opens_only_with_its_master_and_context() {
        let master = MasterKey::generate();
        let key = DatabaseKey::generate();
        let wrapped = master.wrap(&key, "org-a");
        let opened = master.unwrap(&wrapped, "org-a").unwrap();
        assert_eq!(*opened.pragma_value(), *key.pragma_value());
        assert!(master.unwrap(&wrapped, "org-b").is_err());
        assert!(MasterKey::generate().unwrap(&wrapped, "org-a").is_err());
        let mut damaged = wrapped.clone();
        damaged[20] ^= 1;
        assert!(master.unwrap(&damaged, "org-a").is_err());
        assert!(master.unwrap(&[], "org-a").is_err());
    }

    #[test]
    fn the_master_key_round_trips_through_hex_and_debug_hides_it() {
        let master = MasterKey::generate();
        let again = MasterKey::from_hex(&master.to_hex()).unwrap();
        assert_eq!(*again.to_hex(), *master.to_hex());
        assert!(!format!("{master:?}").contains(master.to_hex().as_str()));
        assert!(MasterKey::from_hex("abc").is_err());
        assert!(MasterKey::from_hex(&"zz".repeat(32)).is_err());
    }

    #[test]
    fn the_platform_key_is_derived_and_stable() {
        let master = MasterKey::generate();
        assert_eq!(*master.platform_db_key().pragma_value(), *master.platform_db_key().pragma_value());
        assert!(!master.platform_db_key().pragma_value().contains(master.to_hex().as_str()));
    }

    #[test]
    fn the_platform_key_matches_a_known_hkdf_sha256_vector() {
        // HKDF-SHA256 (RFC 5869) with salt "examhall", info "examhall platform.db v1"
        // and 32 bytes of output, computed outside examhall (Python's hmac):
        //   prk = hmac.new(b"examhall", master, sha256).digest()
        //   okm = hmac.new(prk, b"examhall platform.db v1" + b"\x01", sha256).digest()
        // A change to the salt, the info or the length opens no existing platform.db.
        let master = MasterKey::from_hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f").unwrap();
        let expected = "bd369b2a9e0f1bdf6df61bee9d2c4d0bf1c7d7ede8d287fe241701ccab8fe607";
        assert_eq!(*master.platform_db_key().pragma_value(), format!("\"x'{expected}'\""));
    }
}
