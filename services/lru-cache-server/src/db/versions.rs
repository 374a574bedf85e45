//! Versions of the keyspace for WATCH, kept by the store itself so every write is counted:
//! commands over RESP, the HTTP API, evictions, and expiry (lazy or swept).
//!
//! Keys hash onto [`SLOTS`] counters. Every change to an entry bumps the counter of its key
//! while the entry's shard is still locked; FLUSHDB/FLUSHALL bump one global epoch. WATCH
//! records the counter of each key (and the epoch); EXEC aborts when any of them moved. Two
//! keys on the same slot share a counter, so a write to another key can abort a transaction
//! that watched one of them (a false abort, with a chance of about `watched keys / 16384` per
//! unrelated write), never the reverse.

use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};

use foldhash::fast::FixedState;

/// Number of per-slot counters (128 KiB of `AtomicU64`).
pub const SLOTS: usize = 16 * 1024;

/// Per-slot write counters and the flush epoch.
#[derive(Debug)]
pub struct KeyVersions {
    slots: Box<[AtomicU64]>,
    epoch: AtomicU64,
    hasher: FixedState,
}

impl Default for KeyVersions {
    fn default() -> KeyVersions {
        KeyVersions {
            slots: (0..SLOTS).map(|_| AtomicU64::new(0)).collect(),
            epoch: AtomicU64::new(0),
            hasher: FixedState::with_seed(0x5eed_cafe),
        }
    }
}

impl KeyVersions {
    /// The slot a key's writes are counted on.
    pub fn slot(&self, key: &[u8]) -> usize {
        // The modulo keeps the value below SLOTS, so the cast cannot truncate.
        (self.hasher.hash_one(key) % SLOTS as u64) as usize
    }

    /// Records that the key on `slot` was written.
    pub fn bump(&self, slot: usize) {
        if let Some(counter) = self.slots.get(slot) {
            counter.fetch_add(1, Ordering::AcqRel);
        }
    }

    /// Records that every key was removed.
    pub fn bump_all(&self) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
    }

    /// The flush epoch now.
    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    /// The write counter of `slot` now.
    pub fn version(&self, slot: usize) -> u64 {
        self.slots
            .get(slot)
            .map_or(0, |counter| counter.load(Ordering::Acquire))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bump_moves_only_its_slot_and_a_flush_moves_the_epoch() {
        let versions = KeyVersions::default();
        let (a, b) = (versions.slot(b"a"), versions.slot(b"b"));
        assert_ne!(a, b, "the test needs keys on two slots");
        versions.bump(a);
        assert_eq!((versions.version(a), versions.version(b)), (1, 0));
        versions.bump_all();
        assert_eq!(versions.epoch(), 1);
    }
}
