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

/// Two files that share code: 20 bytes, so a class of thousands of files
/// with millions of pairs that share something stays small.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pair {
    /// Index of the first file (the smaller one).
    pub a: u32,
    /// Index of the second file.
    pub b: u32,
    /// In `[0, 1]`; higher is more similar.
    pub score: f32,
    /// Distinct fingerprints the two share.
    pub shared_fingerprints: u32,
    /// Index of the pair's tiles in [`Ranking::tiles`] (and `Analysis::tiles`), or [`NOT_REFINED`].
    pub refined: u32,
}

/// [`Pair::refined`] of a pair that carries a fingerprint score.
pub const NOT_REFINED: u32 = u32::MAX;

impl Pair {
    /// Which score the pair carries.
    #[must_use]
    pub fn method(&self) -> Method {
        if self.refined == NOT_REFINED { Method::Fingerprint } else { Method::Tiling }
    }
}

/// The ranked pairs and the tiles of those refined.
#[derive(Debug, Default)]
pub struct Ranking {
    /// Pairs with a score above zero, by score descending, then by files.
    pub pairs: Vec<Pair>,
    /// Tiles of the refined pairs, in the order of [`Pair::refined`].
    pub tiles: Vec<Box<[Tile]>>,
}

/// Scores, refines and orders the candidates (given per first file, as the
/// index yields them); each file's list is freed as soon as it is scored.
#[must_use]
pub fn rank(documents: &[Document], candidates: Vec<Vec<Candidate>>, settings: &Settings) -> Ranking {
    let total: usize = candidates.iter().map(Vec::len).sum();
    let mut pairs = Vec::with_capacity(total);
    for list in candidates {
        pairs.extend(list.into_iter().map(|candidate| {
            let fingerprints = documents[candidate.a as usize].keys.len() + documents[candidate.b as usize].keys.len();
            Pair {
                a: candidate.a,
                b: candidate.b,
                score: ratio(2 * candidate.shared as usize, fingerprints),
                shared_fingerprints: candidate.shared,
                refined: NOT_REFINED,
            }
        }));
    }

    let chosen = choose_for_refinement(documents.len(), &pairs, settings);
    let counted: Vec<usize> = documents.par_iter().map(Document::counted_tokens).collect();
    let tiles: Vec<Box<[Tile]>> = chosen
        .par_iter()
        .map(|&at| {
            let pair = pairs[at];
            let (a, b) = (&documents[pair.a as usize], &documents[pair.b as usize]);
            tiling::tile(side(a), side(b), settings.min_match).into_boxed_slice()
        })
        .collect();
    for (refined, (&at, found)) in chosen.iter().zip(&tiles).enumerate() {
        let pair = &mut pairs[at];
        let covered: u32 = found.iter().map(|tile| tile.len).sum();
        pair.score = ratio(2 * covered as usize, counted[pair.a as usize] + counted[pair.b as usize]);
        pair.refined = u32::try_from(refined).unwrap_or(NOT_REFINED);
    }
    // A refined pair whose shared fingerprints made no tile shares nothing after all.
    pairs.retain(|pair| pair.score > 0.0);
    pairs.par_sort_unstable_by(|x, y| y.score.total_cmp(&x.score).then(x.a.cmp(&y.a)).then(x.b.cmp(&y.b)));
    Ranking { pairs, tiles }
}

/// What tiling needs of a document.
fn side(document: &Document) -> Side<'_> {
    Side { classes: &document.tokens.classes, excluded: &document.excluded, windows: &document.windows }
}

/// `part / whole` in `[0, 1]`, 0 for an empty whole.
fn ratio(part: usize, whole: usize) -> f32 {
    if whole == 0 {
        return 0.0;
    }
    #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation, reason = "a share, kept to 4 decimals")]
    let value = (part as f64 / whole as f64) as f32;
    value.min(1.0)
}

/// How pairs compare for refinement: the score's bits (non-negative floats
/// order as their bits do), then the earlier pair first.
type Key = (u32, Reverse<usize>);

/// Indices (ascending) of the pairs to refine: each file's best
/// `refine_per_file` and the best `refine_overall`, by fingerprint score.
fn choose_for_refinement(files: usize, pairs: &[Pair], settings: &Settings) -> Vec<usize> {
    let key = |at: usize| -> Key { (pairs[at].score.to_bits(), Reverse(at)) };
    // Bounded heaps whose top is the worst kept: memory follows K, not the pairs.
    let offer = |heap: &mut BinaryHeap<Reverse<Key>>, limit: usize, at: usize| {
        if heap.len() < limit {
            heap.push(Reverse(key(at)));
        } else if heap.peek().is_some_and(|Reverse(worst)| key(at) > *worst) {
            heap.pop();
            heap.push(Reverse(key(at)));
        }
    };
    let mut overall = BinaryHeap::with_capacity(settings.refine_overall + 1);
    let mut per_file: Vec<BinaryHeap<Reverse<Key>>> = vec![BinaryHeap::new(); files];
    for (at, pair) in pairs.iter().enumerate() {
        offer(&mut overall, settings.refine_overall, at);
        for file in [pair.a, pair.b] {
            offer(&mut per_file[file as usize], settings.refine_per_file, at);
        }
    }
    let mut chosen: Vec<usize> =
        per_file.into_iter().chain([overall]).flatten().map(|Reverse((_, Reverse(at)))| at).collect();
    chosen.sort_unstable();
    chosen.dedup();
    chosen
}
