//! An exam as an instructor writes it, checked as a whole: settings, the
//! window, sections, and ordered Python questions with their tests.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{InvalidValue, QuestionId, SectionId};

/// What happens to edits that reach the server after the deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LatePolicy {
    /// Edits stamped before the deadline that arrive late (after a network
    /// drop) are accepted and marked late-arriving.
    AcceptQueued,
    /// Nothing is accepted after the deadline.
    Refuse,
}

/// How strongly integrity signals are weighted (evidence for a person to review).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntegrityProfile {
    /// Few signals.
    Lenient,
    /// The default.
    Standard,
    /// Every signal.
    Strict,
}

/// Whether students see a test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Shown to the student and runnable by them.
    Visible,
    /// Never sent to a student's browser.
    Hidden,
}

/// How a test checks an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TestKind {
    /// `expression` evaluated against the answer equals `expected` (Python values).
    Function,
    /// Running the answer with `stdin` prints `expected`.
    Io,
}

/// One test of a question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestSpec {
    /// Visible or hidden.
    pub visibility: Visibility,
    /// Function or input/output.
    pub kind: TestKind,
    /// Function tests: the Python expression to evaluate, e.g. `add(2, 3)`.
    #[serde(default)]
    pub expression: String,
    /// Input/output tests: the text given to standard input.
    #[serde(default)]
    pub stdin: String,
    /// The expected Python value (function) or output (io).
    pub expected: String,
    /// Input/output tests: ignore trailing white space when comparing.
    #[serde(default = "yes")]
    pub ignore_trailing_whitespace: bool,
}

impl TestSpec {
    /// SHA-256 (lowercase hex) of what decides a test's result: its kind,
    /// expression, input, expected value and comparison, not whether
    /// students see it. A grading result names the test by it, so a test
    /// changed after grading is graded again.
    #[must_use]
    pub fn sha256(&self) -> String {
        let decisive = (self.kind, &self.expression, &self.stdin, &self.expected, self.ignore_trailing_whitespace);
        let text = serde_json::to_string(&decisive).unwrap_or_default();
        super::receipt::sha256_hex(&text)
    }
}

fn yes() -> bool {
    true
}

/// One question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionSpec {
    /// The question's identifier: absent on a question not saved yet. An
    /// edit sends it back, so the question keeps it and students' answers
    /// and log items, which refer to it, stay attached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<QuestionId>,
    /// Short title shown in the question list.
    pub title: String,
    /// The prompt, in Markdown (rendered without raw HTML).
    pub prompt: String,
    /// Code the student starts from.
    #[serde(default)]
    pub starter_code: String,
    /// The instructor's solution; every test must pass on it before publishing.
    #[serde(default)]
    pub model_solution: String,
    /// Points.
    pub points: u32,
    /// Tests, in order.
    #[serde(default)]
    pub tests: Vec<TestSpec>,
}

/// A whole exam as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExamSpec {
    /// Title.
    pub title: String,
    /// Instructions in Markdown.
    #[serde(default)]
    pub instructions: String,
    /// When students may start.
    #[serde(with = "crate::domain::timestamp::text")]
    pub opens_at: OffsetDateTime,
    /// When everything ends, extra time included.
    #[serde(with = "crate::domain::timestamp::text")]
    pub closes_at: OffsetDateTime,
    /// Minutes each student has from starting.
    pub duration_minutes: u32,
    /// Late edits.
    pub late_policy: LatePolicy,
    /// Integrity signal profile.
    pub integrity_profile: IntegrityProfile,
    /// Whether the client asks for fullscreen and records exits.
    #[serde(default)]
    pub require_fullscreen: bool,
    /// Sections that take the exam (of the exam's course).
    pub section_ids: Vec<SectionId>,
    /// Questions, in order.
    pub questions: Vec<QuestionSpec>,
}

const MAX_TEXT: usize = 100_000;
const MAX_QUESTIONS: usize = 50;
const MAX_TESTS: usize = 100;

