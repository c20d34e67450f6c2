//! Where two files match, in lines and columns of their text: the tiles of
//! a refined pair, or the shared fingerprints' k-grams of the others.
//!
//! Regions are 1-based, the start inclusive and the end exclusive (the
//! column just after the region), and columns count characters (Unicode
//! scalar values), not bytes.

use serde::Serialize;

use super::tiling::Tile;
use super::{Analysis, Document, Pair};

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
