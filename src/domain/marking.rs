//! How a question's points are divided and added up: pure rules, in
//! hundredths of a point so that no sum is ever rounded twice.
//!
//! A question's points are its maximum. Its scheme gives part of them to
//! rubric items (each with a short description and its points, awarded by
//! a grader) and the rest to its tests, by weight (each 1 unless set). A
//! grader may replace the computed points with their own (an override).

use serde::{Deserialize, Serialize};

use super::InvalidValue;

/// The most rubric items a question has.
pub const MAX_RUBRIC_ITEMS: usize = 20;
/// The longest rubric item description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 200;
/// The heaviest a test may weigh.
pub const MAX_WEIGHT: u32 = 100;

/// One rubric item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RubricItem {
    /// What earns it, e.g. "uses a loop, not recursion".
    pub description: String,
    /// What it is worth, in hundredths of a point.
    pub points_hundredths: u64,
}

/// How one question's points are divided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scheme {
    /// Each test's weight, in the question's order. A test beyond the end
    /// (added after the scheme was set) weighs 1.
    pub test_weights: Vec<u32>,
    /// Rubric items, in order.
    pub rubric: Vec<RubricItem>,
}

impl Scheme {
    /// Every test weighing the same, and no rubric.
    #[must_use]
    pub fn equal(tests: usize) -> Self {
        Self { test_weights: vec![1; tests], rubric: Vec::new() }
    }

    /// The weight of test `position`.
    #[must_use]
    pub fn weight(&self, position: usize) -> u64 {
        u64::from(self.test_weights.get(position).copied().unwrap_or(1))
    }

    /// What the rubric is worth, in hundredths.
    #[must_use]
    pub fn rubric_hundredths(&self) -> u64 {
        self.rubric.iter().map(|item| item.points_hundredths).sum()
    }

    /// Checks the scheme against a question of `points` with `tests` tests.
    ///
    /// # Errors
    /// The broken rule, naming the field.
    pub fn validate(&self, points: u32, tests: usize) -> Result<(), InvalidValue> {
        let invalid = |message: String| Err(InvalidValue(message));
        let max = u64::from(points) * 100;
        if self.test_weights.len() != tests {
            return invalid(format!("test_weights: one weight for each of the question's {tests} tests"));
        }
        if let Some(position) = self.test_weights.iter().position(|w| *w > MAX_WEIGHT) {
            return invalid(format!("test_weights: test {} weighs more than {MAX_WEIGHT}", position + 1));
        }
        if self.rubric.len() > MAX_RUBRIC_ITEMS {
            return invalid(format!("rubric: at most {MAX_RUBRIC_ITEMS} items"));
        }
        for (n, item) in self.rubric.iter().enumerate() {
            let chars = item.description.trim().chars().count();
            if chars == 0 || chars > MAX_DESCRIPTION_CHARS || item.description.contains(['\n', '\r']) {
                return invalid(format!(
                    "rubric: item {} needs a description of one line, at most 200 characters",
                    n + 1
                ));
            }
            if item.points_hundredths == 0 {
                return invalid(format!("rubric: item {} is worth no points", n + 1));
            }
        }
        let rubric = self.rubric_hundredths();
        if rubric > max {
            return invalid(format!("rubric: its items add up to more than the question's {points} points"));
        }
        let weighed = self.test_weights.iter().any(|w| *w > 0);
        if rubric < max && !weighed && !(tests == 0 && self.rubric.is_empty()) {
            return invalid(format!(
                "rubric: the tests carry no weight, so the rubric must add up to the question's {points} points"
            ));
        }
        Ok(())
    }

    /// The tests' share of a question of `points`: what the rubric leaves.
    #[must_use]
    pub fn tests_hundredths(&self, points: u32) -> u64 {
        (u64::from(points) * 100).saturating_sub(self.rubric_hundredths())
    }

    /// The tests' points when the tests in `passed` (by position) passed:
    /// their share, divided by weight, rounded down to the hundredth.
    #[must_use]
    pub fn test_points(&self, points: u32, passed: &[bool]) -> u64 {
        let total: u64 = (0..passed.len()).map(|p| self.weight(p)).sum();
        if total == 0 {
            return 0;
        }
        let earned: u64 = passed.iter().enumerate().filter(|(_, ok)| **ok).map(|(p, _)| self.weight(p)).sum();
        self.tests_hundredths(points) * earned / total
    }

