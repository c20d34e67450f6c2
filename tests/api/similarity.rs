//! `examhall similarity` through the real binary: the CSV contract, the
//! JSON and HTML reports, starter code, and every kind of bad input with
//! its documented exit code.

use std::path::Path;
use std::process::Output;

use crate::helpers::examhall;

/// A small program, the "original".
const ORIGINAL: &str = "\
def parse(line):
    parts = line.strip().split(';')
    return parts[0], int(parts[1])

def tally(lines):
    counts = {}
    for line in lines:
        key, amount = parse(line)
        if key in counts:
            counts[key] += amount
        else:
            counts[key] = amount
    return counts

def show(counts):
    for key in sorted(counts, key=counts.get, reverse=True):
        print(key.ljust(12), counts[key])
";

/// The original renamed, re-commented, with its functions in another order.
const COPY: &str = "\
# my own work
def display(totals):
    for name in sorted(totals, key=totals.get, reverse=True):
        print(name.ljust(20), totals[name])

def split_row(row):
    bits = row.strip().split(',')
    return bits[0], int(bits[1])

def count_all(rows):
    totals = {}
    for row in rows:
        name, qty = split_row(row)
        if name in totals:
            totals[name] += qty
        else:
            totals[name] = qty
    return totals
";

/// The same task, written independently.
const OWN: &str = "\
import collections

class Ledger:
    def __init__(self):
        self.totals = collections.Counter()

    def add(self, text):
        who, _, amount = text.partition(';')
        self.totals[who.strip()] += int(amount)

    def lines(self):
        return [f'{who}: {n}' for who, n in self.totals.most_common()]
";

fn similarity(args: &[&str]) -> Output {
    examhall().arg("similarity").args(args).output().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A folder of submissions: the three programs (one in a subfolder), plus
/// files similarity must skip.
fn class_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("original.py"), ORIGINAL).unwrap();
    std::fs::create_dir(dir.path().join("group b")).unwrap();
    std::fs::write(dir.path().join("group b/copy.py"), COPY).unwrap();
    std::fs::write(dir.path().join("own.py"), OWN).unwrap();
    std::fs::write(dir.path().join("notes.txt"), ORIGINAL).unwrap();
    std::fs::write(dir.path().join(".hidden.py"), ORIGINAL).unwrap();
    dir
}

fn path(dir: &Path) -> &str {
    dir.to_str().unwrap()
}

