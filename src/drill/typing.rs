//! How a simulated student types: a Python answer that keeps growing, at
//! 3-6 characters a second in bursts, with pauses, typos put right, now and
//! then a paste or a look away from the window. Seeded, so one seed makes
//! the same drill again.

use std::time::Duration;

/// A small, fast, seeded generator (SplitMix64): the drill's randomness is
/// for repeatability, not secrecy.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// The generator of `seed`.
    #[must_use]
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        #[allow(clippy::cast_precision_loss, reason = "53 random bits are exact in an f64")]
        let value = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        value
    }

    /// `true` with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// A number in `[low, high)`.
    pub fn between(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.unit()
    }

    /// A whole number in `[low, high]`.
    pub fn range(&mut self, low: usize, high: usize) -> usize {
        let span = (high - low + 1) as u64;
        low + usize::try_from(self.next_u64() % span).unwrap_or(0)
    }

    /// A duration in `[low, high)` seconds.
    pub fn seconds(&mut self, low: f64, high: f64) -> Duration {
        Duration::from_secs_f64(self.between(low, high))
    }
}

/// One thing the student does next.
#[derive(Debug, Clone, PartialEq)]
pub enum Act {
    /// Types one character at the cursor.
    Key(char),
    /// Deletes the character before the cursor (a typo put right).
    Backspace,
    /// Pastes this text at the cursor.
    Paste(String),
    /// Moves the cursor to the end of a line (`None`: of the whole answer).
    Cursor(Option<usize>),
    /// Leaves the window for a while (focus lost, then back).
    LookAway(Duration),
    /// Stops to think.
    Pause(Duration),
}

/// The student's hands: what comes next, and after how long.
#[derive(Debug)]
pub struct Typist {
    rng: Rng,
    /// Characters a second within a burst.
    speed: f64,
    /// What is left to type of the current line, reversed.
    pending: Vec<char>,
    /// Lines typed so far, to pick the next one.
    written: usize,
    /// Characters left in the current burst.
    burst: usize,
    /// A wrong character was just typed; the next act puts it right.
    typo: bool,
}

/// The answer students type: a function, then helpers, line by line
/// (accents and an emoji included, so lengths count UTF-16 as the editor does).
const LINES: &[&str] = &[
    "def mean_of(values):",
    "    \"\"\"The mean of a list of numbers (0.0 for none).\"\"\"",
    "    total = 0",
    "    for value in values:",
    "        total += value",
    "    return total / len(values) if values else 0.0",
    "",
    "# Vérifié à la main: mean_of([1, 2, 3]) == 2 ✓",
    "def median_of(values):",
    "    ordered = sorted(values)",
    "    middle = len(ordered) // 2",
    "    if len(ordered) % 2:",
    "        return ordered[middle]",
    "    return (ordered[middle - 1] + ordered[middle]) / 2",
    "",
];

impl Typist {
    /// A typist of its own seed.
    #[must_use]
    pub fn new(seed: u64) -> Self {
        let mut rng = Rng::new(seed);
        let keys_a_second = rng.between(3.0, 6.0);
        Self { rng, speed: keys_a_second, pending: Vec::new(), written: 0, burst: 0, typo: false }
    }

    /// The student's own randomness, for what the typing does not decide.
    pub fn rng(&mut self) -> &mut Rng {
        &mut self.rng
    }

    /// The next line of the answer, ending with its line break.
    fn next_line(&mut self) -> String {
        let n = self.written;
        self.written += 1;
        if n < LINES.len() {
            return format!("{}\n", LINES[n]);
        }
        // Then helpers, each a little different, for as long as the exam lasts.
        let k = (n - LINES.len()) / 4;
        match (n - LINES.len()) % 4 {
            0 => format!("def helper_{k}(x):\n"),
            1 => format!("    # step {k} 🙂\n"),
            2 => format!("    return x * {} + {}\n", k + 2, self.rng.range(0, 9)),
            _ => "\n".to_owned(),
        }
    }

    /// What the student does next and how long after the last act.
    pub fn next(&mut self, lines: usize) -> (Duration, Act) {
        if self.typo {
            self.typo = false;
            return (self.key_gap() * 2, Act::Backspace);
        }
        if self.burst == 0 {
            self.burst = self.rng.range(8, 40);
            return self.between_bursts(lines);
        }
        self.burst -= 1;
        if self.pending.is_empty() {
            self.pending = self.next_line().chars().rev().collect();
        }
        if self.rng.chance(0.03) {
            self.typo = true;
            return (self.key_gap(), Act::Key('q'));
        }
        let c = self.pending.pop().unwrap_or('\n');
        (self.key_gap(), Act::Key(c))
    }

    /// The pause between bursts, and sometimes more than a pause.
    fn between_bursts(&mut self, lines: usize) -> (Duration, Act) {
        let roll = self.rng.unit();
        if roll < 0.04 {
            let text = format!("print(mean_of([{}, {}]))\n", self.rng.range(1, 9), self.rng.range(1, 9));
            return (self.rng.seconds(1.0, 4.0), Act::Paste(text));
        }
        if roll < 0.08 {
            return (self.rng.seconds(1.0, 3.0), Act::LookAway(self.rng.seconds(2.0, 10.0)));
        }
        if roll < 0.11 && lines > 2 {
            // Back to an earlier line to add to it, then on where the typing was.
            let line = self.rng.range(0, lines - 2);
            self.pending.push(BACK_TO_END);
            self.pending.extend(" # ok".chars().rev());
            return (self.rng.seconds(0.5, 2.0), Act::Cursor(Some(line)));
        }
        if roll < 0.2 {
            return (Duration::ZERO, Act::Pause(self.rng.seconds(8.0, 25.0)));
        }
        (Duration::ZERO, Act::Pause(self.rng.seconds(1.0, 6.0)))
    }

    /// The time between two keys of a burst.
    fn key_gap(&mut self) -> Duration {
        Duration::from_secs_f64(self.rng.between(0.6, 1.4) / self.speed)
    }
}

/// `Act::Key('\u{0}')` ends an insertion at an earlier line: the cursor
/// goes back to the end of the answer.
pub const BACK_TO_END: char = '\u{0}';

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_seed_types_the_same_and_another_seed_does_not() {
        let acts = |seed| {
            let mut typist = Typist::new(seed);
            (0..500).map(|_| typist.next(10)).collect::<Vec<_>>()
        };
        assert_eq!(acts(7), acts(7));
        assert_ne!(acts(7), acts(8));
    }

    #[test]
    fn bursts_run_at_three_to_six_characters_a_second() {
        for seed in 0..50 {
            let mut typist = Typist::new(seed);
            let (mut keys, mut time) = (0u32, Duration::ZERO);
            for _ in 0..2000 {
                if let (gap, Act::Key(_)) = typist.next(10) {
                    keys += 1;
                    time += gap;
                }
            }
            let speed = f64::from(keys) / time.as_secs_f64();
            assert!((2.5..=6.5).contains(&speed), "seed {seed}: {speed} keys a second");
        }
    }

    #[test]
    fn a_typist_pastes_looks_away_and_goes_back_now_and_then() {
        let mut typist = Typist::new(3);
        let acts: Vec<Act> = (0..5000).map(|_| typist.next(10).1).collect();
        assert!(acts.iter().any(|a| matches!(a, Act::Paste(_))));
        assert!(acts.iter().any(|a| matches!(a, Act::LookAway(_))));
        assert!(acts.iter().any(|a| matches!(a, Act::Cursor(Some(_)))));
        assert!(acts.iter().any(|a| matches!(a, Act::Backspace)));
    }
}
