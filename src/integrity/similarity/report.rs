//! Writers of the ranked pairs: CSV (one row per pair) and JSON (the pairs
//! with their matched regions, the viewer's input). Both stream: a pair is
//! formatted, written and forgotten, so output adds no memory per pair.
//!
//! Matched regions come from [`super::regions`].

use std::collections::BTreeMap;
use std::io::{self, Write};

use rayon::prelude::*;
use serde::Serialize;

use super::regions::{Locator, Match};
use super::{Analysis, Method, NOTICE, Pair};

/// Which of the ranked pairs a report holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Selection {
    /// Only pairs scoring at least this.
    pub min_score: f64,
    /// At most this many pairs (the best).
    pub top: Option<usize>,
}

impl Selection {
    /// The selected pairs of `analysis`, best first: a prefix of its pairs,
    /// which are sorted by score.
    #[must_use]
    pub fn pairs<'a>(&self, analysis: &'a Analysis) -> &'a [Pair] {
        let above = analysis.pairs.partition_point(|pair| f64::from(pair.score) >= self.min_score);
        &analysis.pairs[..above.min(self.top.unwrap_or(usize::MAX))]
    }
}

/// The CSV header; the first three columns are the contract, the rest detail.
pub const CSV_HEADER: [&str; 7] =
    ["a", "b", "score", "method", "shared_tokens", "longest_match", "shared_fingerprints"];

/// Rows formatted at once, in parallel, before they are written in order.
const CSV_BLOCK: usize = 1 << 16;

/// Writes the selected pairs as CSV (`score` with four decimals; the tiling
/// columns are empty for pairs that carry a fingerprint score).
pub fn write_csv(analysis: &Analysis, selection: Selection, mut out: impl Write) -> io::Result<()> {
    // The header's names need no quoting.
    writeln!(out, "{}", CSV_HEADER.join(","))?;
    // Millions of rows: blocks are formatted on every core, then written in order.
    for block in selection.pairs(analysis).chunks(CSV_BLOCK) {
        let parts: Vec<Vec<u8>> =
            block.par_chunks(CSV_BLOCK / 16).map(|rows| csv_rows(analysis, rows)).collect::<io::Result<_>>()?;
        for part in parts {
            out.write_all(&part)?;
        }
    }
    out.flush()
}

fn csv_rows(analysis: &Analysis, rows: &[Pair]) -> io::Result<Vec<u8>> {
    use std::fmt::Write as _;
    let mut writer = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::with_capacity(rows.len() * 64));
    let mut number = String::new();
    let mut field = |writer: &mut csv::Writer<Vec<u8>>, value: std::fmt::Arguments<'_>| {
        number.clear();
        let _ = number.write_fmt(value);
        writer.write_field(&number)
    };
    for pair in rows {
        writer.write_field(name(analysis, pair.a))?;
        writer.write_field(name(analysis, pair.b))?;
        field(&mut writer, format_args!("{:.4}", pair.score))?;
        writer.write_field(pair.method().name())?;
        if pair.method() == Method::Tiling {
            field(&mut writer, format_args!("{}", analysis.shared_tokens(pair)))?;
            field(&mut writer, format_args!("{}", analysis.longest_match(pair)))?;
        } else {
            writer.write_field("")?;
            writer.write_field("")?;
        }
        field(&mut writer, format_args!("{}", pair.shared_fingerprints))?;
        writer.write_record(None::<&[u8]>)?;
    }
    writer.into_inner().map_err(|error| io::Error::other(error.to_string()))
}

fn name(analysis: &Analysis, file: u32) -> &str {
    &analysis.documents[file as usize].source.name
}

/// Everything a JSON report holds besides the pairs.
#[derive(Debug, Clone, Serialize)]
pub struct Header<'a> {
    /// The language compared.
    pub language: &'a str,
    /// Starter code files given (`--base`), as named on the command line.
    pub base_files: &'a [String],
    /// Messages about the input (files that did not parse).
    pub warnings: &'a [String],
}

#[derive(Serialize)]
struct JsonFile<'a> {
    path: &'a str,
    tokens: usize,
    parse_errors: u32,
}

#[derive(Serialize)]
struct JsonPair<'a> {
    a: &'a str,
    b: &'a str,
    score: f64,
    method: &'static str,
    shared_tokens: Option<u32>,
    longest_match: Option<u32>,
    shared_fingerprints: u32,
    matches: Vec<Match>,
}

