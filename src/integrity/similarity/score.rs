//! Scores of the candidate pairs: a fingerprint score for every candidate,
//! then greedy string tiling for the most similar ones.
//!
//! The fingerprint score is the Dice coefficient of the two files'
//! fingerprint sets, `2 * shared / (fingerprints(a) + fingerprints(b))`: fast,
//! but noisy (winnowing samples the stream) and blind to where the shared
//! parts are. The refined score is the Dice coefficient of the tokens the
//! tiles cover, `2 * tiled / (tokens(a) + tokens(b))`, counting only tokens
//! outside starter code and boilerplate: the share of both files that
//! matches the other, comparable across every refined row.
//!
//! Which pairs are refined: every file's `refine_per_file` best candidates
//! (so each file's closest matches are measured exactly, whatever the rest
//! of the class does) and the `refine_overall` best candidates of all (so a
//! cluster of many copies of one file is measured whole).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rayon::prelude::*;

use super::index::Candidate;
use super::tiling::{self, Side, Tile};
use super::{Document, Settings};

/// Which score a pair carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Greedy string tiling (the refined score).
    Tiling,
    /// Shared fingerprints only (a pair outside the refined set).
    Fingerprint,
}

impl Method {
    /// The name used in reports.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Tiling => "tiling",
            Self::Fingerprint => "fingerprint",
        }
    }
}

/// Two files that share code.
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    /// Index of the first file (the smaller one).
    pub a: u32,
    /// Index of the second file.
    pub b: u32,
    /// In `[0, 1]`; higher is more similar.
    pub score: f64,
    /// Which score this is.
    pub method: Method,
    /// Distinct fingerprints the two share.
    pub shared_fingerprints: u32,
    /// Tokens covered by tiles (tiling only).
    pub tiles: Option<Box<[Tile]>>,
}

impl Pair {
    /// Tokens in tiles, in each file (0 without tiling).
    #[must_use]
    pub fn shared_tokens(&self) -> u32 {
        self.tiles.iter().flat_map(|tiles| tiles.iter()).map(|tile| tile.len).sum()
    }

    /// The longest tile, in tokens (0 without tiling).
    #[must_use]
    pub fn longest_match(&self) -> u32 {
        self.tiles.iter().flat_map(|tiles| tiles.iter()).map(|tile| tile.len).max().unwrap_or(0)
    }
}

/// Scores, refines and orders the candidates; the pairs and how many were refined.
#[must_use]
pub fn rank(documents: &[Document], candidates: &[Candidate], settings: &Settings) -> (Vec<Pair>, usize) {
    let fingerprint_score = |candidate: &Candidate| {
        let total = documents[candidate.a as usize].keys.len() + documents[candidate.b as usize].keys.len();
        ratio(2 * candidate.shared as usize, total)
    };
    let scores: Vec<f64> = candidates.par_iter().map(fingerprint_score).collect();
    let chosen = choose_for_refinement(documents.len(), candidates, &scores, settings);

    let counted: Vec<usize> = documents.par_iter().map(Document::counted_tokens).collect();
    let refined: Vec<(usize, Vec<Tile>)> = chosen
        .par_iter()
        .map(|&at| {
            let candidate = candidates[at];
            let (a, b) = (&documents[candidate.a as usize], &documents[candidate.b as usize]);
            (at, tiling::tile(side(a), side(b), settings.min_match))
        })
        .collect();
    let refined_count = refined.len();

    // `chosen` is ascending, and so is `refined`: walk it beside the candidates.
    let mut refined = refined.into_iter().peekable();
    let mut pairs: Vec<Pair> = candidates
        .iter()
        .zip(scores)
        .enumerate()
        .map(|(at, (candidate, fingerprint))| {
            let tiles = refined.next_if(|(refined_at, _)| *refined_at == at).map(|(_, tiles)| tiles);
            ((candidate, fingerprint), tiles)
        })
        .filter_map(|((candidate, fingerprint), tiles)| {
            let (score, method, tiles) = match tiles {
                Some(found) => {
                    let tiled: u32 = found.iter().map(|tile| tile.len).sum();
                    let total = counted[candidate.a as usize] + counted[candidate.b as usize];
                    (ratio(2 * tiled as usize, total), Method::Tiling, Some(found.into_boxed_slice()))
                }
                None => (fingerprint, Method::Fingerprint, None),
            };
            (score > 0.0).then_some(Pair {
                a: candidate.a,
                b: candidate.b,
                score,
                method,
                shared_fingerprints: candidate.shared,
                tiles,
            })
        })
        .collect();
    pairs.par_sort_unstable_by(|x, y| y.score.total_cmp(&x.score).then(x.a.cmp(&y.a)).then(x.b.cmp(&y.b)));
    (pairs, refined_count)
}

/// What tiling needs of a document.
fn side(document: &Document) -> Side<'_> {
    Side { classes: &document.tokens.classes, excluded: &document.excluded, windows: &document.windows }
}

/// `part / whole` in `[0, 1]`, 0 for an empty whole.
fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        return 0.0;
    }
    #[allow(clippy::cast_precision_loss, reason = "token counts are far below 2^52")]
    let value = part as f64 / whole as f64;
    value.min(1.0)
}

/// How candidates compare for refinement: the score's bits (non-negative
/// floats order as their bits do), then the earlier candidate first.
type Key = (u64, Reverse<usize>);

/// Indices (ascending) of the candidates to refine: each file's best
/// `refine_per_file` and the best `refine_overall`; ties go to the earlier candidate.
fn choose_for_refinement(files: usize, candidates: &[Candidate], scores: &[f64], settings: &Settings) -> Vec<usize> {
    let key = |at: usize| -> Key { (scores[at].to_bits(), Reverse(at)) };
    let mut chosen = vec![false; candidates.len()];

    let mut order: Vec<usize> = (0..candidates.len()).collect();
    if order.len() > settings.refine_overall {
        order.select_nth_unstable_by_key(settings.refine_overall, |&at| Reverse(key(at)));
        order.truncate(settings.refine_overall);
    }
    for at in order {
        chosen[at] = true;
    }

    if settings.refine_per_file > 0 {
        let mut best: Vec<BinaryHeap<Reverse<Key>>> = vec![BinaryHeap::new(); files];
        for (at, candidate) in candidates.iter().enumerate() {
            for file in [candidate.a, candidate.b] {
                let heap = &mut best[file as usize];
                if heap.len() < settings.refine_per_file {
                    heap.push(Reverse(key(at)));
                } else if heap.peek().is_some_and(|Reverse(worst)| key(at) > *worst) {
                    heap.pop();
                    heap.push(Reverse(key(at)));
                }
            }
        }
        for heap in best {
            for Reverse((_, Reverse(at))) in heap {
                chosen[at] = true;
            }
        }
    }
    chosen.iter().enumerate().filter(|&(_, &yes)| yes).map(|(at, _)| at).collect()
}
