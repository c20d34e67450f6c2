//! Passwords: the rules a new password must meet, and argon2id hashing.
//!
//! Hashing works in caller-provided memory ([`Workspace`]), so the server's
//! hashing threads ([`super::hasher`]) each reuse one block instead of
//! allocating memory per sign-in. The stored form is the standard PHC string
//! (`$argon2id$v=19$m=9216,t=4,p=1$salt$hash`), which carries its own cost,
//! so hashes made with an earlier setting (`m=19456,t=2`) still verify.

use std::sync::OnceLock;

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use secrecy::{ExposeSecret, SecretString};

use crate::domain::InvalidValue;

/// Memory cost in KiB (9 MiB), passes and lanes: one of the argon2id
/// settings OWASP's Password Storage Cheat Sheet gives as equivalent
/// (46 MiB and 1 pass … 7 MiB and 5 passes). Of those, the smaller memory
/// settings hash fastest when every core hashes at once, as in a 09:00
/// sign-in storm (less cache thrashing): 9 MiB with 4 passes made about 25%
/// more sign-ins a second on two cores than 19 MiB with 2 (`cargo bench
/// --bench passwords`, docs/benchmarks.md), at the same strength.
const MEMORY_KIB: u32 = 9 * 1024;
const PASSES: u32 = 4;
const LANES: u32 = 1;
/// The memory of the setting examhall used before (19 MiB, 2 passes): the
/// workspace holds this much so that accounts whose hash is older verify.
const EARLIER_MEMORY_KIB: u32 = 19 * 1024;
/// Salt length in bytes (the PHC recommendation).
const SALT_BYTES: usize = 16;

/// Shortest and longest accepted password, in characters. Long passphrases
/// are welcome; the upper bound only stops hashing megabytes.
const MIN_CHARS: usize = 8;
/// The longest password that can ever match a stored hash: sign-in refuses
/// longer ones without hashing them.
pub const MAX_CHARS: usize = 128;

/// The memory one argon2 run needs, allocated once and reused: a hashing
/// thread keeps one for its whole life.
pub struct Workspace {
    blocks: Vec<Block>,
}

impl Workspace {
    /// Allocates the blocks for the largest cost a stored hash of examhall's has (19 MiB).
    #[must_use]
    pub fn new() -> Self {
        let earlier = Params::new(EARLIER_MEMORY_KIB, 2, LANES, None).expect("valid argon2 parameters");
        Self { blocks: vec![Block::new(); params().block_count().max(earlier.block_count())] }
    }
}

impl Default for Workspace {
    fn default() -> Self {
        Self::new()
    }
}

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

    /// The argon2id hash in PHC form, for storage, in memory of its own
    /// (command-line use; the server hashes in its pool's workspaces).
    #[must_use]
    pub fn hash(&self) -> String {
        self.hash_in(&mut Workspace::new())
    }

    /// The argon2id hash in PHC form, computed in `workspace`.
    ///
    /// # Panics
    /// When the operating system has no randomness for the salt.
    #[must_use]
    pub fn hash_in(&self, workspace: &mut Workspace) -> String {
        hash_text(self.0.expose_secret(), workspace)
    }
}

fn params() -> Params {
    Params::new(MEMORY_KIB, PASSES, LANES, None).expect("valid argon2 parameters")
}

fn hash_text(password: &str, workspace: &mut Workspace) -> String {
    let mut salt = [0u8; SALT_BYTES];
    crate::random::fill_random(&mut salt);
    let params = params();
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password_into_with_memory(password.as_bytes(), &salt, &mut out, &mut workspace.blocks[..])
        .expect("argon2id accepts a 16-byte salt and a 32-byte output");
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).expect("the parameters fit a PHC string"),
        salt: Some(Salt::new(&salt).expect("a 16-byte salt is valid")),
        hash: Some(Output::new(&out).expect("a 32-byte output is valid")),
    };
    phc.to_string()
}

/// Whether `password` matches `stored` (a PHC string). When there is no
/// stored hash (unknown account, password not set), a dummy hash is checked
/// anyway, so the answer takes the same time either way. Allocates its own
/// memory (command-line use).
#[must_use]
pub fn verify(password: &str, stored: Option<&str>) -> bool {
    verify_in(password, stored, &mut Workspace::new())
}

/// [`verify`] in `workspace`. A stored hash whose cost needs more memory
/// than the workspace holds never matches (the server's memory stays
/// bounded); every hash examhall writes fits.
#[must_use]
pub fn verify_in(password: &str, stored: Option<&str>, workspace: &mut Workspace) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash_text("examhall timing equaliser", workspace));
    let matched = matches_phc(password, stored.unwrap_or(dummy), workspace);
    matched && stored.is_some()
}

