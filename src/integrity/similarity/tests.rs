//! The engine end to end on small programs written for these tests: copies
//! in disguise score high, independent solutions low, starter code counts
//! for nothing, and the output never changes between runs.

mod languages;

use super::report::{Selection, write_csv};
use super::*;

/// A grade report: the "original" that the disguised copies start from.
const ORIGINAL: &str = r#"
import sys

def read_scores(path):
    scores = {}
    with open(path) as handle:
        for line in handle:
            name, value = line.strip().split(",")
            scores.setdefault(name, []).append(float(value))
    return scores

def average(values):
    if not values:
        return 0.0
    return sum(values) / len(values)

def letter(mark):
    if mark >= 90:
        return "A"
    elif mark >= 80:
        return "B"
    elif mark >= 70:
        return "C"
    return "F"

def report(scores):
    lines = []
    for name in sorted(scores):
        mean = average(scores[name])
        lines.append(f"{name}: {mean:.1f} {letter(mean)}")
    return "\n".join(lines)

if __name__ == "__main__":
    print(report(read_scores(sys.argv[1])))
"#;

/// The original, renamed, re-commented and reformatted, with its functions
/// in another order and some dead code added.
const DISGUISED: &str = r#"
import sys

# Turns a mark into a grade
def to_grade(m):
    if m >= 90:
        return 'A'
    elif m >= 80:
        return 'B'
    elif m >= 70:
        return 'C'
    return 'F'

def mean_of(xs):
    if not xs:
        return 0.0
    return sum(xs) / len(xs)

def unused_helper(a, b):
    temp = a * b
    return temp

def build_report(table):
    out = []
    for student in sorted(table):
        avg = mean_of(table[student])
        out.append(f"{student} -> {avg:.2f} {to_grade(avg)}")
    return "\n".join(out)

def load(filename):
    table = {}
    with open(filename) as f:
        for row in f:
            who, mark = row.strip().split(",")
            table.setdefault(who, []).append(float(mark))
    return table

if __name__ == "__main__":
    print(build_report(load(sys.argv[1])))
"#;

/// The same task, solved independently in another style.
const INDEPENDENT: &str = r#"
import csv
import statistics

GRADES = [(90, "A"), (80, "B"), (70, "C"), (0, "F")]

class Gradebook:
    def __init__(self):
        self.entries = []

    def load(self, path):
        with open(path, newline="") as f:
            reader = csv.reader(f)
            self.entries = [(row[0], float(row[1])) for row in reader]

    def by_student(self):
        result = {}
        for who, mark in self.entries:
            result[who] = result.get(who, []) + [mark]
        return result

def grade_for(mark):
    return next(g for limit, g in GRADES if mark >= limit)

def main(path):
    book = Gradebook()
    book.load(path)
    marks = book.by_student()
    width = max(len(n) for n in marks)
    for who in sorted(marks):
        mean = statistics.mean(marks[who])
        print(who.ljust(width), round(mean, 1), grade_for(mean))
"#;

fn source(name: &str, text: &str) -> Source {
    Source { name: name.to_owned(), text: text.to_owned(), tsx: false }
}

fn analyze_python(sources: &[(&str, &str)], bases: &[&str]) -> Analysis {
    let sources = sources.iter().map(|(name, text)| source(name, text)).collect();
    let bases: Vec<Source> = bases.iter().map(|text| source("base.py", text)).collect();
    analyze(Language::Python, sources, &bases, &Settings::default(), &|_| {})
}

fn score(analysis: &Analysis, a: &str, b: &str) -> f64 {
    let name = |file: u32| analysis.documents[file as usize].source.name.as_str();
    analysis
        .pairs
        .iter()
        .find(|pair| (name(pair.a), name(pair.b)) == (a, b) || (name(pair.a), name(pair.b)) == (b, a))
        .map_or(0.0, |pair| f64::from(pair.score))
}

#[test]
fn a_renamed_reordered_copy_with_dead_code_scores_high_and_an_independent_solution_low() {
    let analysis = analyze_python(&[("original.py", ORIGINAL), ("copy.py", DISGUISED), ("own.py", INDEPENDENT)], &[]);
    let copied = score(&analysis, "original.py", "copy.py");
    assert!(copied > 0.8, "copy scored {copied}");
    assert!(score(&analysis, "original.py", "own.py") < 0.25, "{:?}", analysis.pairs);
    assert!(score(&analysis, "copy.py", "own.py") < 0.25, "{:?}", analysis.pairs);
    let top = &analysis.pairs[0];
    assert_eq!(top.method(), Method::Tiling);
    assert!(analysis.tiles_of(top).is_some_and(|tiles| tiles.len() >= 4), "reordered functions are separate tiles");
}

#[test]
fn reordering_functions_alone_keeps_nearly_everything() {
    let reordered = {
        let mut parts: Vec<&str> = ORIGINAL.split("\ndef ").collect();
        parts[1..].reverse();
        parts.join("\ndef ")
    };
    let analysis = analyze_python(&[("a.py", ORIGINAL), ("b.py", &reordered)], &[]);
    assert!(score(&analysis, "a.py", "b.py") > 0.9, "{:?}", analysis.pairs);
}

