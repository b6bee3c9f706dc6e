//! A small in-memory cache of values stamped with the database revision
//! they were read at. A value is only reused while its stamp equals the
//! revision the database reports now, which the caller reads on every
//! request: the cache saves the reading and decrypting of a meeting's
//! content, never the check that it is current. Several servers sharing a
//! database therefore never serve each other's stale data.
//!
//! Revisions are moved forward by database triggers in the same transaction
//! as the change (migration 0002), so no code path can forget to.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

/// What a cached value was read at: the meeting's revision and the
/// tenant's people revision (names and addresses of its members).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp {
    pub revision: i64,
    pub people: i64,
}

struct Slot<V> {
    stamp: Stamp,
    used: u64,
    value: Arc<V>,
}

struct Inner<K, V> {
    tick: u64,
    slots: HashMap<K, Slot<V>>,
}

/// At most `capacity` values; the least recently used one makes room.
pub struct RevisionCache<K, V> {
    capacity: usize,
    inner: Mutex<Inner<K, V>>,
}

impl<K, V> std::fmt::Debug for RevisionCache<K, V> {
    // Never the values: they are decrypted meeting data.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RevisionCache(capacity {})", self.capacity)
    }
}

impl<K: Hash + Eq + Clone, V> RevisionCache<K, V> {
    pub fn new(capacity: usize) -> Self {
        Self { capacity, inner: Mutex::new(Inner { tick: 0, slots: HashMap::new() }) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner<K, V>> {
        // The map stays consistent whatever panicked while holding it.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The value read at `stamp`, if it is still cached. A value read at
    /// another stamp is dropped: it will not be current again.
    pub fn get(&self, key: &K, stamp: Stamp) -> Option<Arc<V>> {
        let mut inner = self.lock();
        inner.tick += 1;
        let tick = inner.tick;
        match inner.slots.get_mut(key) {
            Some(slot) if slot.stamp == stamp => {
                slot.used = tick;
                Some(slot.value.clone())
            }
            Some(_) => {
                inner.slots.remove(key);
                None
            }
            None => None,
        }
    }

    pub fn put(&self, key: K, stamp: Stamp, value: Arc<V>) {
        if self.capacity == 0 {
            return;
        }
        let mut inner = self.lock();
        inner.tick += 1;
        let used = inner.tick;
        if !inner.slots.contains_key(&key) && inner.slots.len() >= self.capacity {
            // A linear scan: the cache holds hundreds of entries at most.
            if let Some(oldest) = inner.slots.iter().min_by_key(|(_, s)| s.used).map(|(k, _)| k.clone()) {
                inner.slots.remove(&oldest);
            }
        }
        inner.slots.insert(key, Slot { stamp, used, value });
    }

    /// Drop every value whose key matches (a tenant deleted, say).
    pub fn forget(&self, matches: impl Fn(&K) -> bool) {
        self.lock().slots.retain(|k, _| !matches(k));
    }

    pub fn len(&self) -> usize {
        self.lock().slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: Stamp = Stamp { revision: 1, people: 1 };

    #[test]
    fn a_value_is_reused_only_at_its_own_stamp() {
        let c = RevisionCache::new(4);
        c.put("m", A, Arc::new("v1"));
        assert_eq!(c.get(&"m", A).as_deref(), Some(&"v1"));
        assert!(c.get(&"m", Stamp { revision: 2, people: 1 }).is_none());
        assert!(c.get(&"m", Stamp { revision: 1, people: 2 }).is_none());
        // The stale value was dropped, even for its old stamp.
        assert!(c.get(&"m", A).is_none());
        assert!(c.is_empty());
    }

    #[test]
    fn the_least_recently_used_value_makes_room() {
        let c = RevisionCache::new(2);
        c.put(1, A, Arc::new(1));
        c.put(2, A, Arc::new(2));
        assert!(c.get(&1, A).is_some());
        c.put(3, A, Arc::new(3));
        assert_eq!(c.len(), 2);
        assert!(c.get(&2, A).is_none(), "2 was the least recently used");
        assert!(c.get(&1, A).is_some() && c.get(&3, A).is_some());
    }

    #[test]
    fn capacity_zero_keeps_nothing_and_forget_drops_by_key() {
        let none = RevisionCache::new(0);
        none.put(1, A, Arc::new(1));
        assert!(none.get(&1, A).is_none());
        let c = RevisionCache::new(8);
        for k in 0..6 {
            c.put(k, A, Arc::new(k));
        }
        c.forget(|k| k % 2 == 0);
        assert_eq!(c.len(), 3);
        assert!(c.get(&1, A).is_some() && c.get(&2, A).is_none());
    }
}
