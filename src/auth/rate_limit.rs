//! Attempt limits for sign-in, password changes and link redemption.
//!
//! Two kinds of key ([`Policy`]): an *account* key (one account from one
//! address, one device, one user) allows a few free failures, then each
//! further failure doubles the wait up to a ceiling; a success or an hour of
//! quiet forgets it. An account is never locked out for good. An *address*
//! key (one client address, which may be a whole exam hall behind NAT) is a
//! bucket that refills steadily: a hall's occasional typos never add up to a
//! block, while one guesser gets about one try a second.
//!
//! Keys are fixed-size keyed digests ([`LimitKey`]) of validated inputs, so
//! an entry costs the same whatever a client sends; the map holds at most
//! [`MAX_ENTRIES`] (the stalest are evicted when full) and is swept by a
//! background task ([`RateLimiter::sweep`]). IPv6 clients are keyed by their
//! /64, the block one machine usually holds.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use sha2::{Digest, Sha256};
use time::OffsetDateTime;

mod entry;

use entry::{Entry, make_room, refund_one};

/// Failures allowed on an account key before any wait.
const FREE_FAILURES: u32 = 5;
/// The first wait, doubled per further failure.
const BASE_WAIT: Duration = Duration::from_secs(1);
/// The longest wait.
const MAX_WAIT: Duration = Duration::from_secs(15 * 60);
/// Account failures older than this are forgotten.
const FORGET_AFTER: Duration = Duration::from_secs(60 * 60);
/// Failures an address may make at once (its bucket).
const ADDRESS_BURST: f64 = 60.0;
/// Seconds for an address's bucket to regain one failure.
const ADDRESS_REFILL_SECS: f64 = 1.0;
/// The most entries kept; about 100 bytes each, so a few MiB at most.
pub const MAX_ENTRIES: usize = 50_000;

/// How a kind of key slows attempts down (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// Free failures, then doubling waits; a success forgets the key.
    Account,
    /// A steadily refilling bucket; a success refunds what it was charged.
    Address,
}

/// Names an account across keys (its realm and e-mail), so that an
/// administrator can clear every key of one account at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AccountTag([u8; 16]);

impl AccountTag {
    /// The tag as bytes, for signing.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }
}

/// One key: a 16-byte keyed digest, its policy and the account it concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitKey {
    digest: [u8; 16],
    policy: Policy,
    account: Option<AccountTag>,
}

/// The address a limit applies to: IPv4 as is (IPv4-mapped IPv6 too), IPv6
/// reduced to its /64.
#[must_use]
pub fn address_group(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !((1u128 << 64) - 1)).into()),
        },
    }
}

/// Counts failures per key. The digests are keyed with a secret made at
/// start, so nobody can aim many inputs at one entry.
#[derive(Debug)]
pub struct RateLimiter {
    secret: [u8; 32],
    capacity: usize,
    entries: Mutex<HashMap<[u8; 16], Entry>>,
}

impl Default for RateLimiter {
    fn default() -> Self {
        Self::with_capacity(MAX_ENTRIES)
    }
}

impl RateLimiter {
    /// A limiter holding at most `capacity` entries.
    #[must_use]
    pub fn with_capacity(capacity: usize) -> Self {
        let mut secret = [0u8; 32];
        crate::random::fill_random(&mut secret);
        Self { secret, capacity: capacity.max(16), entries: Mutex::new(HashMap::new()) }
    }

