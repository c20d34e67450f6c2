//! Writers of the ranked pairs: CSV (one row per pair) and JSON (the pairs
//! with their matched regions, the viewer's input). Both stream: a pair is
//! formatted, written and forgotten, so output adds no memory per pair.
//!
//! Regions are in lines and columns of the files' text: 1-based, the start
//! inclusive and the end exclusive (the column just after the region), and
//! columns count characters (Unicode scalar values), not bytes.

use std::io::{self, Write};

use rayon::prelude::*;
use serde::Serialize;

use super::tiling::Tile;
use super::{Analysis, Document, Method, NOTICE, Pair};

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

/// A region of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Region {
    /// First line (1-based).
    pub start_line: u32,
    /// First column (1-based, in characters).
    pub start_column: u32,
    /// Last line.
    pub end_line: u32,
    /// The column after the region's last character.
    pub end_column: u32,
}

/// A fragment that matches in both files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Match {
    /// Length in tokens.
    pub tokens: u32,
    /// Where it is in the first file.
    pub a: Region,
    /// Where it is in the second file.
    pub b: Region,
}

/// Turns token ranges into lines and columns.
#[derive(Debug)]
pub struct Locator<'a> {
    analysis: &'a Analysis,
    line_starts: Vec<Vec<u32>>,
}

impl<'a> Locator<'a> {
    /// A locator over every file of `analysis`.
    #[must_use]
    pub fn new(analysis: &'a Analysis) -> Self {
        let line_starts = analysis
            .documents
            .iter()
            .map(|document| {
                let text = document.source.text.as_bytes();
                std::iter::once(0)
                    .chain(text.iter().enumerate().filter(|&(_, &byte)| byte == b'\n').map(|(at, _)| at + 1))
                    .map(|at| u32::try_from(at).unwrap_or(u32::MAX))
                    .collect()
            })
            .collect();
        Self { analysis, line_starts }
    }

    /// The matched regions of `pair`: its tiles, or for a pair without
    /// tiling, its shared fingerprints' k-grams joined where they overlap.
    #[must_use]
    pub fn matches(&self, pair: &Pair) -> Vec<Match> {
        let tiles = match self.analysis.tiles_of(pair) {
            Some(tiles) => tiles.to_vec(),
            None => shared_kgrams(self.analysis, pair),
        };
        tiles
            .iter()
            .map(|tile| Match {
                tokens: tile.len,
                a: self.region(pair.a, tile.a, tile.len),
                b: self.region(pair.b, tile.b, tile.len),
            })
            .collect()
    }

    fn region(&self, file: u32, first: u32, len: u32) -> Region {
        let document = &self.analysis.documents[file as usize];
        // Block ends are empty tokens; a region starts and ends at written text.
        let spans = &document.tokens.spans[first as usize..(first + len) as usize];
        let mut written = spans.iter().filter(|span| span.1 > span.0);
        let (start, end) = match (written.next(), written.next_back()) {
            (Some(first), Some(last)) => (first.0, last.1),
            (Some(only), None) => *only,
            _ => spans.first().copied().unwrap_or_default(),
        };
        let (start_line, start_column) = self.position(file, document, start);
        let (end_line, end_column) = self.position(file, document, end);
        Region { start_line, start_column, end_line, end_column }
    }

    /// 1-based line and character column of byte `at`.
    fn position(&self, file: u32, document: &Document, at: u32) -> (u32, u32) {
        let starts = &self.line_starts[file as usize];
        let line = starts.partition_point(|&start| start <= at).max(1) - 1;
        let text = &document.source.text;
        let from = starts[line] as usize;
        let to = (at as usize).min(text.len());
        let column = text.get(from..to).map_or(0, |part| part.chars().count());
        let to_u32 = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        (to_u32(line + 1), to_u32(column + 1))
    }
}

/// The k-grams of the fingerprints two files share, joined where they overlap in both.
fn shared_kgrams(analysis: &Analysis, pair: &Pair) -> Vec<Tile> {
    let k = u32::try_from(analysis.settings.kgram).unwrap_or(u32::MAX);
    let (a, b) = (&analysis.documents[pair.a as usize], &analysis.documents[pair.b as usize]);
    let mut in_b: Vec<(u64, u32)> = b
        .fingerprints
        .iter()
        .filter(|print| b.keys.binary_search(&print.hash).is_ok())
        .map(|print| (print.hash, print.position))
        .collect();
    in_b.sort_unstable();
    let mut joined: Vec<Tile> = Vec::new();
    for print in a.fingerprints.iter().filter(|print| a.keys.binary_search(&print.hash).is_ok()) {
        let at = in_b.partition_point(|&(hash, _)| hash < print.hash);
        let Some(&(hash, b_position)) = in_b.get(at) else { continue };
        if hash != print.hash {
            continue;
        }
        match joined.last_mut() {
            Some(last)
                if print.position <= last.a + last.len
                    && b_position >= last.b
                    && b_position <= last.b + last.len
                    && b_position - last.b == print.position - last.a =>
            {
                last.len = print.position + k - last.a;
            }
            _ => joined.push(Tile { a: print.position, b: b_position, len: k }),
        }
    }
    joined
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
    mut out: impl Write,
) -> io::Result<()> {
    let settings = &analysis.settings;
    let selected = selection.pairs(analysis).len();
    let files = analysis.documents.len();
    let summary = serde_json::json!({
        "files": files,
        "pairs_compared": files * files.saturating_sub(1) / 2,
        "candidate_pairs": analysis.candidate_pairs,
        "refined_pairs": analysis.refined_pairs,
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
    out.write_all(b",\"pairs\":[")?;
    let locator = Locator::new(analysis);
    let mut shown = vec![false; files];
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
