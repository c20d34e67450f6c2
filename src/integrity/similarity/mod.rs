//! Cross-submission similarity: which files look copied from each other,
//! with the matching fragments, for a person to judge.
//!
//! The pipeline (details and the reasons for each parameter in
//! `docs/integrity.md`):
//!
//! 1. [`tokens`]: each file through its language's parser to a normalized
//!    token stream (identifiers, literals and comments erased; keywords and
//!    structure kept).
//! 2. [`winnow`]: k-gram hashes of the stream, winnowed to fingerprints.
//! 3. Starter code (`base`) and boilerplate (fingerprints most files share)
//!    are marked and take no further part.
//! 4. [`index`]: an inverted index of fingerprints yields the candidate pairs
//!    (files that share any) with a fingerprint score; no pair is compared
//!    that shares nothing.
//! 5. [`score`]: the most similar candidates (the top few of every file and
//!    overall) are refined by greedy string tiling ([`tiling`]), which
//!    survives reordering, renaming, inserted code and reformatting; their
//!    score is the share of both files the tiles cover.
//! 6. [`report`]: CSV and JSON writers that stream the ranked pairs with
//!    their matched regions ([`regions`]: lines and columns on both sides);
//!    [`html`] inlines the JSON into the self-contained report.
//!
//! Everything runs on all cores (rayon), and the same input always yields
//! the same output. A score is evidence for a person to review, never a
//! verdict.

pub mod html;
pub mod index;
pub mod language;
pub mod regions;
pub mod report;
pub mod score;
pub mod tiling;
pub mod tokens;
pub mod winnow;

use std::collections::HashSet;

use rayon::prelude::*;

pub use language::Language;
pub use score::{Method, NOT_REFINED, Pair};

use tiling::Tile;
use tokens::{Tokenizer, Tokens};
use winnow::{Fingerprint, kgram_hashes, winnow};

/// What the platform says with every report.
pub const NOTICE: &str = "A high score means the two files share long runs of the same code structure. It is \
                          evidence for a person to review side by side, not a verdict: starter code, a common \
                          textbook solution or working together as allowed can all explain it.";

/// The parameters of a comparison; [`Settings::default`] is what examhall uses.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Tokens per k-gram (the fingerprint's length).
    pub kgram: usize,
    /// Winnowing window, in k-grams.
    pub window: usize,
    /// Shortest run of tokens that tiling counts as a match.
    pub min_match: usize,
    /// Every file's most similar candidates that are refined by tiling.
    pub refine_per_file: usize,
    /// The most similar candidates overall that are refined by tiling.
    pub refine_overall: usize,
    /// Fingerprints in more than this share of the files are boilerplate.
    pub boilerplate_share: f64,
    /// Boilerplate is only recognized among at least this many files.
    pub boilerplate_min_files: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            kgram: 12,
            window: 8,
            min_match: 12,
            refine_per_file: 10,
            refine_overall: 1000,
            boilerplate_share: 0.5,
            boilerplate_min_files: 10,
        }
    }
}

impl Settings {
    /// How many files may share a fingerprint before it is boilerplate.
    #[must_use]
    pub fn boilerplate_limit(&self, files: usize) -> usize {
        if files < self.boilerplate_min_files {
            return usize::MAX;
        }
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
        let limit = (self.boilerplate_share * files as f64).floor() as usize;
        limit.max(2)
    }
}

/// One file to compare: a name for reports, its text, and whether it is TSX.
#[derive(Debug, Clone)]
pub struct Source {
    /// How reports name the file (a path relative to the compared folder).
    pub name: String,
    /// The file's text.
    pub text: String,
    /// Parse TypeScript with the TSX grammar.
    pub tsx: bool,
}

/// A compared file with everything later steps need.
#[derive(Debug)]
pub struct Document {
    /// The file as given.
    pub source: Source,
    /// Its token stream.
    pub tokens: Tokens,
    /// Winnowed fingerprints, in stream order (starter code and boilerplate included).
    pub fingerprints: Vec<Fingerprint>,
    /// Distinct fingerprint hashes that count (sorted).
    pub keys: Vec<u64>,
    /// Tokens that take no part: in starter code or boilerplate.
    pub excluded: Vec<bool>,
    /// Tiling's window index over the tokens that take part.
    pub windows: Vec<(u32, u32)>,
}

impl Document {
    /// Tokens that take part in the comparison.
    #[must_use]
    pub fn counted_tokens(&self) -> usize {
        self.excluded.iter().filter(|&&excluded| !excluded).count()
    }
}

/// Steps of a long comparison, for progress reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// `done` of `total` files are tokenized.
    Tokenized {
        /// Files done.
        done: usize,
        /// Files in all.
        total: usize,
    },
    /// The fingerprints are indexed; this many were boilerplate.
    Indexed {
        /// Distinct fingerprints in the index.
        fingerprints: usize,
        /// Fingerprints left out as boilerplate.
        boilerplate: usize,
    },
    /// The index found this many candidate pairs.
    Candidates(usize),
    /// This many pairs were refined by tiling.
    Refined(usize),
}