/// Writes the report as JSON (`format` `examhall-similarity/1`, documented
/// in `docs/integrity.md`); with `with_sources`, the text of every file in
/// a selected pair too (what the HTML viewer shows).
pub fn write_json(
    analysis: &Analysis,
    header: &Header<'_>,
    selection: Selection,
    with_sources: bool,
    out: impl Write,
) -> io::Result<()> {
    write_report(analysis, header, selection, with_sources, None, out)
}

/// [`write_json`] with the sources and `labels`: how the viewer names each
/// file for people, by its path. The server names each submission by its
/// attempt's id, which stays the same across runs, and labels it with the
/// student's name.
pub fn write_json_labelled(
    analysis: &Analysis,
    header: &Header<'_>,
    selection: Selection,
    labels: &BTreeMap<String, String>,
    out: impl Write,
) -> io::Result<()> {
    write_report(analysis, header, selection, true, Some(labels), out)
}

fn write_report(
    analysis: &Analysis,
    header: &Header<'_>,
    selection: Selection,
    with_sources: bool,
    labels: Option<&BTreeMap<String, String>>,
    mut out: impl Write,
) -> io::Result<()> {
    let settings = &analysis.settings;
    let selected = selection.pairs(analysis).len();
    let summary = serde_json::json!({
        "files": analysis.documents.len(),
        "pairs_compared": analysis.pairs_compared(),
        "candidate_pairs": analysis.candidate_pairs,
        "refined_pairs": analysis.refined_pairs(),
        "reported_pairs": selected,
        "boilerplate_fingerprints": analysis.boilerplate_fingerprints,
    });
    let settings = serde_json::json!({
        "kgram": settings.kgram,
        "window": settings.window,
        "min_match": settings.min_match,
        "refine_per_file": settings.refine_per_file,
        "refine_overall": settings.refine_overall,
        "boilerplate_share": settings.boilerplate_share,
        "boilerplate_min_files": settings.boilerplate_min_files,
        "min_score": selection.min_score,
        "top": selection.top,
    });
    let json_files: Vec<JsonFile<'_>> = analysis
        .documents
        .iter()
        .map(|document| JsonFile {
            path: &document.source.name,
            tokens: document.tokens.classes.len(),
            parse_errors: document.tokens.parse_errors,
        })
        .collect();

    out.write_all(b"{\"format\":\"examhall-similarity/1\",\"generator\":")?;
    serde_json::to_writer(&mut out, &format!("examhall {}", crate::version::APP))?;
    for (key, value) in [
        ("language", serde_json::to_value(header.language)?),
        ("notice", serde_json::to_value(NOTICE)?),
        ("settings", settings),
        ("summary", summary),
        ("base_files", serde_json::to_value(header.base_files)?),
        ("warnings", serde_json::to_value(header.warnings)?),
        ("files", serde_json::to_value(&json_files)?),
    ] {
        write!(out, ",\"{key}\":")?;
        serde_json::to_writer(&mut out, &value)?;
    }
    if let Some(labels) = labels {
        out.write_all(b",\"labels\":")?;
        serde_json::to_writer(&mut out, labels)?;
    }
    out.write_all(b",\"pairs\":[")?;
    let locator = Locator::new(analysis);
    let mut shown = vec![false; analysis.documents.len()];
    for (at, pair) in selection.pairs(analysis).iter().enumerate() {
        if at > 0 {
            out.write_all(b",")?;
        }
        let tiled = pair.method() == Method::Tiling;
        serde_json::to_writer(
            &mut out,
            &JsonPair {
                a: name(analysis, pair.a),
                b: name(analysis, pair.b),
                score: (f64::from(pair.score) * 10_000.0).round() / 10_000.0,
                method: pair.method().name(),
                shared_tokens: tiled.then(|| analysis.shared_tokens(pair)),
                longest_match: tiled.then(|| analysis.longest_match(pair)),
                shared_fingerprints: pair.shared_fingerprints,
                matches: locator.matches(pair),
            },
        )?;
        shown[pair.a as usize] = true;
        shown[pair.b as usize] = true;
    }
    out.write_all(b"]")?;
    if with_sources {
        out.write_all(b",\"sources\":{")?;
        let shown = analysis.documents.iter().zip(shown).filter(|(_, shown)| *shown);
        for (at, (document, _)) in shown.enumerate() {
            if at > 0 {
                out.write_all(b",")?;
            }
            serde_json::to_writer(&mut out, &document.source.name)?;
            out.write_all(b":")?;
            serde_json::to_writer(&mut out, &document.source.text)?;
        }
        out.write_all(b"}")?;
    }
    out.write_all(b"}\n")?;
    out.flush()
}
