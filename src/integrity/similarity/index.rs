//! The inverted index of fingerprints, and the candidate pairs it yields.
//!
//! Two files become a candidate pair only if they share a fingerprint, and
//! the work is proportional to how many files share each fingerprint, not
//! to the number of pairs: for each file, its fingerprints' posting lists
//! are walked and shared fingerprints counted per other file.
//!
//! Fingerprints that most files share are the assignment's idioms and
//! boilerplate, not evidence of copying: above a share of the files
//! ([`super::Settings::boilerplate_share`]) they are dropped from the index
//! and their tokens from the comparison.

use std::collections::{HashMap, HashSet};

use rayon::prelude::*;

/// Posting lists: for each fingerprint hash, the files (ascending) that have it.
#[derive(Debug, Default)]
pub struct Index {
    ranges: HashMap<u64, (u32, u32)>,
    files: Vec<u32>,
}

/// Two files that share fingerprints.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    /// The first file (the smaller index).
    pub a: u32,
    /// The second file.
    pub b: u32,
    /// How many distinct fingerprints they share.
    pub shared: u32,
}

impl Index {
    /// Builds the index from each file's distinct fingerprint hashes (sorted),
    /// leaving out `ignored` ones; returns it with the hashes that more than
    /// `max_files` files share (boilerplate), which are left out too.
    #[must_use]
    pub fn build(keys: &[Vec<u64>], ignored: &HashSet<u64>, max_files: usize) -> (Self, HashSet<u64>) {
        let mut entries: Vec<(u64, u32)> = keys
            .iter()
            .enumerate()
            .flat_map(|(file, hashes)| {
                let file = u32::try_from(file).unwrap_or(u32::MAX);
                hashes.iter().filter(|hash| !ignored.contains(hash)).map(move |&hash| (hash, file))
            })
            .collect();
        entries.par_sort_unstable();

        let mut index = Self { ranges: HashMap::new(), files: Vec::with_capacity(entries.len()) };
        let mut boilerplate = HashSet::new();
        for group in entries.chunk_by(|x, y| x.0 == y.0) {
            let hash = group[0].0;
            if group.len() > max_files {
                boilerplate.insert(hash);
                continue;
            }
            let start = u32::try_from(index.files.len()).unwrap_or(u32::MAX);
            index.files.extend(group.iter().map(|&(_, file)| file));
            index.ranges.insert(hash, (start, u32::try_from(group.len()).unwrap_or(u32::MAX)));
        }
        (index, boilerplate)
    }

    /// How many distinct fingerprints the index holds.
    #[must_use]
    pub fn len(&self) -> usize {
        self.ranges.len()
    }

    /// Whether the index holds no fingerprint.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// The files that have `hash`, ascending.
    #[must_use]
    pub fn files_with(&self, hash: u64) -> &[u32] {
        match self.ranges.get(&hash) {
            Some(&(start, len)) => &self.files[start as usize..(start + len) as usize],
            None => &[],
        }
    }

    /// Every pair of the `count` files that shares at least one indexed
    /// fingerprint: for each file `a`, its pairs with later files `b`,
    /// ordered by `b`; `keys(file)` are the distinct fingerprint hashes of a
    /// file that count.
    #[must_use]
    pub fn candidates<'k>(&self, count: usize, keys: impl Fn(usize) -> &'k [u64] + Sync) -> Vec<Vec<Candidate>> {
        (0..count)
            .into_par_iter()
            .map_init(
                || (vec![0u32; count], Vec::new()),
                |(shared, touched), a| {
                    for &hash in keys(a) {
                        let files = self.files_with(hash);
                        // Only files after `a`: each pair is counted from its first file.
                        let after = files.partition_point(|&file| file as usize <= a);
                        for &b in &files[after..] {
                            if shared[b as usize] == 0 {
                                touched.push(b);
                            }
                            shared[b as usize] += 1;
                        }
                    }
                    touched.sort_unstable();
                    let a = u32::try_from(a).unwrap_or(u32::MAX);
                    touched
                        .drain(..)
                        .map(|b| Candidate { a, b, shared: std::mem::take(&mut shared[b as usize]) })
                        .collect::<Vec<_>>()
                },
            )
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_come_only_from_shared_fingerprints_and_boilerplate_is_dropped() {
        let keys = vec![vec![1, 2, 3, 100], vec![2, 3, 4, 100], vec![5, 6, 100], vec![6, 7, 100]];
        let ignored = HashSet::from([3]);
        let (index, boilerplate) = Index::build(&keys, &ignored, 3);
        assert_eq!(boilerplate, HashSet::from([100]));
        assert_eq!(index.files_with(2), [0, 1]);
        assert!(index.files_with(3).is_empty());
        let candidates: Vec<Candidate> = index.candidates(keys.len(), |file| &keys[file]).concat();
        assert_eq!(
            candidates,
            [Candidate { a: 0, b: 1, shared: 1 }, Candidate { a: 2, b: 3, shared: 1 }],
            "0-1 share 2 (3 is ignored), 2-3 share 6"
        );
    }
}