#[test]
fn similarity_csv_ranks_pairs_by_score_with_paths_relative_to_the_folder_and_never_changes() {
    let dir = class_folder();
    let out = tempfile::tempdir().unwrap();
    let csv = out.path().join("pairs.csv");
    let output = similarity(&["--lang", "python", path(dir.path()), "--csv", csv.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = rows.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(header[..3], ["a", "b", "score"]);
    assert_eq!(header[3], "method");
    let rows: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
    let scores: Vec<f64> = rows.iter().map(|row| row[2].parse().unwrap()).collect();
    assert!(scores.windows(2).all(|pair| pair[0] >= pair[1]), "{text}");
    assert!(scores.iter().all(|score| (0.0..=1.0).contains(score)), "{text}");
    let (a, b) = (&rows[0][0], &rows[0][1]);
    assert_eq!((a, b), ("group b/copy.py", "original.py"), "{text}");
    assert!(scores[0] > 0.8, "{text}");
    assert_eq!(&rows[0][3], "tiling");
    let skipped = |path: &str| path.contains(".hidden") || path.contains("notes");
    assert!(rows.iter().all(|row| !skipped(&row[0]) && !skipped(&row[1])), "{text}");
    if let Some(own) = rows.iter().find(|row| &row[0] == "own.py" || &row[1] == "own.py") {
        assert!(own[2].parse::<f64>().unwrap() < 0.3, "{text}");
    }
    let stderr = stderr(&output);
    assert!(stderr.contains("3 python files") && stderr.contains("compared 3 files"), "{stderr}");

    // Byte-identical on a second run; only the report is left in the output folder.
    let again = out.path().join("again.csv");
    assert!(similarity(&["--lang", "python", path(dir.path()), "--csv", again.to_str().unwrap()]).status.success());
    assert_eq!(std::fs::read(&again).unwrap(), text.as_bytes());
    let mut left: Vec<String> =
        std::fs::read_dir(out.path()).unwrap().map(|entry| entry.unwrap().file_name().into_string().unwrap()).collect();
    left.sort();
    assert_eq!(left, ["again.csv", "pairs.csv"]);
}

#[test]
fn similarity_top_and_min_score_limit_the_rows_and_stdout_gets_csv_without_an_output() {
    let dir = class_folder();
    let output = similarity(&["--lang", "python", path(dir.path()), "--top", "1"]);
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
    assert!(stdout.starts_with("a,b,score,"));
    let above = similarity(&["--lang", "python", path(dir.path()), "--min-score", "0.5"]);
    let above = String::from_utf8(above.stdout).unwrap();
    assert_eq!(above.lines().count(), 2, "only the copy scores 0.5 or more: {above}");
    let none = similarity(&["--lang", "python", path(dir.path()), "--top", "0"]);
    assert_eq!(
        String::from_utf8(none.stdout).unwrap(),
        "a,b,score,method,shared_tokens,longest_match,shared_fingerprints\n"
    );
}

#[test]
fn similarity_json_gives_each_pair_its_matched_regions_on_both_sides() {
    let dir = class_folder();
    let out = tempfile::tempdir().unwrap();
    let json = out.path().join("report.json");
    let output = similarity(&["--lang", "python", path(dir.path()), "--json", json.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(report["format"], "examhall-similarity/1");
    assert_eq!(report["summary"]["files"], 3);
    assert!(report["notice"].as_str().unwrap().contains("not a verdict"));
    let top = &report["pairs"][0];
    assert_eq!((top["a"].as_str().unwrap(), top["b"].as_str().unwrap()), ("group b/copy.py", "original.py"));
    let matches = top["matches"].as_array().unwrap();
    assert!(matches.len() >= 2, "reordered functions are separate fragments: {top}");
    // `def tally(lines):` is line 5 of the original; its copy `def count_all(rows):` line 10.
    let covers = |side: &str, line: u64| {
        matches
            .iter()
            .any(|m| m[side]["start_line"].as_u64().unwrap() <= line && m[side]["end_line"].as_u64().unwrap() >= line)
    };
    assert!(covers("b", 9) && covers("a", 14), "{top}");
    assert!(report.get("sources").is_none(), "the JSON report holds no file contents");
}

#[test]
fn similarity_starter_code_given_with_base_counts_for_nothing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.py"), format!("{ORIGINAL}\nx = [1, 2, 3]\n")).unwrap();
    std::fs::write(dir.path().join("b.py"), format!("{ORIGINAL}\nclass Empty:\n    pass\n")).unwrap();
    let starter = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(starter.path(), ORIGINAL).unwrap();
    let without = similarity(&["--lang", "python", path(dir.path())]);
    assert_eq!(String::from_utf8(without.stdout).unwrap().lines().count(), 2, "the shared starter code matches");
    let with = similarity(&["--lang", "python", path(dir.path()), "--base", starter.path().to_str().unwrap()]);
    assert!(with.status.success(), "{}", stderr(&with));
    assert_eq!(String::from_utf8(with.stdout).unwrap().lines().count(), 1, "nothing else is shared");
}

#[test]
fn similarity_html_report_is_one_self_contained_file() {
    let dir = class_folder();
    let out = tempfile::tempdir().unwrap();
    let html = out.path().join("report.html");
    let output = similarity(&["--lang", "python", path(dir.path()), "--html", html.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = std::fs::read_to_string(&html).unwrap();
    assert!(text.starts_with("<!doctype html>") && text.trim_end().ends_with("</html>"));
    assert!(
        text.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'sha256-")
    );
    for reference in ["src=", "href=", "url(", "@import", "//cdn", "fetch("] {
        assert!(!text.contains(reference), "the report refers to `{reference}`");
    }
    // The only URLs are XML namespace names inside the viewer (identifiers, never fetched).
    let namespaces = [
        "http://www.w3.org/2000/svg",
        "http://www.w3.org/1999/xlink",
        "http://www.w3.org/1999/xhtml",
        "http://www.w3.org/1998/Math/MathML",
    ];
    for (at, _) in text.match_indices("http") {
        let rest = &text[at..];
        if rest.starts_with("http://") || rest.starts_with("https://") {
            assert!(namespaces.iter().any(|ns| rest.starts_with(ns)), "external URL: {}", &rest[..rest.len().min(60)]);
        }
    }
    // The data element holds the report, files' texts included.
    let start = text.find("id=\"similarity-data\">").unwrap() + "id=\"similarity-data\">".len();
    let end = start + text[start..].find("</script>").unwrap();
    let report: serde_json::Value = serde_json::from_str(&text[start..end]).unwrap();
    assert_eq!(report["sources"]["original.py"], ORIGINAL);
    assert_eq!(report["pairs"][0]["a"], "group b/copy.py");
    assert_eq!(text.matches("<script").count(), 2, "the data and the viewer");
}

#[test]
fn similarity_compares_a_file_that_does_not_parse_and_warns_about_it() {
    let dir = class_folder();
    std::fs::write(dir.path().join("broken.py"), format!("{ORIGINAL}\ndef oops(:\n    return [1, 2\n")).unwrap();
    let out = tempfile::tempdir().unwrap();
    let json = out.path().join("report.json");
    let output = similarity(&["--lang", "python", path(dir.path()), "--json", json.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stderr(&output).contains("warning: broken.py does not parse as python"), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert!(report["warnings"][0].as_str().unwrap().contains("broken.py"));
    let pairs = report["pairs"].as_array().unwrap();
    assert!(
        pairs.iter().any(|p| p["a"] == "broken.py" && p["b"] == "original.py" && p["score"].as_f64().unwrap() > 0.8)
    );
}

#[test]
fn similarity_refuses_a_missing_or_empty_folder_or_a_single_file_with_exit_code_3() {
    let missing = similarity(&["--lang", "python", "/nonexistent/submissions"]);
    assert_eq!(missing.status.code(), Some(3));
    assert!(stderr(&missing).contains("cannot open the folder /nonexistent/submissions"), "{}", stderr(&missing));
    assert!(stderr(&missing).contains("hint:"));

    let empty = tempfile::tempdir().unwrap();
    std::fs::write(empty.path().join("readme.md"), "no code").unwrap();
    let output = similarity(&["--lang", "python", path(empty.path())]);
    assert_eq!(output.status.code(), Some(3));
    assert!(stderr(&output).contains("no python file (.py .pyw) under"), "{}", stderr(&output));

    std::fs::write(empty.path().join("only.py"), ORIGINAL).unwrap();
    let output = similarity(&["--lang", "python", path(empty.path())]);
    assert_eq!(output.status.code(), Some(3));
    assert!(stderr(&output).contains("only one python file") && stderr(&output).contains("only.py"));

    let file = empty.path().join("only.py");
    let output = similarity(&["--lang", "python", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(3));
    assert!(stderr(&output).contains("is not a folder"));
}

#[test]
fn similarity_refuses_an_unknown_language_with_exit_code_2() {
    let dir = class_folder();
    let output = similarity(&["--lang", "cobol", path(dir.path())]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = stderr(&output);
    assert!(stderr.contains("cobol") && stderr.contains("python") && stderr.contains("typescript"), "{stderr}");
    let output = similarity(&["--lang", "python", path(dir.path()), "--min-score", "1.5"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn similarity_refuses_a_file_that_is_not_utf8_naming_it_and_writes_nothing() {
    let dir = class_folder();
    std::fs::write(dir.path().join("latin1.py"), b"name = 'Jos\xe9'\nprint(name)\n").unwrap();
    let out = tempfile::tempdir().unwrap();
    let csv = out.path().join("pairs.csv");
    let output = similarity(&["--lang", "python", path(dir.path()), "--csv", csv.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(3));
    let stderr = stderr(&output);
    assert!(stderr.contains("latin1.py: not UTF-8 text (invalid byte at offset 11)"), "{stderr}");
    assert!(stderr.contains("iconv"), "{stderr}");
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0, "nothing written");

    let starter = out.path().join("starter.py");
    std::fs::write(&starter, b"\xff\xfe").unwrap();
    std::fs::remove_file(dir.path().join("latin1.py")).unwrap();
    let output = similarity(&["--lang", "python", path(dir.path()), "--base", starter.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(3));
    assert!(crate::similarity::stderr(&output).contains("cannot use the starter code"));
}

#[test]
fn similarity_refuses_a_file_over_2_mib_naming_it_before_parsing_it() {
    let dir = class_folder();
    let line = "x = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n";
    std::fs::write(dir.path().join("huge.py"), line.repeat(3 * 1024 * 1024 / line.len())).unwrap();
    let output = similarity(&["--lang", "python", path(dir.path())]);
    assert_eq!(output.status.code(), Some(3));
    let stderr = stderr(&output);
    assert!(stderr.contains("huge.py: larger than 2 MiB"), "{stderr}");
    assert!(output.stdout.is_empty(), "no pair is written");
}

#[test]
fn similarity_fails_with_exit_code_4_before_comparing_when_an_output_cannot_be_written() {
    let dir = class_folder();
    let output = similarity(&["--lang", "python", path(dir.path()), "--csv", "/nonexistent/folder/pairs.csv"]);
    assert_eq!(output.status.code(), Some(4));
    let stderr = stderr(&output);
    assert!(
        stderr.contains("cannot write /nonexistent/folder/pairs.csv") && stderr.contains("nothing was written"),
        "{stderr}"
    );
    assert!(!stderr.contains("compared"), "it stopped before comparing: {stderr}");
}

#[test]
fn similarity_help_documents_the_exit_codes() {
    let output = similarity(&["--help"]);
    let stdout = String::from_utf8(output.stdout).unwrap();
    for line in
        ["Exit codes:", "  3  the input cannot be compared", "  4  an output cannot be written", "not a verdict"]
    {
        assert!(stdout.contains(line), "{stdout}");
    }
}