/// [`verify_in`], and when `password` matches a hash made with an earlier
/// setting, its hash at the current one (to store in its place): once every
/// account has signed in again, checking a password takes the same time
/// for every account and for none (an older, slower hash would otherwise
/// tell an account apart from an unknown e-mail).
#[must_use]
pub fn verify_upgrading_in(password: &str, stored: Option<&str>, workspace: &mut Workspace) -> (bool, Option<String>) {
    let matched = verify_in(password, stored, workspace);
    let outdated = stored.is_some_and(|stored| !is_current(stored));
    (matched, (matched && outdated).then(|| hash_text(password, workspace)))
}

/// Whether `stored` was made with the current setting.
fn is_current(stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else { return false };
    Params::try_from(&parsed).is_ok_and(|found| {
        let current = params();
        (found.m_cost(), found.t_cost(), found.p_cost()) == (current.m_cost(), current.t_cost(), current.p_cost())
    })
}

fn matches_phc(password: &str, stored: &str, workspace: &mut Workspace) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else { return false };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm.as_str()) else { return false };
    let Ok(version) = parsed.version.map_or(Ok(Version::default()), Version::try_from) else { return false };
    let Ok(params) = Params::try_from(&parsed) else { return false };
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else { return false };
    if params.block_count() > workspace.blocks.len() {
        tracing::warn!("a stored password hash needs more memory than the hashing workspace; it cannot match");
        return false;
    }
    let mut out = [0u8; Output::MAX_LENGTH];
    let Some(out) = out.get_mut(..expected.len()) else { return false };
    let hashed = Argon2::new(algorithm, version, params).hash_password_into_with_memory(
        password.as_bytes(),
        salt.as_ref(),
        out,
        &mut workspace.blocks[..],
    );
    hashed.is_ok() && bool::from(subtle::ConstantTimeEq::ct_eq(out, expected.as_bytes()))
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
    fn hashes_keep_the_phc_form_and_verify_both_ways_with_the_argon2_crate() {
        use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
        let reference = Argon2::new(Algorithm::Argon2id, Version::V0x13, params());
        let old = reference.hash_password(b"lantern-orbit-walnut").unwrap().to_string();
        let mut workspace = Workspace::new();
        assert!(verify_in("lantern-orbit-walnut", Some(&old), &mut workspace), "hashes stored before still verify");
        assert!(!verify_in("lantern-orbit-walnuT", Some(&old), &mut workspace));
        let new = NewPassword::parse("lantern-orbit-walnut").unwrap().hash_in(&mut workspace);
        assert_eq!(new.len(), old.len(), "{new} / {old}");
        reference.verify_password(b"lantern-orbit-walnut", new.as_str()).unwrap();
        let earlier_setting = Params::new(EARLIER_MEMORY_KIB, 2, LANES, None).unwrap();
        let earlier = Argon2::new(Algorithm::Argon2id, Version::V0x13, earlier_setting);
        let earlier = earlier.hash_password(b"lantern-orbit-walnut").unwrap().to_string();
        assert!(earlier.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{earlier}");
        assert!(
            verify_in("lantern-orbit-walnut", Some(&earlier), &mut workspace),
            "accounts hashed at 19 MiB still sign in"
        );
        assert!(!verify_in("lantern-orbit-walnuT", Some(&earlier), &mut workspace));
        let (matched, upgraded) = verify_upgrading_in("lantern-orbit-walnut", Some(&earlier), &mut workspace);
        let upgraded = upgraded.expect("a match on an earlier setting is hashed again");
        assert!(matched && upgraded.starts_with("$argon2id$v=19$m=9216,t=4,p=1$"), "{upgraded}");
        assert!(verify_in("lantern-orbit-walnut", Some(&upgraded), &mut workspace));
        assert_eq!(verify_upgrading_in("lantern-orbit-walnuT", Some(&earlier), &mut workspace), (false, None));
        assert_eq!(verify_upgrading_in("lantern-orbit-walnut", Some(&upgraded), &mut workspace), (true, None));
        assert_eq!(verify_upgrading_in("lantern-orbit-walnut", None, &mut workspace), (false, None));
        let costly =
            "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g";
        assert!(!verify_in("anything", Some(costly), &mut workspace), "never more memory than the workspace");
    }

    #[test]
    fn hashes_are_argon2id_with_the_minimum_cost() {
        let hash = NewPassword::parse("lantern-orbit-walnut").unwrap().hash();
        assert!(hash.starts_with("$argon2id$v=19$m=9216,t=4,p=1$"), "{hash}");
        assert!(verify("lantern-orbit-walnut", Some(&hash)));
        assert!(!verify("lantern-orbit-walnuts", Some(&hash)));
        assert!(!verify("anything", None));
    }
}
