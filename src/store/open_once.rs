//! A map of things opened on first use, each opened once, where opening one
//! never makes the callers of another wait.
//!
//! The map itself is locked only to find or insert a key's slot; the
//! opening runs outside that lock, in the slot's own cell, so a slow open
//! (an organization's database migrating, its file copied first) holds up
//! only the callers of that key. A failed open leaves the slot empty and
//! the next caller tries again. Once closed, nothing opens any more, and
//! closing waits for the opens in flight, so none escapes it.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::OnceCell;

/// Values opened once per key. See the module documentation.
pub struct OpenOnce<K, V> {
    /// `None` once closed.
    slots: Mutex<Option<HashMap<K, Arc<OnceCell<V>>>>>,
}

impl<K, V> Default for OpenOnce<K, V> {
    fn default() -> Self {
        Self { slots: Mutex::new(Some(HashMap::new())) }
    }
}

impl<K: Eq + Hash + Copy, V: Clone> OpenOnce<K, V> {
    /// The value of `key` if it is open.
    pub fn get(&self, key: &K) -> Option<V> {
        self.lock().as_ref()?.get(key).and_then(|slot| slot.get().cloned())
    }

    /// The value of `key`, opened with `open` unless it is open already or
    /// being opened by another caller (who is then waited for).
    ///
    /// # Errors
    /// The error of `open`, and the key stays unopened; `closed` once
    /// [`OpenOnce::close`] has begun.
    pub async fn get_or_open<E, F, Fut>(&self, key: K, closed: E, open: F) -> Result<V, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, E>>,
    {
        let slot = match self.lock().as_mut() {
            Some(slots) => Arc::clone(slots.entry(key).or_default()),
            None => return Err(closed),
        };
        slot.get_or_try_init(open).await.cloned()
    }

    /// Every value open now, with its key.
    pub fn entries(&self) -> Vec<(K, V)> {
        let slots = self.lock();
        let Some(slots) = slots.as_ref() else { return Vec::new() };
        slots.iter().filter_map(|(key, slot)| slot.get().map(|value| (*key, value.clone()))).collect()
    }

    /// Stops opening anything, waits for the opens in flight, and returns
    /// every value that is open.
    pub async fn close(&self) -> Vec<V> {
        let slots = self.lock().take().unwrap_or_default();
        let mut open = Vec::new();
        for slot in slots.into_values() {
            // Waits for an open in flight; a slot nobody is opening stays empty.
            if let Ok(value) = slot.get_or_try_init(|| async { Err::<V, ()>(()) }).await {
                open.push(value.clone());
            }
        }
        open
    }

    fn lock(&self) -> MutexGuard<'_, Option<HashMap<K, Arc<OnceCell<V>>>>> {
        self.slots.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    type Opening = tokio::task::JoinHandle<Result<u32, ()>>;

    /// Starts opening key 1 (as 10) in a task that waits for the sender.
    async fn slow_open(map: &Arc<OpenOnce<u32, u32>>) -> (tokio::sync::oneshot::Sender<()>, Opening) {
        let (release, released) = tokio::sync::oneshot::channel::<()>();
        let map = Arc::clone(map);
        let opening = tokio::spawn(async move {
            map.get_or_open(1, (), || async {
                released.await.unwrap();
                Ok::<_, ()>(10)
            })
            .await
        });
        tokio::task::yield_now().await;
        (release, opening)
    }

    #[tokio::test]
    async fn a_slow_open_of_one_key_does_not_hold_up_another() {
        let map = Arc::new(OpenOnce::<u32, u32>::default());
        let (release, slow) = slow_open(&map).await;
        // Key 2 opens while key 1 is still opening: with one lock over the
        // whole map this would wait for `release` forever.
        let other = tokio::time::timeout(
            std::time::Duration::from_secs(5),
            map.get_or_open(2, (), || async { Ok::<_, ()>(20) }),
        )
        .await;
        assert_eq!(other, Ok(Ok(20)));
        assert_eq!(map.get(&1), None, "key 1 is not open yet");
        release.send(()).unwrap();
        assert_eq!(slow.await.unwrap(), Ok(10));
        assert_eq!(map.get(&1), Some(10));
    }

    #[tokio::test]
    async fn callers_of_one_key_share_one_open() {
        let map = Arc::new(OpenOnce::<u32, u32>::default());
        let opens = Arc::new(AtomicUsize::new(0));
        let mut callers = tokio::task::JoinSet::new();
        for _ in 0..16 {
            let (map, opens) = (Arc::clone(&map), Arc::clone(&opens));
            callers.spawn(async move {
                map.get_or_open(7, (), || async {
                    opens.fetch_add(1, Ordering::SeqCst);
                    tokio::task::yield_now().await;
                    Ok::<_, ()>(70)
                })
                .await
            });
        }
        while let Some(result) = callers.join_next().await {
            assert_eq!(result.unwrap(), Ok(70));
        }
        assert_eq!(opens.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_failed_open_is_tried_again_by_the_next_caller() {
        let map = OpenOnce::<u32, u32>::default();
        assert_eq!(map.get_or_open(3, "closed", || async { Err::<u32, _>("damaged") }).await, Err("damaged"));
        assert_eq!(map.get_or_open(3, "closed", || async { Ok::<_, &str>(30) }).await, Ok(30));
        assert_eq!(map.entries(), vec![(3, 30)]);
        assert_eq!(map.close().await, vec![30]);
        assert_eq!(map.get(&3), None);
        assert_eq!(map.get_or_open(3, "closed", || async { Ok::<_, &str>(31) }).await, Err("closed"));
    }

    #[tokio::test]
    async fn closing_waits_for_an_open_in_flight_and_returns_it() {
        let map = Arc::new(OpenOnce::<u32, u32>::default());
        let (release, opening) = slow_open(&map).await;
        let closing = tokio::spawn({
            let map = Arc::clone(&map);
            async move { map.close().await }
        });
        // The current-thread runtime polls the closing task on these yields;
        // had it not waited, it would be finished, with nothing.
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
        assert!(!closing.is_finished(), "closing waits for the open in flight");
        release.send(()).unwrap();
        assert_eq!(opening.await.unwrap(), Ok(10));
        assert_eq!(closing.await.unwrap(), vec![10], "and closes what it opened");
    }
}