    fn digest(&self, parts: &[&[u8]]) -> [u8; 16] {
        let mut hasher = Sha256::new();
        hasher.update(self.secret);
        for part in parts {
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part);
        }
        let full = hasher.finalize();
        let mut digest = [0u8; 16];
        digest.copy_from_slice(&full[..16]);
        digest
    }

    /// The tag of the account `email` in `realm` (`platform` or an org slug).
    #[must_use]
    pub fn account(&self, realm: &str, email: &str) -> AccountTag {
        AccountTag(self.digest(&[b"account", realm.as_bytes(), email.as_bytes()]))
    }

    /// A key of `policy` for `scope` and `parts`, concerning `account`.
    #[must_use]
    pub fn key(&self, scope: &str, parts: &[&[u8]], policy: Policy, account: Option<AccountTag>) -> LimitKey {
        let mut all = Vec::with_capacity(parts.len() + 1);
        all.push(scope.as_bytes());
        all.extend_from_slice(parts);
        LimitKey { digest: self.digest(&all), policy, account }
    }

    /// The address key of `scope` (`sign-in`, `password`, `link`) for a
    /// client, IPv6 reduced to its /64.
    #[must_use]
    pub fn address_key(&self, scope: &str, client: Option<IpAddr>) -> LimitKey {
        let group = client.map(address_group).map(|ip| ip.to_string()).unwrap_or_default();
        self.key(scope, &[b"address", group.as_bytes()], Policy::Address, None)
    }

    /// The key of `account` signing in from `client`: a classmate elsewhere
    /// cannot slow down the account's owner.
    #[must_use]
    pub fn account_at_address_key(&self, account: AccountTag, client: Option<IpAddr>) -> LimitKey {
        let group = client.map(address_group).map(|ip| ip.to_string()).unwrap_or_default();
        self.key("sign-in", &[b"account-at", &account.0, group.as_bytes()], Policy::Account, Some(account))
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<[u8; 16], Entry>> {
        self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Seconds to wait before `keys` may try again, or `None` when allowed.
    #[must_use]
    pub fn blocked(&self, keys: &[LimitKey], now: OffsetDateTime) -> Option<u64> {
        let entries = self.lock();
        keys.iter().filter_map(|key| entries.get(&key.digest)).filter_map(|entry| entry.wait(now)).max()
    }

    /// Checks `keys` and, when none is blocked, counts a failure against
    /// each at once, before the attempt is judged: of a burst of attempts
    /// only as many pass as the limits allow. A success gives the charge
    /// back with [`RateLimiter::succeeded`].
    ///
    /// # Errors
    /// The seconds to wait when a key is blocked (nothing is charged then).
    pub fn charge(&self, keys: &[LimitKey], now: OffsetDateTime) -> Result<(), u64> {
        let mut entries = self.lock();
        let wait = keys.iter().filter_map(|key| entries.get(&key.digest)).filter_map(|entry| entry.wait(now)).max();
        if let Some(wait) = wait {
            return Err(wait);
        }
        self.fail_locked(&mut entries, keys, now);
        Ok(())
    }

    /// Records a failed attempt for every key.
    pub fn fail(&self, keys: &[LimitKey], now: OffsetDateTime) {
        let mut entries = self.lock();
        self.fail_locked(&mut entries, keys, now);
    }

    fn fail_locked(&self, entries: &mut HashMap<[u8; 16], Entry>, keys: &[LimitKey], now: OffsetDateTime) {
        for key in keys {
            if entries.len() >= self.capacity && !entries.contains_key(&key.digest) {
                make_room(entries, self.capacity, now);
            }
            entries.entry(key.digest).or_insert_with(|| Entry::new(key, now)).fail(now);
        }
    }

    /// After a success: account keys are forgotten, address keys get back
    /// the failure [`RateLimiter::charge`] counted.
    pub fn succeeded(&self, keys: &[LimitKey]) {
        let mut entries = self.lock();
        for key in keys {
            match key.policy {
                Policy::Account => {
                    entries.remove(&key.digest);
                }
                Policy::Address => refund_one(&mut entries, key),
            }
        }
    }

    /// Gives back what [`RateLimiter::charge`] counted, when the attempt
    /// could not be judged (the server was busy): neither a success nor a
    /// failure.
    pub fn refund(&self, keys: &[LimitKey]) {
        let mut entries = self.lock();
        for key in keys {
            refund_one(&mut entries, key);
        }
    }

    /// Forgets every key of `account` (an administrator's "clear sign-in
    /// limits"); returns how many there were.
    pub fn clear_account(&self, account: AccountTag) -> usize {
        let mut entries = self.lock();
        let before = entries.len();
        entries.retain(|_, entry| entry.account != Some(account));
        before - entries.len()
    }

    /// Drops entries that no longer slow anyone down. Run on a timer.
    pub fn sweep(&self, now: OffsetDateTime) -> usize {
        let mut entries = self.lock();
        let before = entries.len();
        entries.retain(|_, entry| !entry.is_spent(now));
        before - entries.len()
    }

    /// How many entries are held.
    #[must_use]
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no entry is held.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests;
