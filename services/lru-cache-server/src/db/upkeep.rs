//! A shard's upkeep: eviction, the expiry sweep and FLUSH.

use super::shard::Shard;

impl Shard {
    /// Evicts the least recently used entry (counted as evicted); whether there was one.
    pub fn evict_oldest(&mut self) -> bool {
        let Some(id) = self.list.oldest() else {
            return false;
        };
        self.remove(id);
        self.counters.evicted += 1;
        true
    }

    /// Removes up to `budget` entries whose TTL has passed; how many were removed.
    pub fn sweep_expired(&mut self, now: u64, budget: usize) -> usize {
        let mut removed = 0;
        while removed < budget {
            match self.ttl.first() {
                Some(&(at, id)) if at <= now => self.remove(id),
                _ => break,
            }
            self.counters.expired += 1;
            removed += 1;
        }
        removed
    }

    /// Removes every entry (counters are kept).
    pub fn clear(&mut self) {
        self.list.clear();
        self.ttl.clear();
        self.bytes = 0;
    }
}
