//! The store's budgets and exact global LRU eviction across shards.
//!
//! `Totals` holds the entries and bytes of the whole store. A write reserves its growth
//! there ([`Shared::admit`]) while it holds its own shard's lock, and only then writes, so the
//! totals are never below the real sums and never above `CACHE_MAX_ENTRIES` or
//! `CACHE_MAX_BYTES`. When the reservation fails, the writer releases its shard and evicts
//! ([`Shared::evict_for`]) the entry with the oldest use stamp of all shards, locking only that
//! shard; then it tries again. Locks are only ever taken shard first, totals second, and at
//! most one shard while evicting, so nothing waits in a cycle.

use std::sync::atomic::Ordering;

use super::shard::{Need, Shard, WriteError};
use super::{DbError, Shared, lock};

/// Entries and bytes of the whole store.
#[derive(Debug, Default)]
pub struct Totals {
    pub entries: usize,
    pub bytes: usize,
}

impl Totals {
    /// The totals after adding `need`, if they stay within the budgets (or do not grow).
    fn with(&self, need: Need, max_entries: usize, max_bytes: usize) -> Option<(usize, usize)> {
        let entries = add(self.entries, need.entries);
        let bytes = add(self.bytes, need.bytes);
        let grows = need.entries > 0 || need.bytes > 0;
        (!grows || (entries <= max_entries && bytes <= max_bytes)).then_some((entries, bytes))
    }
}

fn add(n: usize, delta: i64) -> usize {
    let magnitude = usize::try_from(delta.unsigned_abs()).unwrap_or(usize::MAX);
    if delta >= 0 {
        n.saturating_add(magnitude)
    } else {
        n.saturating_sub(magnitude)
    }
}

impl Shared {
    /// Reserves `need` in the totals, adding it to `admitted`; `Full` when it does not fit now,
    /// `TooLarge` when its entry could never fit.
    pub(super) fn admit(&self, need: Need, admitted: &mut Need) -> Result<(), WriteError> {
        if need.cost > self.max_bytes {
            return Err(WriteError::Refused(DbError::TooLarge {
                cost: need.cost,
                capacity: self.max_bytes,
            }));
        }
        if need.entries == 0 && need.bytes == 0 {
            // An overwrite of the same size: nothing to reserve, no shared lock taken.
            return Ok(());
        }
        let mut totals = lock(&self.totals);
        let Some((entries, bytes)) = totals.with(need, self.max_entries, self.max_bytes) else {
            return Err(WriteError::Full(need));
        };
        (totals.entries, totals.bytes) = (entries, bytes);
        admitted.entries += need.entries;
        admitted.bytes += need.bytes;
        Ok(())
    }

    /// Brings the totals up to date with what a shard lost beyond the reserved writes (expired
    /// or deleted entries), from its usage `before` an operation; publishes its oldest stamp.
    pub(super) fn settle(
        &self,
        index: usize,
        shard: &Shard,
        before: (usize, usize),
        admitted: Need,
    ) {
        let (entries, bytes, _) = shard.usage();
        let lost_entries = super::shard::signed(entries) - super::shard::signed(before.0);
        let lost_bytes = super::shard::signed(bytes) - super::shard::signed(before.1);
        let (lost_entries, lost_bytes) =
            (lost_entries - admitted.entries, lost_bytes - admitted.bytes);
        if lost_entries != 0 || lost_bytes != 0 {
            let mut totals = lock(&self.totals);
            totals.entries = add(totals.entries, lost_entries);
            totals.bytes = add(totals.bytes, lost_bytes);
        }
        let (oldest, stamp) = (&self.shards[index].oldest, shard.oldest_stamp());
        // Most operations leave the oldest entry alone: skip the write to the shared line.
        if oldest.load(Ordering::Relaxed) != stamp {
            oldest.store(stamp, Ordering::Release);
        }
    }

    /// The shard whose oldest entry has the smallest stamp, other than `except`, with it.
    fn oldest_shard(&self, except: Option<usize>) -> Option<(usize, u64)> {
        self.shards
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != except)
            .map(|(i, slot)| (i, slot.oldest.load(Ordering::Acquire)))
            .filter(|&(_, stamp)| stamp != u64::MAX)
            .min_by_key(|&(_, stamp)| stamp)
    }

    /// Evicts the least recently used entry of the whole store, unless `need` fits by now
    /// (another writer evicted, or keys were deleted). Returns once one entry was evicted, the
    /// need fits, or the store is empty.
    pub(super) fn evict_for(&self, need: Need) {
        loop {
            let Some((index, _)) = self.oldest_shard(None) else {
                return;
            };
            let slot = &self.shards[index];
            let mut shard = lock(&slot.shard);
            let stamp = shard.oldest_stamp();
            // Stamps only grow, except when an empty shard gets its first entry (a write racing
            // this one); a shard that now looks older is looked at again.
            let older = self
                .oldest_shard(Some(index))
                .is_some_and(|(_, other)| other < stamp);
            if stamp == u64::MAX || older {
                continue;
            }
            let mut totals = lock(&self.totals);
            if totals
                .with(need, self.max_entries, self.max_bytes)
                .is_none()
            {
                let before = shard.usage();
                shard.evict_oldest();
                let after = shard.usage();
                totals.entries -= before.0 - after.0;
                totals.bytes -= before.1 - after.1;
            }
            drop(totals);
            slot.oldest.store(shard.oldest_stamp(), Ordering::Release);
            return;
        }
    }
}
