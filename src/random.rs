//! Randomness from the operating system, for keys, tokens, salts and
//! nonces. A leaf: everything that needs a secret draws it here.

use ring::rand::{SecureRandom, SystemRandom};

/// Fills `out` with random bytes from the operating system.
///
/// # Panics
/// When the OS has no randomness to give, in which case no key can be made safely.
pub fn fill_random(out: &mut [u8]) {
    SystemRandom::new().fill(out).expect("the operating system's random number generator failed");
}