fn check(ok: bool, message: &str) -> Result<(), InvalidValue> {
    if ok { Ok(()) } else { Err(InvalidValue(message.to_owned())) }
}

impl ExamSpec {
    /// Checks the rules that span fields.
    ///
    /// # Errors
    /// The first broken rule, naming the field (and question or test number).
    pub fn validate(&self) -> Result<(), InvalidValue> {
        let title = self.title.trim();
        check(!title.is_empty() && title.chars().count() <= 200, "title: use 1 to 200 characters")?;
        check(self.instructions.len() <= MAX_TEXT, "instructions: at most 100,000 characters")?;
        check(self.closes_at > self.opens_at, "closes_at: must be after opens_at")?;
        check((1..=1440).contains(&self.duration_minutes), "duration_minutes: 1 to 1440")?;
        check(!self.section_ids.is_empty(), "section_ids: choose at least one section")?;
        check(self.questions.len() <= MAX_QUESTIONS, "questions: at most 50")?;
        for (n, question) in self.questions.iter().enumerate() {
            let at = |what: &str| format!("question {}: {what}", n + 1);
            let twice = question.id.is_some() && self.questions[..n].iter().any(|earlier| earlier.id == question.id);
            check(!twice, &at("id: the same question appears twice"))?;
            let title = question.title.trim();
            check(!title.is_empty() && title.chars().count() <= 200, &at("title: use 1 to 200 characters"))?;
            for text in [&question.prompt, &question.starter_code, &question.model_solution] {
                check(text.len() <= MAX_TEXT, &at("each text at most 100,000 characters"))?;
            }
            check(question.points <= 1000, &at("points: 0 to 1000"))?;
            check(question.tests.len() <= MAX_TESTS, &at("at most 100 tests"))?;
            for (t, test) in question.tests.iter().enumerate() {
                let at = |what: &str| format!("question {} test {}: {what}", n + 1, t + 1);
                if test.kind == TestKind::Function {
                    check(!test.expression.trim().is_empty(), &at("a function test needs an expression"))?;
                    check(!test.expected.trim().is_empty(), &at("a function test needs an expected value"))?;
                }
                for text in [&test.expression, &test.stdin, &test.expected] {
                    check(text.len() <= MAX_TEXT, &at("each text at most 100,000 characters"))?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> ExamSpec {
        serde_json::from_value(serde_json::json!({
            "title": "Midterm", "opens_at": "2026-12-01T09:00:00Z", "closes_at": "2026-12-01T12:00:00Z",
            "duration_minutes": 90, "late_policy": "accept_queued", "integrity_profile": "standard",
            "section_ids": [SectionId::generate()],
            "questions": [{ "title": "Add", "prompt": "Write add", "points": 5,
                "tests": [{ "visibility": "hidden", "kind": "function", "expression": "add(1, 2)", "expected": "3" }] }]
        }))
        .unwrap()
    }

    #[test]
    fn a_complete_exam_is_valid_and_broken_rules_are_named() {
        assert!(spec().validate().is_ok());
        let mut late = spec();
        late.closes_at = late.opens_at;
        assert!(late.validate().unwrap_err().0.contains("closes_at"));
        let mut bad_test = spec();
        bad_test.questions[0].tests[0].expression.clear();
        assert!(bad_test.validate().unwrap_err().0.starts_with("question 1 test 1"));
        let mut none = spec();
        none.section_ids.clear();
        assert!(none.validate().is_err());
        let mut twice = spec();
        twice.questions[0].id = Some(QuestionId::generate());
        twice.questions.push(twice.questions[0].clone());
        assert!(twice.validate().unwrap_err().0.starts_with("question 2: id"));
    }

    #[test]
    fn unknown_fields_are_refused() {
        let mut value = serde_json::to_value(spec()).unwrap();
        value["status"] = "published".into();
        assert!(serde_json::from_value::<ExamSpec>(value).is_err());
    }
}
