//! Password hashing for the 09:00 sign-in storm: each argon2id setting that
//! OWASP's Password Storage Cheat Sheet lists as equivalent (m = 46, 19, 12,
//! 9 or 7 MiB with t = 1 to 5, p = 1), hashed as the server does it (one
//! preallocated workspace per thread), on one thread and on every core at
//! once. `cargo bench --bench passwords` prints the Markdown table of
//! `docs/benchmarks.md`, "The 09:00 sign-in storm".
//!
//! The baseline is the setting examhall used before (19 MiB, t = 2); each
//! row's last column is its all-cores rate against that baseline's, measured
//! in the same run. Each scenario is bounded by a hash count and 20 s; the
//! list runs [`ROUNDS`] times and each figure is the median of its rounds
//! (a shared machine's bursts of load move one round, not the result).

use std::time::{Duration, Instant};

use argon2::{Algorithm, Argon2, Block, Params, Version};

/// OWASP's equivalent argon2id settings: memory in KiB, passes.
const SETTINGS: [(u32, u32); 5] = [(47_104, 1), (19_456, 2), (12_288, 3), (9_216, 4), (7_168, 5)];
/// The setting examhall used before this bench chose one.
const BASELINE: (u32, u32) = (19_456, 2);
/// Hashes per thread per scenario, and the most time a scenario may take.
const HASHES: usize = 150;
const ROUNDS: usize = 3;
const LIMIT: Duration = Duration::from_secs(20);

fn main() {
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    // A first pass warms the caches and the CPU's clock before anything is timed.
    let _ = rate(BASELINE, 1);
    // Per round, per setting: (1 thread, every core).
    let rounds: Vec<Vec<(f64, f64)>> = (0..ROUNDS)
        .map(|_| SETTINGS.iter().map(|&setting| (rate(setting, 1), rate(setting, cores))).collect())
        .collect();
    let median = |index: usize, pick: fn(&(f64, f64)) -> f64| {
        let mut values: Vec<f64> = rounds.iter().map(|round| pick(&round[index])).collect();
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    };
    let base = SETTINGS.iter().position(|&setting| setting == BASELINE).expect("the baseline is a setting");
    let baseline = median(base, |rates| rates.1);
    println!(
        "| memory | passes | ms per hash, 1 thread | hashes/s, 1 thread | hashes/s, {cores} threads | of the baseline |"
    );
    println!("|---:|---:|---:|---:|---:|---:|");
    for (index, setting) in SETTINGS.into_iter().enumerate() {
        let (one, all) = (median(index, |rates| rates.0), median(index, |rates| rates.1));
        println!(
            "| {} MiB | {} | {:.1} | {one:.1} | {all:.1} | {:.0}% |",
            setting.0 / 1024,
            setting.1,
            1000.0 / one,
            100.0 * all / baseline
        );
    }
}

/// Hashes a second with `threads` threads hashing at once, each in its own workspace.
fn rate((memory_kib, passes): (u32, u32), threads: usize) -> f64 {
    let params = Params::new(memory_kib, passes, 1, None).expect("valid argon2 parameters");
    let started = Instant::now();
    let done: usize = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|thread| {
                let params = params.clone();
                scope.spawn(move || {
                    let mut blocks = vec![Block::new(); params.block_count()];
                    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
                    let mut out = [0u8; 32];
                    let mut hashed = 0;
                    while hashed < HASHES && started.elapsed() < LIMIT {
                        let password = format!("lantern-orbit-walnut-{thread}-{hashed}");
                        argon2
                            .hash_password_into_with_memory(
                                password.as_bytes(),
                                b"a-sixteen-b-salt",
                                &mut out,
                                &mut blocks,
                            )
                            .expect("argon2id hashes");
                        hashed += 1;
                    }
                    hashed
                })
            })
            .collect();
        workers.into_iter().map(|worker| worker.join().expect("a hashing thread")).sum()
    });
    let count = u32::try_from(done).expect("a small count");
    f64::from(count) / started.elapsed().as_secs_f64()
}
