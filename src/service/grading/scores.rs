//! A submission's points, question by question, from what is stored: the
//! tests' results (for the code and the tests as they are now), the
//! question's scheme and the graders' latest marks.
//!
//! A question has points once every part of it is known: each test has a
//! result, and a rubric (when it has one) has been marked. A question with
//! neither tests nor rubric is marked by hand (an override). An override
//! replaces whatever was computed. The first marker's points count; a
//! second marker's are computed the same way and stand beside them.

use std::collections::HashMap;

use super::GradingQuestion;
use crate::domain::QuestionId;
use crate::domain::marking::{Marker, Scheme};
use crate::store::marking::NewMark;

/// Where a question's points came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Tests (and the rubric, when it has one).
    Computed,
    /// A grader's own points.
    Override,
}

/// One marker's points for one answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marked {
    /// From the tests, once every test has a result (0 without tests).
    pub test_points: Option<u64>,
    /// From the rubric, once marked (0 without a rubric).
    pub rubric_points: Option<u64>,
    /// What counts, in hundredths: the override, or tests and rubric.
    pub points: Option<u64>,
    /// Where `points` came from.
    pub source: Source,
}

/// A question's score on one submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionScore {
    /// The question.
    pub question: QuestionId,
    /// Its tests.
    pub tests: usize,
    /// Its tests with a result for this code.
    pub graded: usize,
    /// Those passed.
    pub passed: usize,
    /// The first marker's points: the ones that count.
    pub first: Marked,
    /// The second marker's, when they marked it.
    pub second: Option<Marked>,
    /// Whether the first marker wrote feedback.
    pub feedback: bool,
    /// The points that count (the first marker's), in hundredths.
    pub points_hundredths: Option<u64>,
    /// The question's scheme still fits it (set again after its points or
    /// tests changed); until then it computes no points.
    pub scheme_fits: bool,
}

impl QuestionScore {
    /// Whether both markers have points and they differ.
    #[must_use]
    pub fn markers_differ(&self) -> bool {
        matches!((self.first.points, self.second.as_ref().and_then(|s| s.points)), (Some(a), Some(b)) if a != b)
    }
}

/// What scoring one submission needs.
pub struct Inputs<'a> {
    /// Whether each current test passed, by question and test SHA-256.
    pub passed: &'a HashMap<(QuestionId, &'a str), bool>,
    /// Schemes set, by question (others: equal weights, no rubric).
    pub schemes: &'a HashMap<QuestionId, Scheme>,
    /// The latest mark of each marker, by question and marker.
    pub marks: &'a HashMap<(QuestionId, Marker), &'a NewMark>,
}

/// The rubric items `mark` awarded, while the rubric is still the one they
/// were awarded from: an item edited, added or removed since makes the
/// rubric wait to be marked again, so no award lands on another item.
#[must_use]
pub fn current_awards<'a>(scheme: &Scheme, mark: Option<&'a NewMark>) -> Option<&'a [usize]> {
    let (awarded, sha256) = mark?.rubric.as_ref()?;
    (*sha256 == scheme.rubric_sha256()).then_some(awarded.as_slice())
}

fn marked(
    question: &GradingQuestion,
    scheme: Option<&Scheme>,
    outcomes: &[Option<bool>],
    mark: Option<&NewMark>,
) -> Marked {
    // A scheme that no longer fits the question (its points or tests changed
    // since) computes nothing until an instructor sets it again.
    let (test_points, rubric_points) = match scheme {
        Some(scheme) => {
            let all: Option<Vec<bool>> = outcomes.iter().copied().collect();
            let tests = all.map(|passed| scheme.test_points(question.points, &passed));
            let rubric = if scheme.rubric.is_empty() {
                Some(0)
            } else {
                current_awards(scheme, mark).map(|awarded| scheme.rubric_points(awarded))
            };
            (tests, rubric)
        }
        None => (None, None),
    };
    let by_hand_only = question.tests.is_empty() && scheme.is_some_and(|s| s.rubric.is_empty());
    let computed = match (by_hand_only, test_points, rubric_points) {
        (false, Some(tests), Some(rubric)) => Some(tests + rubric),
        _ => None,
    };
    // Points by hand above a maximum lowered since count as the maximum.
    let most = u64::from(question.points) * 100;
    match mark.and_then(|m| m.override_hundredths) {
        Some(points) => Marked { test_points, rubric_points, points: Some(points.min(most)), source: Source::Override },
        None => Marked { test_points, rubric_points, points: computed, source: Source::Computed },
    }
}

