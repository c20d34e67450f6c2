//! At most one piece of expensive work per key at a time (one password
//! change per user): a second request while the first is hashing is refused
//! at once instead of queueing a second hash.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

/// The keys with work in flight.
#[derive(Debug, Default, Clone)]
pub struct InFlight {
    keys: Arc<Mutex<HashSet<String>>>,
}

/// Held while the work of one key runs; dropping it lets the next in.
#[derive(Debug)]
pub struct Turn {
    keys: Arc<Mutex<HashSet<String>>>,
    key: String,
}

impl InFlight {
    /// A turn for `key`, or `None` while another is held.
    #[must_use]
    pub fn enter(&self, key: &str) -> Option<Turn> {
        let mut keys = self.keys.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        keys.insert(key.to_owned()).then(|| Turn { keys: Arc::clone(&self.keys), key: key.to_owned() })
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        self.keys.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(&self.key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_turn_per_key_until_it_is_dropped() {
        let in_flight = InFlight::default();
        let first = in_flight.enter("user-1").unwrap();
        assert!(in_flight.enter("user-1").is_none());
        assert!(in_flight.enter("user-2").is_some());
        drop(first);
        assert!(in_flight.enter("user-1").is_some());
    }
}
