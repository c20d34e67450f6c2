//! Greedy string tiling (Wise, 1993; the comparison of JPlag) between two
//! token streams: cover both with the longest common runs first, each token
//! in at most one tile, and only runs of at least the minimum match length.
//!
//! Tiles are found wherever they sit in each file, so reordered functions
//! and statements still match; code added in between (dead code, extra
//! prints) only splits a tile. Tokens of starter code and boilerplate are
//! marked beforehand and never tiled.
//!
//! Finding the tiles: every maximal common run is found once, through the
//! hashes of the `min_match`-token windows of both files (sorted, and
//! merge-joined), starting only where the run cannot be extended to the
//! left. The runs then go into a priority queue, longest first. A run that
//! overlaps tiles taken earlier is cut into its still-free pieces, and each
//! piece long enough goes back into the queue: the same tiles as Wise's
//! repeated scans, found in one pass.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::tokens::Class;

/// A tile: `len` tokens from index `a` in one file and from `b` in the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tile {
    /// First token in the first file.
    pub a: u32,
    /// First token in the second file.
    pub b: u32,
    /// Length in tokens.
    pub len: u32,
}

/// Window hashes whose run of equal hashes in one file is longer than this
/// are too repetitive to pair up exhaustively (a file of 500 identical
/// lines); only the first ones take part. Real submissions stay far below.
const MAX_SAME_HASH: usize = 64;

/// One file as tiling sees it.
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    /// Token classes.
    pub classes: &'a [Class],
    /// Tokens that never take part (starter code, boilerplate).
    pub excluded: &'a [bool],
    /// `(hash, start)` of every `min_match` window without excluded tokens,
    /// sorted. 32 bits of hash suffice: every match is checked token by
    /// token, so a collision costs one comparison, never a false tile.
    pub windows: &'a [(u32, u32)],
}

/// The sorted window index of a stream (see [`Side::windows`]), from the
/// hashes of its `min_match`-grams ([`kgram_hashes`], which the caller has
/// already made for the stream's fingerprints when `min_match` is `k`).
#[must_use]
pub fn windows(hashes: &[u64], excluded: &[bool], min_match: usize) -> Vec<(u32, u32)> {
    let mut excluded_before = Vec::with_capacity(excluded.len() + 1);
    excluded_before.push(0u32);
    for &flag in excluded {
        excluded_before.push(excluded_before.last().copied().unwrap_or(0) + u32::from(flag));
    }
    let mut windows: Vec<(u32, u32)> = hashes
        .iter()
        .enumerate()
        .filter(|&(start, _)| excluded_before[start + min_match] == excluded_before[start])
        .map(|(start, &hash)| {
            #[allow(clippy::cast_possible_truncation, reason = "the mixed hash's low half is as good as the whole")]
            let short = hash as u32;
            (short, u32::try_from(start).unwrap_or(u32::MAX))
        })
        .collect();
    windows.sort_unstable();
    windows
}

/// The tiles between `a` and `b`, in order of their position in `a`.
#[must_use]
pub fn tile(a: Side<'_>, b: Side<'_>, min_match: usize) -> Vec<Tile> {
    let min_match = min_match.max(1);
    let mut queue = BinaryHeap::new();
    for_each_maximal_run(a, b, min_match, |i, j, len| queue.push((len, Reverse(i), Reverse(j))));

    let mut taken_a = a.excluded.to_vec();
    let mut taken_b = b.excluded.to_vec();
    let mut tiles = Vec::new();
    while let Some((len, Reverse(i), Reverse(j))) = queue.pop() {
        let free = |k: u32| !taken_a[(i + k) as usize] && !taken_b[(j + k) as usize];
        if (0..len).all(free) {
            for k in 0..len {
                taken_a[(i + k) as usize] = true;
                taken_b[(j + k) as usize] = true;
            }
            tiles.push(Tile { a: i, b: j, len });
            continue;
        }
        // Cut into the free pieces; the long enough ones compete again.
        let mut k = 0;
        while k < len {
            if !free(k) {
                k += 1;
                continue;
            }
            let start = k;
            while k < len && free(k) {
                k += 1;
            }
            if (k - start) as usize >= min_match {
                queue.push((k - start, Reverse(i + start), Reverse(j + start)));
            }
        }
    }
    tiles.sort_unstable_by_key(|tile| (tile.a, tile.b));
    tiles
}

