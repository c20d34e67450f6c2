//! Fingerprints of a token stream: hashes of every k-gram (k consecutive
//! tokens), thinned out by winnowing (Schleimer, Wilkerson and Aiken,
//! "Winnowing: local algorithms for document fingerprinting", 2003; the
//! method of MOSS and Dolos).
//!
//! Winnowing keeps the smallest hash of every window of `w` consecutive
//! k-grams. That gives a guarantee worth having: any run of at least
//! `k + w - 1` tokens that two files share yields at least one fingerprint
//! the two have in common, wherever the run sits in each file; and runs
//! shorter than `k` never do, which keeps short idioms out.

use super::tokens::Class;

/// One kept k-gram: its hash and the index of its first token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint {
    /// Hash of the k-gram's token classes.
    pub hash: u64,
    /// Index of the k-gram's first token in the stream.
    pub position: u32,
}

/// Multiplier of the rolling hash (odd, so every power is invertible mod 2^64).
const BASE: u64 = 0x0000_0100_0000_01b3;

/// A bijective mixer (splitmix64's finalizer): the rolling hash's low bits
/// are poorly spread, and winnowing picks minimums, so they must look random.
#[must_use]
pub fn mix(mut x: u64) -> u64 {
    x ^= x >> 30;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// The hash of every k-gram of `classes`: element `i` covers `classes[i..i + k]`.
/// Empty when the stream is shorter than `k`.
#[must_use]
pub fn kgram_hashes(classes: &[Class], k: usize) -> Vec<u64> {
    if k == 0 || classes.len() < k {
        return Vec::new();
    }
    // BASE^(k-1): the weight of the token that leaves the window.
    let top = (1..k).fold(1u64, |power, _| power.wrapping_mul(BASE));
    let mut hashes = Vec::with_capacity(classes.len() - k + 1);
    let mut rolling = 0u64;
    for (i, &class) in classes.iter().enumerate() {
        if i >= k {
            rolling = rolling.wrapping_sub(u64::from(classes[i - k]).wrapping_add(1).wrapping_mul(top));
        }
        rolling = rolling.wrapping_mul(BASE).wrapping_add(u64::from(class).wrapping_add(1));
        if i + 1 >= k {
            hashes.push(mix(rolling));
        }
    }
    hashes
}

/// Robust winnowing: the minimum of every window of `w` hashes (the
/// rightmost on ties), each kept once. A stream with fewer than `w` k-grams
/// keeps its single minimum, so short files still have a fingerprint.
#[must_use]
pub fn winnow(hashes: &[u64], w: usize) -> Vec<Fingerprint> {
    let w = w.max(1);
    let mut kept = Vec::with_capacity(hashes.len() * 2 / (w + 1) + 1);
    if hashes.is_empty() {
        return kept;
    }
    let windows = hashes.len().saturating_sub(w) + 1;
    let mut min_at = usize::MAX;
    for start in 0..windows {
        let end = (start + w).min(hashes.len());
        if min_at == usize::MAX || min_at < start {
            // The old minimum left the window: scan it whole (rightmost wins ties).
            min_at = start;
            for i in start..end {
                if hashes[i] <= hashes[min_at] {
                    min_at = i;
                }
            }
        } else if hashes[end - 1] < hashes[min_at] {
            // A tie keeps the old minimum: runs of equal hashes yield one fingerprint.
            min_at = end - 1;
        } else {
            continue;
        }
        if kept.last().is_none_or(|last: &Fingerprint| last.position as usize != min_at) {
            kept.push(Fingerprint { hash: hashes[min_at], position: u32::try_from(min_at).unwrap_or(u32::MAX) });
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_token_runs_hash_equally_wherever_they_are() {
        let a = kgram_hashes(&[1, 2, 3, 4, 5, 6], 3);
        let b = kgram_hashes(&[9, 9, 3, 4, 5, 7], 3);
        assert_eq!(a.len(), 4);
        assert_eq!(a[2], b[2], "3 4 5 in both");
        assert_ne!(a[0], b[0]);
        assert!(kgram_hashes(&[1, 2], 3).is_empty());
    }

    #[test]
    fn winnowing_keeps_a_shared_fingerprint_for_every_long_enough_shared_run() {
        let (k, w) = (4, 5);
        let shared: Vec<Class> = (100..).take(k + w - 1).collect();
        let mut a: Vec<Class> = (1..40).collect();
        a.splice(10..10, shared.iter().copied());
        let mut b: Vec<Class> = (200..260).collect();
        b.splice(33..33, shared.iter().copied());
        let fa: Vec<u64> = winnow(&kgram_hashes(&a, k), w).iter().map(|f| f.hash).collect();
        let fb: Vec<u64> = winnow(&kgram_hashes(&b, k), w).iter().map(|f| f.hash).collect();
        assert!(fa.iter().any(|h| fb.contains(h)));
    }

    #[test]
    fn winnowing_keeps_each_position_once_and_short_streams_one() {
        let hashes = [5, 3, 8, 3, 9, 1, 7, 7, 2];
        let kept = winnow(&hashes, 3);
        let positions: Vec<u32> = kept.iter().map(|f| f.position).collect();
        assert_eq!(positions, [1, 3, 5, 8]);
        assert_eq!(winnow(&[4, 2, 6], 10), [Fingerprint { hash: 2, position: 1 }]);
    }
}
