//! The store shared by the RESP and HTTP sides: `N` shards chosen by key hash, each an exact
//! LRU list behind its own mutex, with the capacity split evenly between the shards.
//!
//! With `CACHE_SHARDS=1` eviction is exactly global LRU; with more shards it is exact within
//! each shard (the entry evicted is the least recently used of the shard being written).

mod cost;
mod list;
mod shard;
mod types;

use std::hash::BuildHasher;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use foldhash::fast::RandomState;

pub use cost::{Counters, ENTRY_OVERHEAD, TTL_OVERHEAD, entry_cost};
use shard::Shard;
pub use types::{
    Capacity, Condition, DbError, ExpireIf, Expiry, SetOptions, SetOutcome, Stats, Ttl,
};

/// A value handed out of the store (a copy: the store keeps each key and its value together in
/// one allocation of its own).
pub type Value = Arc<[u8]>;

/// The sharded store; cloning shares it.
#[derive(Clone, Debug)]
pub struct Db {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    shards: Box<[Mutex<Shard>]>,
    hasher: RandomState,
    epoch: Instant,
}

/// Milliseconds since the Unix epoch, by the wall clock.
pub fn unix_now_ms() -> i64 {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO);
    i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
}

fn lock(shard: &Mutex<Shard>) -> MutexGuard<'_, Shard> {
    // Nothing panics while holding a shard, so a poisoned lock still guards consistent data.
    shard.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Splits `total` into `parts` shares that add up to it exactly.
fn share(total: usize, parts: usize, index: usize) -> usize {
    total / parts + usize::from(index < total % parts)
}

impl Db {
    /// An empty store; `capacity.shards` is at least 1 (validated with the config).
    pub fn new(capacity: Capacity) -> Db {
        let parts = capacity.shards.max(1);
        let shards = (0..parts)
            .map(|i| {
                Mutex::new(Shard::new(
                    share(capacity.max_entries, parts, i),
                    share(capacity.max_bytes, parts, i),
                ))
            })
            .collect();
        Db {
            shared: Arc::new(Shared {
                shards,
                hasher: RandomState::default(),
                epoch: Instant::now(),
            }),
        }
    }

    fn index(&self, key: &[u8]) -> usize {
        let hash = self.shared.hasher.hash_one(key);
        let len = self.shared.shards.len() as u128;
        // Multiply-shift maps the hash onto 0..len without a division.
        ((u128::from(hash) * len) >> 64) as usize
    }

    fn shard(&self, key: &[u8]) -> MutexGuard<'_, Shard> {
        lock(&self.shared.shards[self.index(key)])
    }

    /// Milliseconds since the store was created, plus one (0 means "no TTL").
    pub fn now_ms(&self) -> u64 {
        u64::try_from(self.shared.epoch.elapsed().as_millis()).unwrap_or(u64::MAX - 1) + 1
    }

    /// Converts a Unix time in milliseconds to the store's clock (saturating at 1, the past).
    pub fn from_unix_ms(&self, unix_ms: i64) -> u64 {
        let at = i128::from(self.now_ms()) + i128::from(unix_ms) - i128::from(unix_now_ms());
        u64::try_from(at.max(1)).unwrap_or(u64::MAX)
    }

    /// GET: a copy of the value of a live key, made most recently used.
    pub fn get(&self, key: &[u8]) -> Option<Value> {
        self.get_with(key, |value| value.map(Value::from))
    }

    /// GET without a copy: passes the value of a live key (made most recently used) to `read`
    /// while its shard is locked, so `read` should be quick (e.g. copy it into a reply buffer).
    pub fn get_with<R>(&self, key: &[u8], read: impl FnOnce(Option<&[u8]>) -> R) -> R {
        let now = self.now_ms();
        self.shard(key).get_with(key, now, read)
    }

    /// SET with options; the store copies `value`.
    pub fn set(
        &self,
        key: &[u8],
        value: impl AsRef<[u8]>,
        options: SetOptions,
    ) -> Result<SetOutcome, DbError> {
        let now = self.now_ms();
        self.shard(key).set(key, value.as_ref(), options, now)
    }

    /// MSET: writes every pair atomically (all involved shards are locked, in index order).
    /// Refused as a whole if any entry could never fit.
    pub fn set_many(&self, pairs: &[(Bytes, Bytes)]) -> Result<(), DbError> {
        let mut indices: Vec<usize> = pairs.iter().map(|(k, _)| self.index(k)).collect();
        let targets = indices.clone();
        indices.sort_unstable();
        indices.dedup();
        let mut guards: Vec<MutexGuard<'_, Shard>> = indices
            .iter()
            .map(|&i| lock(&self.shared.shards[i]))
            .collect();
        for ((key, value), target) in pairs.iter().zip(&targets) {
            let slot = indices.binary_search(target).unwrap_or_default();
            guards[slot].check_fits(key.len(), value.len(), false)?;
        }
        let now = self.now_ms();
        for ((key, value), target) in pairs.iter().zip(&targets) {
            let slot = indices.binary_search(target).unwrap_or_default();
            guards[slot].set(key, value, SetOptions::PLAIN, now)?;
        }
        Ok(())
    }

    /// DEL of one key: whether it existed.
    pub fn delete(&self, key: &[u8]) -> bool {
        let now = self.now_ms();
        self.shard(key).delete(key, now)
    }

    /// EXISTS of one key (does not count as a use).
    pub fn exists(&self, key: &[u8]) -> bool {
        let now = self.now_ms();
        self.shard(key).contains(key, now)
    }

    /// INCRBY: the new value.
    pub fn incr_by(&self, key: &[u8], delta: i64) -> Result<i64, DbError> {
        let now = self.now_ms();
        self.shard(key).incr_by(key, delta, now)
    }

    /// EXPIRE: sets the expiry time (store clock) of a live key; whether it changed.
    pub fn expire(&self, key: &[u8], at: u64, condition: ExpireIf) -> bool {
        let now = self.now_ms();
        self.shard(key).expire(key, at, condition, now)
    }

    /// TTL of a key (does not count as a use).
    pub fn ttl(&self, key: &[u8]) -> Ttl {
        let now = self.now_ms();
        match self.shard(key).expiry_of(key, now) {
            None => Ttl::Missing,
            Some(0) => Ttl::Persistent,
            Some(at) => Ttl::Remaining(at.saturating_sub(now)),
        }
    }

    /// Removes every key.
    pub fn clear(&self) {
        for shard in &self.shared.shards {
            lock(shard).clear();
        }
    }

    /// Number of keys (DBSIZE).
    pub fn len(&self) -> usize {
        self.shared.shards.iter().map(|s| lock(s).usage().0).sum()
    }

    /// Whether the store holds no key.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Sizes and counters summed over the shards.
    pub fn stats(&self) -> Stats {
        let mut stats = Stats::default();
        for shard in &self.shared.shards {
            let shard = lock(shard);
            let (keys, bytes, expires) = shard.usage();
            stats.keys += keys;
            stats.used_bytes += bytes;
            stats.expires += expires;
            let c = shard.counters;
            stats.counters.hits += c.hits;
            stats.counters.misses += c.misses;
            stats.counters.evicted += c.evicted;
            stats.counters.expired += c.expired;
        }
        stats
    }

    /// Removes expired keys, at most `budget` per shard; how many were removed.
    pub fn sweep_expired(&self, budget: usize) -> usize {
        let now = self.now_ms();
        self.shared
            .shards
            .iter()
            .map(|shard| lock(shard).sweep_expired(now, budget))
            .sum()
    }
}