/// One question's score.
#[must_use]
pub fn question_score(question: &GradingQuestion, inputs: &Inputs<'_>) -> QuestionScore {
    let equal = Scheme::equal(question.tests.len());
    let set = inputs.schemes.get(&question.id).unwrap_or(&equal);
    let scheme = set.validate(question.points, question.tests.len()).is_ok().then_some(set);
    let outcomes: Vec<Option<bool>> =
        question.tests.iter().map(|test| inputs.passed.get(&(question.id, test.sha256.as_str())).copied()).collect();
    let first_mark = inputs.marks.get(&(question.id, Marker::First)).copied();
    let second_mark = inputs.marks.get(&(question.id, Marker::Second)).copied();
    let first = marked(question, scheme, &outcomes, first_mark);
    QuestionScore {
        question: question.id,
        tests: question.tests.len(),
        graded: outcomes.iter().flatten().count(),
        passed: outcomes.iter().flatten().filter(|ok| **ok).count(),
        points_hundredths: first.points,
        first,
        second: second_mark.map(|mark| marked(question, scheme, &outcomes, Some(mark))),
        feedback: first_mark.is_some_and(|m| !m.feedback.trim().is_empty()),
        scheme_fits: scheme.is_some(),
    }
}

/// Every question's score, and the total once each has points.
#[must_use]
pub fn scores(questions: &[GradingQuestion], inputs: &Inputs<'_>) -> (Vec<QuestionScore>, Option<u64>) {
    let scores: Vec<QuestionScore> = questions.iter().map(|q| question_score(q, inputs)).collect();
    let total = scores.iter().map(|s| s.points_hundredths).sum::<Option<u64>>();
    (scores, total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::marking::RubricItem;
    use crate::domain::{TestKind, TestSpec, Visibility};
    use crate::service::grading::GradingTest;

    fn question(points: u32, tests: usize) -> GradingQuestion {
        let tests = (0..tests)
            .map(|position| {
                let spec = TestSpec {
                    visibility: Visibility::Hidden,
                    kind: TestKind::Function,
                    expression: format!("f({position})"),
                    stdin: String::new(),
                    expected: position.to_string(),
                    ignore_trailing_whitespace: true,
                };
                GradingTest { position, sha256: spec.sha256(), spec }
            })
            .collect();
        GradingQuestion { id: QuestionId::generate(), title: "Q".to_owned(), points, tests }
    }

    fn mark(rubric: Option<(Vec<usize>, String)>, override_hundredths: Option<u64>) -> NewMark {
        NewMark {
            question: QuestionId::generate(),
            marker: Marker::First,
            rubric,
            override_hundredths,
            feedback: String::new(),
        }
    }

    struct World {
        passed: HashMap<(QuestionId, String), bool>,
        schemes: HashMap<QuestionId, Scheme>,
        marks: HashMap<(QuestionId, Marker), NewMark>,
    }

    impl World {
        fn new() -> Self {
            Self { passed: HashMap::new(), schemes: HashMap::new(), marks: HashMap::new() }
        }

        fn pass(&mut self, q: &GradingQuestion, position: usize, ok: bool) {
            self.passed.insert((q.id, q.tests[position].sha256.clone()), ok);
        }

        fn scores(&self, questions: &[GradingQuestion]) -> (Vec<QuestionScore>, Option<u64>) {
            let passed = self.passed.iter().map(|((q, t), ok)| ((*q, t.as_str()), *ok)).collect();
            let marks = self.marks.iter().map(|(k, m)| (*k, m)).collect();
            scores(questions, &Inputs { passed: &passed, schemes: &self.schemes, marks: &marks })
        }
    }

    #[test]
    fn points_are_the_share_of_tests_passed_once_every_test_has_a_result() {
        let (q1, q2) = (question(10, 3), question(5, 2));
        let mut world = World::new();
        world.pass(&q1, 0, true);
        world.pass(&q1, 1, false);
        let questions = [q1.clone(), q2.clone()];
        let (partial, total) = world.scores(&questions);
        assert_eq!((partial[0].graded, partial[0].passed, partial[0].points_hundredths), (2, 1, None));
        assert_eq!(total, None, "no total before every test has a result");

        world.pass(&q1, 2, true);
        world.pass(&q2, 0, false);
        world.pass(&q2, 1, false);
        let (done, total) = world.scores(&questions);
        assert_eq!(done[0].points_hundredths, Some(666), "10 points × 2/3, in hundredths, rounded down");
        assert_eq!(done[1].points_hundredths, Some(0));
        assert_eq!(total, Some(666));
    }

    #[test]
    fn a_result_for_a_test_as_it_was_before_an_edit_does_not_count() {
        let q = question(4, 1);
        let mut edited = q.tests[0].spec.clone();
        edited.expected = "41".to_owned();
        let mut world = World::new();
        world.passed.insert((q.id, edited.sha256()), true);
        let (scores, total) = world.scores(std::slice::from_ref(&q));
        assert_eq!((scores[0].graded, total), (0, None));
    }

    #[test]
    fn a_question_without_tests_or_rubric_waits_for_a_graders_points() {
        let q = question(3, 0);
        let mut world = World::new();
        assert_eq!(world.scores(std::slice::from_ref(&q)).1, None);
        world.marks.insert((q.id, Marker::First), mark(None, Some(250)));
        let (scores, total) = world.scores(std::slice::from_ref(&q));
        assert_eq!((scores[0].first.source, total), (Source::Override, Some(250)));
    }

    #[test]
    fn a_rubric_counts_once_marked_and_an_override_replaces_everything() {
        let q = question(10, 2);
        let mut world = World::new();
        let rubric = vec![
            RubricItem { description: "loop".into(), points_hundredths: 300 },
            RubricItem { description: "names".into(), points_hundredths: 100 },
        ];
        let scheme = Scheme { test_weights: vec![1, 2], rubric };
        let sha = scheme.rubric_sha256();
        world.schemes.insert(q.id, scheme);
        world.pass(&q, 0, false);
        world.pass(&q, 1, true);
        let (scores, _) = world.scores(std::slice::from_ref(&q));
        assert_eq!(scores[0].first.test_points, Some(400), "6 points for tests, test 2 weighs 2 of 3");
        assert_eq!(scores[0].points_hundredths, None, "the rubric is not marked yet");

        world.marks.insert((q.id, Marker::First), mark(Some((vec![0], sha.clone())), None));
        let (scores, total) = world.scores(std::slice::from_ref(&q));
        assert_eq!((scores[0].first.rubric_points, total), (Some(300), Some(700)));

        let second = NewMark { marker: Marker::Second, ..mark(Some((vec![0, 1], sha.clone())), None) };
        world.marks.insert((q.id, Marker::Second), second);
        let (scores, total) = world.scores(std::slice::from_ref(&q));
        assert_eq!(scores[0].second.as_ref().and_then(|s| s.points), Some(800));
        assert!(scores[0].markers_differ());
        assert_eq!(total, Some(700), "the first marker's points count");

        world.marks.insert((q.id, Marker::First), mark(Some((vec![0], sha)), Some(950)));
        let (scores, total) = world.scores(std::slice::from_ref(&q));
        assert_eq!((scores[0].first.source, total), (Source::Override, Some(950)));
    }

    #[test]
    fn an_award_from_another_rubric_waits_and_a_scheme_that_no_longer_fits_computes_nothing() {
        let mut q = question(10, 1);
        let mut world = World::new();
        let scheme = |points| Scheme {
            test_weights: vec![1],
            rubric: vec![RubricItem { description: "loop".into(), points_hundredths: points }],
        };
        let old = scheme(300).rubric_sha256();
        world.schemes.insert(q.id, scheme(400));
        world.pass(&q, 0, true);
        world.marks.insert((q.id, Marker::First), mark(Some((vec![0], old)), None));
        let (scores, total) = world.scores(std::slice::from_ref(&q));
        assert_eq!((scores[0].first.rubric_points, total), (None, None), "the item changed since it was awarded");
        assert!(scores[0].scheme_fits);

        // The question's points were lowered below the rubric's: the scheme must be set again.
        q.points = 3;
        let (scores, total) = world.scores(std::slice::from_ref(&q));
        assert_eq!((scores[0].scheme_fits, total), (false, None));

        world.marks.insert((q.id, Marker::First), mark(None, Some(900)));
        let (_, total) = world.scores(std::slice::from_ref(&q));
        assert_eq!(total, Some(300), "points by hand above the new maximum count as the maximum");
    }
}