    /// SHA-256 (lowercase hex) of the rubric: a mark's awards name it, and
    /// count only while the rubric is the same.
    #[must_use]
    pub fn rubric_sha256(&self) -> String {
        super::receipt::sha256_hex(&serde_json::to_string(&self.rubric).unwrap_or_default())
    }

    /// What the rubric items at `awarded` (positions) are worth; positions
    /// past the rubric's end (an item since removed) count nothing.
    #[must_use]
    pub fn rubric_points(&self, awarded: &[usize]) -> u64 {
        self.rubric
            .iter()
            .enumerate()
            .filter(|(n, _)| awarded.contains(n))
            .map(|(_, item)| item.points_hundredths)
            .sum()
    }
}

/// Which grader's marks: the first marker's count; a second marker's stand
/// beside them for the instructor to compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Marker {
    /// The marks that count.
    First,
    /// An independent second opinion.
    Second,
}

/// Parses points as a person writes them (`3`, `2.5`, `0.25`) into
/// hundredths; more than two decimals, a negative or a non-number is refused.
///
/// # Errors
/// [`InvalidValue`] naming `field`.
pub fn hundredths(field: &str, points: f64) -> Result<u64, InvalidValue> {
    let scaled = points * 100.0;
    if !(0.0..=1e9).contains(&scaled) || (scaled - scaled.round()).abs() > 1e-6 {
        return Err(InvalidValue(format!("{field}: a number of points of 0 or more, with at most two decimals")));
    }
    // In range and whole, checked above.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Ok(scaled.round() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(points_hundredths: u64) -> RubricItem {
        RubricItem { description: "uses a loop".to_owned(), points_hundredths }
    }

    #[test]
    fn the_tests_share_what_the_rubric_leaves_by_weight() {
        let scheme = Scheme { test_weights: vec![1, 3], rubric: vec![item(200)] };
        scheme.validate(10, 2).unwrap();
        assert_eq!(scheme.tests_hundredths(10), 800);
        assert_eq!(scheme.test_points(10, &[true, false]), 200);
        assert_eq!(scheme.test_points(10, &[false, true]), 600);
        assert_eq!(scheme.test_points(10, &[true, true]), 800);
        assert_eq!(scheme.rubric_points(&[0]), 200);
        assert_eq!(scheme.rubric_points(&[1, 7]), 0, "an item since removed counts nothing");
    }

    #[test]
    fn equal_weights_round_down_to_the_hundredth() {
        let scheme = Scheme::equal(3);
        assert_eq!(scheme.test_points(10, &[true, true, false]), 666);
        assert_eq!(scheme.test_points(10, &[]), 0);
    }

    #[test]
    fn a_scheme_that_cannot_reach_the_maximum_is_refused() {
        let too_much = Scheme { test_weights: vec![1], rubric: vec![item(600)] };
        assert!(too_much.validate(5, 1).unwrap_err().0.contains("more than"));
        let weightless = Scheme { test_weights: vec![0, 0], rubric: vec![item(100)] };
        assert!(weightless.validate(5, 2).unwrap_err().0.contains("no weight"));
        let all_rubric = Scheme { test_weights: vec![0, 0], rubric: vec![item(500)] };
        all_rubric.validate(5, 2).unwrap();
        let wrong_count = Scheme { test_weights: vec![1], rubric: vec![] };
        assert!(wrong_count.validate(5, 2).unwrap_err().0.starts_with("test_weights"));
        let heavy = Scheme { test_weights: vec![101], rubric: vec![] };
        assert!(heavy.validate(5, 1).is_err());
        let blank = Scheme { test_weights: vec![1], rubric: vec![RubricItem { description: " ".into(), ..item(1) }] };
        assert!(blank.validate(5, 1).is_err());
        assert!(Scheme::equal(0).validate(5, 0).is_ok(), "a question without tests is marked by hand");
    }

    #[test]
    fn points_are_read_in_hundredths() {
        assert_eq!(hundredths("p", 2.5).unwrap(), 250);
        assert_eq!(hundredths("p", 0.29).unwrap(), 29);
        assert_eq!(hundredths("p", 3.0).unwrap(), 300);
        for bad in [-1.0, 0.001, f64::NAN, f64::INFINITY, 1e12] {
            assert!(hundredths("p", bad).is_err(), "{bad}");
        }
    }
}
