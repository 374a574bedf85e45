//! WATCH's record of the versions it saw; the versions themselves are the store's
//! ([`crate::db::KeyVersions`]), bumped by every change to an entry.

use std::collections::HashMap;

use crate::db::KeyVersions;

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

    /// Watches `key`; a slot already watched keeps the version first seen. At most [`crate::db::SLOTS`]
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
