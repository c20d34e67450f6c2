//! Device cookies, as OWASP's "Slow down online guessing attacks with device
//! cookies" describes: after a successful sign-in the browser gets a signed
//! cookie naming the account. A later sign-in to that account from that
//! browser is judged by the cookie's own failure count instead of the
//! account's and the address's, so nobody else's wrong guesses (a classmate
//! on the same exam-hall network) can keep the owner out, while a stolen
//! cookie still gets only a few tries.
//!
//! The signing key is made at start and lives only in memory, like the
//! limiter's counts: a restart forgets both, which costs nothing (the limits
//! start empty too).

use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue, header};
use ring::hmac;
use time::OffsetDateTime;

use super::rate_limit::AccountTag;

/// The cookie's name: host-only, set over HTTPS by this host.
pub const COOKIE: &str = "__Host-examhall-device";
/// How long a browser keeps a device cookie.
const LIFETIME: Duration = Duration::from_secs(30 * 24 * 3600);
/// Bytes of the random nonce that tells devices apart.
const NONCE_BYTES: usize = 16;

/// A browser that signed in to the account before: the nonce of its cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Device {
    /// Tells this browser's cookie from every other.
    pub nonce: [u8; NONCE_BYTES],
}

/// Issues and checks device cookies with a key made at start.
pub struct DeviceCookies {
    key: hmac::Key,
}

impl Default for DeviceCookies {
    fn default() -> Self {
        let mut secret = [0u8; 32];
        crate::random::fill_random(&mut secret);
        Self { key: hmac::Key::new(hmac::HMAC_SHA256, &secret) }
    }
}

impl DeviceCookies {
    fn signed(&self, account: &AccountTag, nonce: &[u8], expires: i64) -> String {
        let mut message = Vec::with_capacity(64);
        message.extend_from_slice(b"examhall device v1\0");
        message.extend_from_slice(account.as_bytes());
        message.extend_from_slice(nonce);
        message.extend_from_slice(&expires.to_le_bytes());
        hex::encode(hmac::sign(&self.key, &message).as_ref())
    }

    /// The `Set-Cookie` value naming `account` on a fresh device: Secure,
    /// HttpOnly, SameSite=Strict, host-only, kept 30 days.
    #[must_use]
    pub fn issue(&self, account: &AccountTag, now: OffsetDateTime) -> HeaderValue {
        let mut nonce = [0u8; NONCE_BYTES];
        crate::random::fill_random(&mut nonce);
        let expires = (now + LIFETIME).unix_timestamp();
        let value = format!(
            "{COOKIE}={}.{}.{expires}.{}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age={}",
            hex::encode(account.as_bytes()),
            hex::encode(nonce),
            self.signed(account, &nonce, expires),
            LIFETIME.as_secs(),
        );
        HeaderValue::from_str(&value).expect("a device cookie is ASCII")
    }

    /// The device of a request whose cookie is valid for `account` and not
    /// expired; `None` for a missing, foreign, forged or stale cookie.
    #[must_use]
    pub fn find(&self, headers: &HeaderMap, account: &AccountTag, now: OffsetDateTime) -> Option<Device> {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .filter(|(name, _)| *name == COOKIE)
            .find_map(|(_, value)| self.check(value, account, now))
    }

    fn check(&self, value: &str, account: &AccountTag, now: OffsetDateTime) -> Option<Device> {
        let mut parts = value.split('.');
        let (named, nonce, expires, mac) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || named != hex::encode(account.as_bytes()) {
            return None;
        }
        let mut bytes = [0u8; NONCE_BYTES];
        hex::decode_to_slice(nonce, &mut bytes).ok()?;
        let expires: i64 = expires.parse().ok()?;
        let mac = hex::decode(mac).ok()?;
        let mut message = Vec::with_capacity(64);
        message.extend_from_slice(b"examhall device v1\0");
        message.extend_from_slice(account.as_bytes());
        message.extend_from_slice(&bytes);
        message.extend_from_slice(&expires.to_le_bytes());
        hmac::verify(&self.key, &message, &mac).ok()?;
        (expires > now.unix_timestamp()).then_some(Device { nonce: bytes })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::rate_limit::RateLimiter;

    const T0: OffsetDateTime = time::macros::datetime!(2026-01-05 09:00 UTC);

    fn request_with(set_cookie: &HeaderValue) -> HeaderMap {
        let pair = set_cookie.to_str().unwrap().split(';').next().unwrap().to_owned();
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_str(&format!("other=1; {pair}")).unwrap());
        headers
    }

    #[test]
    fn a_cookie_names_one_account_is_signed_expires_and_is_host_only() {
        let (cookies, limiter) = (DeviceCookies::default(), RateLimiter::default());
        let ada = limiter.account("physics", "ada@physics.example");
        let bob = limiter.account("physics", "bob@physics.example");
        let set = cookies.issue(&ada, T0);
        let text = set.to_str().unwrap();
        for part in ["__Host-examhall-device=", "Path=/", "Secure", "HttpOnly", "SameSite=Strict", "Max-Age="] {
            assert!(text.contains(part), "{part} in {text}");
        }
        assert!(!text.contains("Domain"), "host-only: {text}");
        let headers = request_with(&set);
        assert!(cookies.find(&headers, &ada, T0).is_some());
        assert!(cookies.find(&headers, &bob, T0).is_none(), "another account's cookie does not count");
        assert!(cookies.find(&headers, &ada, T0 + LIFETIME).is_none(), "expired");
        assert!(DeviceCookies::default().find(&headers, &ada, T0).is_none(), "another key (a restart)");
        let pair = text.split(';').next().unwrap();
        let flipped = if pair.ends_with('0') { '1' } else { '0' };
        let mut tampered = HeaderMap::new();
        tampered
            .insert(header::COOKIE, HeaderValue::from_str(&format!("{}{flipped}", &pair[..pair.len() - 1])).unwrap());
        assert!(cookies.find(&tampered, &ada, T0).is_none(), "a changed signature is refused");
    }
}
