//! The limiter's rules, with a standing clock.

use super::*;

const START: OffsetDateTime = time::macros::datetime!(2026-01-05 09:00 UTC);

fn addr(text: &str) -> Option<IpAddr> {
    text.parse().ok()
}

#[test]
fn account_waits_grow_after_free_failures_cap_out_and_reset_on_success() {
    let limiter = RateLimiter::default();
    let account = limiter.account("physics", "ada@physics.example");
    let keys = [limiter.account_at_address_key(account, addr("192.0.2.1"))];
    let mut now = START;
    for _ in 0..FREE_FAILURES {
        assert_eq!(limiter.blocked(&keys, now), None);
        limiter.fail(&keys, now);
    }
    assert_eq!(limiter.blocked(&keys, now), None);
    limiter.fail(&keys, now);
    assert_eq!(limiter.blocked(&keys, now), Some(1));
    limiter.fail(&keys, now);
    assert_eq!(limiter.blocked(&keys, now), Some(2));
    for _ in 0..40 {
        limiter.fail(&keys, now);
    }
    assert_eq!(limiter.blocked(&keys, now), Some(MAX_WAIT.as_secs()), "never more than the ceiling");
    now += MAX_WAIT;
    assert_eq!(limiter.blocked(&keys, now), None, "never locked out for good");
    limiter.fail(&keys, now);
    limiter.succeeded(&keys);
    assert_eq!(limiter.blocked(&keys, now), None);
}

#[test]
fn a_burst_charged_before_judging_lets_through_only_what_the_limits_allow() {
    let limiter = RateLimiter::default();
    let account = limiter.account("physics", "ada@physics.example");
    let keys = [limiter.account_at_address_key(account, addr("192.0.2.1"))];
    let passed = (0..100).filter(|_| limiter.charge(&keys, START).is_ok()).count();
    assert_eq!(passed, FREE_FAILURES as usize + 1, "a burst does not pass the check together");
    let address = [limiter.address_key("sign-in", addr("192.0.2.1"))];
    let passed = (0..1000).filter(|_| limiter.charge(&address, START).is_ok()).count();
    assert_eq!(passed, 60, "an address gets its bucket, then about one try a second");
    assert_eq!(limiter.charge(&address, START + Duration::from_secs(1)), Ok(()));
}

#[test]
fn a_success_forgets_the_account_but_only_refunds_its_own_charge_on_the_address() {
    let limiter = RateLimiter::default();
    let ada = limiter.account("physics", "ada@physics.example");
    let bob = limiter.account("physics", "bob@physics.example");
    let address = limiter.address_key("sign-in", addr("192.0.2.1"));
    let ada_keys = [limiter.account_at_address_key(ada, addr("192.0.2.1")), address];
    let bob_keys = [limiter.account_at_address_key(bob, addr("192.0.2.1")), address];
    for _ in 0..59 {
        limiter.fail(&[address], START);
    }
    limiter.charge(&ada_keys, START).unwrap();
    limiter.succeeded(&ada_keys);
    limiter.charge(&bob_keys, START).unwrap();
    assert!(
        limiter.charge(&bob_keys, START).is_err(),
        "one valid account must not reopen the address's budget for guessing at others"
    );
    assert_eq!(limiter.blocked(&[ada_keys[0]], START), None, "the account's own count was forgotten");
}

#[test]
fn the_account_key_is_per_address_so_a_classmate_elsewhere_cannot_block_it() {
    let limiter = RateLimiter::default();
    let ada = limiter.account("physics", "ada@physics.example");
    let classmate = [limiter.account_at_address_key(ada, addr("192.0.2.66"))];
    for _ in 0..20 {
        limiter.fail(&classmate, START);
    }
    assert!(limiter.blocked(&classmate, START).is_some());
    assert_eq!(limiter.blocked(&[limiter.account_at_address_key(ada, addr("192.0.2.1"))], START), None);
    assert_eq!(limiter.clear_account(ada), 1, "an administrator clears every key of the account");
    assert_eq!(limiter.blocked(&classmate, START), None);
}

#[test]
fn ipv6_clients_share_a_key_per_64_and_mapped_ipv4_is_ipv4() {
    let limiter = RateLimiter::default();
    let one = limiter.address_key("sign-in", addr("2001:db8:1:2:aaaa::1"));
    let same_64 = limiter.address_key("sign-in", addr("2001:db8:1:2:ffff::9"));
    let other_64 = limiter.address_key("sign-in", addr("2001:db8:1:3::1"));
    assert_eq!(one, same_64);
    assert_ne!(one, other_64);
    assert_eq!(address_group("::ffff:192.0.2.1".parse().unwrap()), "192.0.2.1".parse::<IpAddr>().unwrap());
}

#[test]
fn keys_are_fixed_size_digests_and_the_map_is_bounded() {
    let limiter = RateLimiter::with_capacity(1000);
    let huge = "x".repeat(2 * 1024 * 1024);
    let key = limiter.key("sign-in", &[huge.as_bytes()], Policy::Account, None);
    assert_eq!(std::mem::size_of_val(&key.digest), 16);
    for i in 0..5000u32 {
        let key = limiter.key("sign-in", &[&i.to_le_bytes()], Policy::Account, None);
        limiter.fail(&[key], START + Duration::from_millis(u64::from(i)));
    }
    assert!(limiter.len() <= 1000, "{} entries", limiter.len());
    let newest = limiter.key("sign-in", &[&4999u32.to_le_bytes()], Policy::Account, None);
    for _ in 0..FREE_FAILURES {
        limiter.fail(&[newest], START + Duration::from_secs(5));
    }
    assert!(limiter.blocked(&[newest], START + Duration::from_secs(5)).is_some(), "recent entries are kept");
}

#[test]
fn the_sweep_drops_what_no_longer_slows_anyone() {
    let limiter = RateLimiter::default();
    let ada = limiter.account("physics", "ada@physics.example");
    limiter.fail(&[limiter.account_at_address_key(ada, addr("192.0.2.1"))], START);
    limiter.fail(&[limiter.address_key("sign-in", addr("192.0.2.1"))], START);
    assert_eq!(limiter.sweep(START + Duration::from_secs(2)), 1, "the address bucket refilled");
    assert_eq!(limiter.sweep(START + FORGET_AFTER), 1, "the account failure is forgotten");
    assert!(limiter.is_empty());
}

#[test]
fn a_refund_gives_back_exactly_one_charge() {
    let limiter = RateLimiter::default();
    let ada = limiter.account("physics", "ada@physics.example");
    let keys =
        [limiter.account_at_address_key(ada, addr("192.0.2.1")), limiter.address_key("sign-in", addr("192.0.2.1"))];
    for _ in 0..=FREE_FAILURES {
        limiter.charge(&keys, START).unwrap();
    }
    assert!(limiter.blocked(&keys, START).is_some());
    limiter.refund(&keys);
    assert_eq!(limiter.blocked(&keys, START), None, "the refunded attempt no longer counts");
    limiter.charge(&keys, START).unwrap();
    assert!(limiter.charge(&keys, START).is_err());
}