/// The result: every compared file, and the pairs that share anything, best first.
#[derive(Debug)]
pub struct Analysis {
    /// The compared files, in the order given.
    pub documents: Vec<Document>,
    /// Pairs with a score above zero, by score descending (then by names).
    pub pairs: Vec<Pair>,
    /// Tiles of the refined pairs (see [`Analysis::tiles_of`]).
    pub tiles: Vec<Box<[Tile]>>,
    /// Pairs the index proposed.
    pub candidate_pairs: usize,
    /// Fingerprints dropped as boilerplate.
    pub boilerplate_fingerprints: usize,
    /// The settings used.
    pub settings: Settings,
}

impl Analysis {
    /// Pairs refined by tiling.
    #[must_use]
    pub fn refined_pairs(&self) -> usize {
        self.tiles.len()
    }

    /// Every pair of the compared files.
    #[must_use]
    pub fn pairs_compared(&self) -> usize {
        let files = self.documents.len();
        files * files.saturating_sub(1) / 2
    }

    /// The tiles of `pair`, if it was refined.
    #[must_use]
    pub fn tiles_of(&self, pair: &Pair) -> Option<&[Tile]> {
        self.tiles.get(pair.refined as usize).map(AsRef::as_ref)
    }

    /// Tokens covered by the tiles of `pair` (0 unless refined).
    #[must_use]
    pub fn shared_tokens(&self, pair: &Pair) -> u32 {
        self.tiles_of(pair).unwrap_or_default().iter().map(|tile| tile.len).sum()
    }

    /// The longest tile of `pair`, in tokens (0 unless refined).
    #[must_use]
    pub fn longest_match(&self, pair: &Pair) -> u32 {
        self.tiles_of(pair).unwrap_or_default().iter().map(|tile| tile.len).max().unwrap_or(0)
    }
}

/// Compares every pair of `sources`; fragments of `bases` (starter code) never count.
#[must_use]
pub fn analyze(
    language: Language,
    sources: Vec<Source>,
    bases: &[Source],
    settings: &Settings,
    progress: &(dyn Fn(Step) + Sync),
) -> Analysis {
    let k = settings.kgram;
    let total = sources.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let step = (total / 10).max(500);
    let tokenized: Vec<(Source, Tokens)> = sources
        .into_par_iter()
        .map_init(
            || Tokenizer::new(language),
            |tokenizer, source| {
                let tokens = tokenizer.tokenize(&source.text, source.tsx);
                let now = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                if now.is_multiple_of(step) && now < total {
                    progress(Step::Tokenized { done: now, total });
                }
                (source, tokens)
            },
        )
        .collect();
    progress(Step::Tokenized { done: total, total });

    // Every k-gram of the starter code, not only its fingerprints: all of it is excluded.
    let base_kgrams: HashSet<u64> = bases
        .par_iter()
        .map_init(
            || Tokenizer::new(language),
            |tokenizer, base| kgram_hashes(&tokenizer.tokenize(&base.text, base.tsx).classes, k),
        )
        .flatten_iter()
        .collect();

    let fingerprints: Vec<Vec<Fingerprint>> =
        tokenized.par_iter().map(|(_, tokens)| winnow(&kgram_hashes(&tokens.classes, k), settings.window)).collect();
    let all_keys: Vec<Vec<u64>> = fingerprints
        .par_iter()
        .map(|prints| {
            let mut keys: Vec<u64> = prints.iter().map(|print| print.hash).collect();
            keys.sort_unstable();
            keys.dedup();
            keys
        })
        .collect();
    let (index, boilerplate) = index::Index::build(&all_keys, &base_kgrams, settings.boilerplate_limit(total));
    progress(Step::Indexed { fingerprints: index.len(), boilerplate: boilerplate.len() });

    let documents: Vec<Document> = tokenized
        .into_par_iter()
        .zip(fingerprints)
        .zip(all_keys)
        .map(|(((source, tokens), fingerprints), mut keys)| {
            keys.retain(|hash| !base_kgrams.contains(hash) && !boilerplate.contains(hash));
            // The k-grams once, for the excluded tokens and (with the
            // default minimum match, which is k) the tiling windows.
            let kgrams = kgram_hashes(&tokens.classes, k);
            let mut excluded = vec![false; tokens.classes.len()];
            for (start, hash) in kgrams.iter().enumerate() {
                if base_kgrams.contains(hash) || boilerplate.contains(hash) {
                    excluded[start..start + k].fill(true);
                }
            }
            let windows = if settings.min_match == k {
                tiling::windows(&kgrams, &excluded, k)
            } else {
                tiling::windows(&kgram_hashes(&tokens.classes, settings.min_match), &excluded, settings.min_match)
            };
            Document { source, tokens, fingerprints, keys, excluded, windows }
        })
        .collect();

    let candidates = index.candidates(documents.len(), |file| &documents[file].keys);
    let candidate_pairs = candidates.iter().map(Vec::len).sum();
    progress(Step::Candidates(candidate_pairs));
    let ranking = score::rank(&documents, candidates, settings);
    progress(Step::Refined(ranking.tiles.len()));
    Analysis {
        documents,
        pairs: ranking.pairs,
        tiles: ranking.tiles,
        candidate_pairs,
        boilerplate_fingerprints: boilerplate.len(),
        settings: settings.clone(),
    }
}

#[cfg(test)]
mod tests;
