//! Versions of the keyspace for WATCH, kept outside the store so they need nothing from it.
//!
//! Keys hash onto [`SLOTS`] counters. Every write command bumps the counter of each key it
//! names, after its write; FLUSHDB/FLUSHALL bump one global epoch. WATCH records the counter of
//! each key (and the epoch); EXEC aborts when any of them moved. Two keys on the same slot
//! share a counter, so a write to another key can abort a transaction that watched one of them
//! (a false abort, with a chance of about `watched keys / 16384` per unrelated write), never
//! the reverse.

use std::collections::HashMap;
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

/// The slots WATCH saw, with their versions and the flush epoch.
#[derive(Debug, Default)]
pub struct Watching {
    seen: HashMap<usize, u64>,
    epoch: u64,
}

impl Watching {
    /// Starts watching nothing, at the current flush epoch.
    pub fn new(versions: &KeyVersions) -> Watching {
        Watching {
            seen: HashMap::new(),
            epoch: versions.epoch(),
        }
    }

    /// Watches `key`; a slot already watched keeps the version first seen. At most [`SLOTS`]
    /// entries, however many keys are watched.
    pub fn add(&mut self, versions: &KeyVersions, key: &[u8]) {
        let slot = versions.slot(key);
        self.seen
            .entry(slot)
            .or_insert_with(|| versions.version(slot));
    }

    /// Whether no watched key has been written (nor the store flushed) since.
    pub fn unchanged(&self, versions: &KeyVersions) -> bool {
        versions.epoch() == self.epoch
            && self
                .seen
                .iter()
                .all(|(&slot, &version)| versions.version(slot) == version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_to_a_watched_key_or_a_flush_is_seen() {
        let versions = KeyVersions::default();
        let mut watching = Watching::new(&versions);
        watching.add(&versions, b"a");
        assert!(watching.unchanged(&versions));
        versions.bump(versions.slot(b"a"));
        assert!(!watching.unchanged(&versions));
        let mut watching = Watching::new(&versions);
        watching.add(&versions, b"a");
        versions.bump_all();
        assert!(!watching.unchanged(&versions));
    }
}
