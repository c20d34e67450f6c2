//! Normalization per language: what disguises change must not change the
//! stream, and what they cannot hide (keywords, structure) must.

use super::*;

fn classes(language: Language, source: &str) -> Vec<Class> {
    Tokenizer::new(language).tokenize(source, false).classes
}

/// For each language: an original, a disguised copy (renamed, re-commented,
/// other literals, reformatted) and a variant with another keyword.
const CASES: &[(Language, &str, &str, &str)] = &[
    (
        Language::Python,
        "def total(xs):\n    # add them up\n    s = 0\n    for x in xs:\n        s += x * 2\n    return s, 'done'\n",
        "def sum_all(values):\n    acc = 0  # other comment\n    for v in values:\n        acc += v * 3\n\n\n    return acc, \"finished\"\n",
        "def total(xs):\n    s = 0\n    while x in xs:\n        s += x * 2\n    return s, 'done'\n",
    ),
    (
        Language::Java,
        "class A { /* sum */ int total(int[] xs) { int s = 0; for (int x : xs) { s += x * 2; } return s; } }",
        "class Totals {\n  // renamed\n  int sumAll(int[] values) {\n    int acc = 0;\n    for (int v : values) {\n      acc += v * 7;\n    }\n    return acc;\n  }\n}",
        "class A { int total(int[] xs) { int s = 0; for (int x : xs) { s -= x * 2; } return s; } }",
    ),
    (
        Language::Javascript,
        "function total(xs) { let s = 0; for (const x of xs) { s += x * 2; } return `n=${s}`; }",
        "function sumAll(values) {\n  // renamed\n  let acc = 0;\n  for (const v of values) {\n    acc += v * 5;\n  }\n  return 'other';\n}",
        "function total(xs) { var s = 0; for (const x of xs) { s += x * 2; } return `n=${s}`; }",
    ),
    (
        Language::Typescript,
        "function total(xs: number[]): string { let s = 0; for (const x of xs) { s += x * 2; } return 'a'; }",
        "function sumAll(values: number[]): string {\n  /* renamed */\n  let acc = 0;\n  for (const v of values) { acc += v * 9; }\n  return \"b\";\n}",
        "function total(xs: number[]): string { let s = 0; for (const x in xs) { s += x * 2; } return 'a'; }",
    ),
    (
        Language::C,
        "int total(int *xs, int n) { int s = 0; for (int i = 0; i < n; i++) { s += xs[i] * 2; } return s; }",
        "int sum_all(int *values, int count) {\n  // renamed\n  int acc = 10;\n  for (int k = 1; k < count; k++) { acc += values[k] * 4; }\n  return acc;\n}",
        "int total(int *xs, int n) { int s = 0; while (i < n) { s += xs[i] * 2; } return s; }",
    ),
    (
        Language::Cpp,
        "int total(const std::vector<int>& xs) { int s = 0; for (int x : xs) { s += x * 2; } return s; }",
        "int sumAll(const std::vector<int>& values) {\n  /* renamed */ int acc = 0;\n  for (int v : values) {\n    acc += v * 6;\n  }\n  return acc;\n}",
        "int total(const std::vector<int>& xs) { int s = 0; for (int x : xs) { s -= x * 2; } return s; }",
    ),
];

#[test]
fn renaming_comments_literals_and_layout_leave_the_stream_unchanged_in_every_language() {
    for &(language, original, disguised, _) in CASES {
        let a = classes(language, original);
        assert!(a.len() > 15, "{language:?}: {} tokens", a.len());
        assert_eq!(a, classes(language, disguised), "{language:?}");
    }
}

#[test]
fn keywords_and_operators_are_kept_in_every_language() {
    for &(language, original, _, changed) in CASES {
        assert_ne!(classes(language, original), classes(language, changed), "{language:?}");
    }
}

#[test]
fn identifiers_literals_and_comments_are_normalized() {
    let tokens = Tokenizer::new(Language::Python).tokenize("x = 'it # is' + 42  # note\n", false);
    assert_eq!(tokens.classes.len(), 5, "x = STRING + NUMBER; the comment is gone");
    assert_eq!(tokens.classes[0], IDENT);
    assert_eq!(tokens.classes[2], STRING);
    assert_eq!(tokens.classes[4], NUMBER);
    // A whole string is one token, its span the literal with its quotes.
    assert_eq!(tokens.spans[2], (4, 13));
}

#[test]
fn f_strings_and_template_literals_are_one_token_whatever_they_interpolate() {
    let python = classes(Language::Python, "print(f'{a} and {b + c}')\n");
    assert_eq!(python, classes(Language::Python, "print('plain')\n"));
    let js = classes(Language::Javascript, "log(`${a} and ${b + c}`);");
    assert_eq!(js, classes(Language::Javascript, "log('plain');"));
}

#[test]
fn python_blocks_are_closed_so_nesting_counts() {
    let nested = classes(Language::Python, "if a:\n    if b:\n        f()\n    g()\n");
    let flat = classes(Language::Python, "if a:\n    if b:\n        f()\n        g()\n");
    assert_ne!(nested, flat);
    assert_eq!(nested.iter().filter(|&&class| class == BLOCK_END).count(), 2);
}

#[test]
fn a_file_that_does_not_parse_is_still_tokenized_and_counted_as_broken() {
    let tokens = Tokenizer::new(Language::Python).tokenize("def f(:\n    return 1 +\nx = [1, 2\n", false);
    assert!(tokens.parse_errors > 0);
    assert!(tokens.classes.len() >= 5, "{:?}", tokens.classes);
    let clean = Tokenizer::new(Language::Python).tokenize("def f():\n    return 1\n", false);
    assert_eq!(clean.parse_errors, 0);
}

#[test]
fn tsx_files_parse_with_the_tsx_grammar() {
    let source = "const view = (name: string) => <p className=\"x\">{name}</p>;\n";
    let mut tokenizer = Tokenizer::new(Language::Typescript);
    assert_eq!(tokenizer.tokenize(source, true).parse_errors, 0);
    assert!(tokenizer.tokenize(source, false).parse_errors > 0, "plain TypeScript has no JSX");
}

#[test]
fn languages_know_their_extensions() {
    assert!(Language::Python.accepts_extension("PY"));
    assert!(Language::Cpp.accepts_extension("h") && Language::C.accepts_extension("h"));
    assert!(!Language::Java.accepts_extension("js"));
}