#[test]
fn starter_code_contributes_nothing() {
    // Two students who share nothing but the starter code they were given.
    let student_a = format!("{ORIGINAL}\ndef extra():\n    return [n for n in range(3)]\n");
    let student_b = format!("{ORIGINAL}\nclass Other:\n    pass\n");
    let without_base = analyze_python(&[("a.py", &student_a), ("b.py", &student_b)], &[]);
    assert!(score(&without_base, "a.py", "b.py") > 0.8);
    let with_base = analyze_python(&[("a.py", &student_a), ("b.py", &student_b)], &[ORIGINAL]);
    assert!(with_base.pairs.is_empty(), "{:?}", with_base.pairs);
}

#[test]
fn fragments_most_files_share_are_ignored_as_boilerplate() {
    // Twelve programs of three kinds that all carry the same long helper.
    let helper = "\ndef shared_helper(rows):\n    total = 0\n    for row in rows:\n        for cell in row:\n            \
                  total += cell * cell\n    return total\n";
    let programs: Vec<String> = (0..12)
        .map(|n| {
            let own = match n % 3 {
                0 => format!("x = [{n}] * 4\nprint(sum(x))\n"),
                1 => format!("while True:\n    print({n})\n    break\n"),
                _ => format!("class C{n}:\n    def m(self):\n        return self\n"),
            };
            format!("{own}{helper}")
        })
        .collect();
    let names: Vec<String> = (0..12).map(|n| format!("s{n:02}.py")).collect();
    let sources: Vec<(&str, &str)> =
        names.iter().map(String::as_str).zip(programs.iter().map(String::as_str)).collect();
    let analysis = analyze_python(&sources, &[]);
    assert!(analysis.boilerplate_fingerprints > 0);
    // Programs of the same kind are alike; of different kinds they share only the helper, which does not count.
    assert!(!analysis.pairs.is_empty());
    assert!(analysis.pairs.iter().all(|pair| pair.a % 3 == pair.b % 3), "{:?}", analysis.pairs);
}

#[test]
fn the_same_input_gives_byte_identical_csv() {
    let sources = [("original.py", ORIGINAL), ("copy.py", DISGUISED), ("own.py", INDEPENDENT)];
    let csv = || {
        let mut out = Vec::new();
        write_csv(&analyze_python(&sources, &[]), Selection { min_score: 0.0, top: None }, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    };
    let first = csv();
    assert!(first.starts_with("a,b,score,method,shared_tokens,longest_match,shared_fingerprints\n"), "{first}");
    assert!(first.lines().nth(1).unwrap().starts_with("original.py,copy.py,"), "{first}");
    for _ in 0..3 {
        assert_eq!(csv(), first);
    }
}

#[test]
fn matched_regions_point_at_the_copied_lines() {
    let analysis = analyze_python(&[("original.py", ORIGINAL), ("copy.py", DISGUISED)], &[]);
    let pair = &analysis.pairs[0];
    let locator = regions::Locator::new(&analysis);
    let matches = locator.matches(pair);
    let (original, copy) = if analysis.documents[pair.a as usize].source.name == "original.py" {
        (matches.iter().map(|m| m.a).collect::<Vec<_>>(), matches.iter().map(|m| m.b).collect::<Vec<_>>())
    } else {
        (matches.iter().map(|m| m.b).collect(), matches.iter().map(|m| m.a).collect())
    };
    // `def letter(mark):` is line 17 of the original, `def to_grade(m):` line 5 of the copy.
    assert!(original.iter().any(|r| r.start_line <= 17 && r.end_line >= 24), "{original:?}");
    assert!(copy.iter().any(|r| r.start_line <= 5 && r.end_line >= 12), "{copy:?}");
    assert!(
        original.iter().all(|r| r.start_column >= 1 && (r.start_line, r.start_column) < (r.end_line, r.end_column))
    );
}

#[test]
fn a_labelled_report_names_its_files_for_people_and_keeps_their_paths_as_keys() {
    let analysis = analyze_python(&[("attempt-1", ORIGINAL), ("attempt-2", DISGUISED)], &[]);
    let header = report::Header { language: "python", base_files: &[], warnings: &[] };
    let labels: std::collections::BTreeMap<String, String> =
        [("attempt-1", "Ada <ada@example.org>"), ("attempt-2", "Bob <bob@example.org>")]
            .into_iter()
            .map(|(path, label)| (path.to_owned(), label.to_owned()))
            .collect();
    let mut out = Vec::new();
    let selection = Selection { min_score: 0.0, top: None };
    report::write_json_labelled(&analysis, &header, selection, &labels, &mut out).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(json["labels"]["attempt-2"], "Bob <bob@example.org>");
    assert_eq!(json["sources"]["attempt-1"], ORIGINAL, "the sources come with it");
    assert!(["attempt-1", "attempt-2"].contains(&json["pairs"][0]["a"].as_str().unwrap()), "{}", json["pairs"][0]);
    let mut plain = Vec::new();
    report::write_json(&analysis, &header, selection, false, &mut plain).unwrap();
    assert!(!String::from_utf8(plain).unwrap().contains("\"labels\""), "only the server labels its files");
}
