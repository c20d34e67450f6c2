//! Places for long-lived streams that students open (the announcements of
//! the exam they sit): bounded server-wide and per person, so no one can
//! make the server hold more of them than an exam hall needs. A place is
//! given back when its guard is dropped (the stream ended or the page left).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

/// Bounded places, counted per key (a person).
pub struct StreamSlots<K: Eq + Hash + Copy> {
    inner: Arc<Mutex<Counts<K>>>,
    max_total: usize,
    max_per_key: usize,
}

struct Counts<K> {
    total: usize,
    per_key: HashMap<K, usize>,
}

/// One place held; given back when dropped.
pub struct Slot<K: Eq + Hash + Copy> {
    inner: Arc<Mutex<Counts<K>>>,
    key: K,
}

impl<K: Eq + Hash + Copy> StreamSlots<K> {
    /// At most `max_total` places, and `max_per_key` for one key.
    #[must_use]
    pub fn new(max_total: usize, max_per_key: usize) -> Self {
        Self { inner: Arc::new(Mutex::new(Counts { total: 0, per_key: HashMap::new() })), max_total, max_per_key }
    }

    /// A place for `key`, or `None` when the server or the key holds all it may.
    #[must_use]
    pub fn take(&self, key: K) -> Option<Slot<K>> {
        let mut counts = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let held = counts.per_key.get(&key).copied().unwrap_or(0);
        if counts.total >= self.max_total || held >= self.max_per_key {
            return None;
        }
        counts.total += 1;
        counts.per_key.insert(key, held + 1);
        Some(Slot { inner: Arc::clone(&self.inner), key })
    }

    /// Places held now, in all.
    #[must_use]
    pub fn held(&self) -> usize {
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner).total
    }
}

impl<K: Eq + Hash + Copy> Drop for Slot<K> {
    fn drop(&mut self) {
        let mut counts = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        counts.total = counts.total.saturating_sub(1);
        if let Some(held) = counts.per_key.get_mut(&self.key) {
            *held -= 1;
            if *held == 0 {
                counts.per_key.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_bounded_in_all_and_per_key_and_come_back_when_dropped() {
        let slots = StreamSlots::new(3, 2);
        let (a1, a2) = (slots.take(1), slots.take(1));
        assert!(a1.is_some() && a2.is_some());
        assert!(slots.take(1).is_none(), "two per key");
        let b = slots.take(2);
        assert!(b.is_some());
        assert!(slots.take(3).is_none(), "three in all");
        drop(a1);
        assert!(slots.take(3).is_some(), "a dropped place comes back");
        drop((a2, b));
        assert_eq!(slots.held(), 0);
    }
}