/// Calls `found(i, j, len)` for every maximal common run of at least
/// `min_match` tokens free of excluded tokens, once each.
#[allow(clippy::many_single_char_names, reason = "i and j index a and b, as in the literature")]
fn for_each_maximal_run(a: Side<'_>, b: Side<'_>, min_match: usize, mut found: impl FnMut(u32, u32, u32)) {
    let usable = |side: Side<'_>, at: usize| at < side.classes.len() && !side.excluded[at];
    let (mut x, mut y) = (0, 0);
    while x < a.windows.len() && y < b.windows.len() {
        let hash = a.windows[x].0;
        match hash.cmp(&b.windows[y].0) {
            std::cmp::Ordering::Less => x += 1,
            std::cmp::Ordering::Greater => y += 1,
            std::cmp::Ordering::Equal => {
                let x_end = x + a.windows[x..].iter().take_while(|w| w.0 == hash).count();
                let y_end = y + b.windows[y..].iter().take_while(|w| w.0 == hash).count();
                for &(_, i) in &a.windows[x..x_end.min(x + MAX_SAME_HASH)] {
                    for &(_, j) in &b.windows[y..y_end.min(y + MAX_SAME_HASH)] {
                        let (i, j) = (i as usize, j as usize);
                        let extends_left = i > 0
                            && j > 0
                            && usable(a, i - 1)
                            && usable(b, j - 1)
                            && a.classes[i - 1] == b.classes[j - 1];
                        if extends_left {
                            continue;
                        }
                        let mut len = 0;
                        while usable(a, i + len) && usable(b, j + len) && a.classes[i + len] == b.classes[j + len] {
                            len += 1;
                        }
                        // Shorter means the hashes collided.
                        if len >= min_match {
                            let to_u32 = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
                            found(to_u32(i), to_u32(j), to_u32(len));
                        }
                    }
                }
                x = x_end;
                y = y_end;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::integrity::similarity::winnow::kgram_hashes;

    fn tiles_of(a: &[Class], b: &[Class], min_match: usize) -> Vec<Tile> {
        let (ea, eb) = (vec![false; a.len()], vec![false; b.len()]);
        let wa = windows(&kgram_hashes(a, min_match), &ea, min_match);
        let wb = windows(&kgram_hashes(b, min_match), &eb, min_match);
        tile(
            Side { classes: a, excluded: &ea, windows: &wa },
            Side { classes: b, excluded: &eb, windows: &wb },
            min_match,
        )
    }

    #[test]
    fn swapped_halves_are_two_tiles() {
        let first: Vec<Class> = (1..=10).collect();
        let second: Vec<Class> = (20..=27).collect();
        let a: Vec<Class> = first.iter().chain(&second).copied().collect();
        let b: Vec<Class> = second.iter().chain(&first).copied().collect();
        assert_eq!(tiles_of(&a, &b, 4), [Tile { a: 0, b: 8, len: 10 }, Tile { a: 10, b: 0, len: 8 }]);
    }

    #[test]
    fn runs_shorter_than_the_minimum_do_not_count() {
        assert!(tiles_of(&[1, 2, 3, 9, 9], &[1, 2, 3, 8, 8], 4).is_empty());
    }

    #[test]
    fn the_longest_run_wins_and_a_token_is_tiled_once() {
        // b holds a's first six tokens twice; a's tokens are tiled once.
        let a: Vec<Class> = vec![1, 2, 3, 4, 5, 6, 7];
        let b: Vec<Class> = vec![1, 2, 3, 4, 5, 6, 9, 1, 2, 3, 4, 5, 6, 7];
        assert_eq!(tiles_of(&a, &b, 3), [Tile { a: 0, b: 7, len: 7 }]);
    }

    #[test]
    fn excluded_tokens_split_tiles() {
        let a: Vec<Class> = (1..=12).collect();
        let mut excluded = vec![false; 12];
        excluded[6] = true;
        let wa = windows(&kgram_hashes(&a, 3), &excluded, 3);
        let eb = vec![false; 12];
        let wb = windows(&kgram_hashes(&a, 3), &eb, 3);
        let tiles = tile(
            Side { classes: &a, excluded: &excluded, windows: &wa },
            Side { classes: &a, excluded: &eb, windows: &wb },
            3,
        );
        assert_eq!(tiles, [Tile { a: 0, b: 0, len: 6 }, Tile { a: 7, b: 7, len: 5 }]);
    }
}
