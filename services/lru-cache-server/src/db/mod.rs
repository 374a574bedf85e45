//! The store shared by the RESP and HTTP sides: `N` shards chosen by key hash, each an exact
//! LRU list behind its own mutex, with the capacity split evenly between the shards.
//!
//! With `CACHE_SHARDS=1` eviction is exactly global LRU; with more shards it is exact within
//! each shard (the entry evicted is the least recently used of the shard being written).

mod shard;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use foldhash::fast::RandomState;

pub use shard::{Counters, ENTRY_OVERHEAD, TTL_OVERHEAD, entry_cost};
use shard::Shard;

/// A stored value: one allocation, shared cheaply with readers.
pub type Value = Arc<[u8]>;

/// How long a written key lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expiry {
    /// No TTL (a previous TTL is dropped).
    Never,
    /// Keep the TTL the key already has (KEEPTTL).
    Keep,
    /// Expire at this time of the store's clock ([`Db::now_ms`]).
    At(u64),
}

/// When a SET applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Condition {
    /// Always.
    Always,
    /// Only if the key does not exist (NX).
    IfAbsent,
    /// Only if the key exists (XX).
    IfPresent,
}

/// Options of a SET.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SetOptions {
    /// TTL of the written key.
    pub expiry: Expiry,
    /// NX / XX.
    pub condition: Condition,
    /// Whether to return the previous value (GET).
    pub get_old: bool,
}

impl SetOptions {
    /// A plain `SET key value`.
    pub const PLAIN: SetOptions = SetOptions {
        expiry: Expiry::Never,
        condition: Condition::Always,
        get_old: false,
    };
}

/// What a SET did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetOutcome {
    /// Whether the value was written (false when NX/XX prevented it).
    pub written: bool,
    /// The previous value, when asked for with `get_old`.
    pub old: Option<Value>,
}

/// Why a write was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DbError {
    /// The entry alone is larger than a shard's byte budget.
    #[error("entry of {cost} bytes exceeds the per-shard capacity of {capacity} bytes")]
    TooLarge {
        /// The entry's cost (key + value + overhead).
        cost: usize,
        /// The byte budget of one shard.
        capacity: usize,
    },
    /// INCR on a value that is not an integer.
    #[error("value is not an integer or out of range")]
    NotInteger,
    /// INCR past i64.
    #[error("increment or decrement would overflow")]
    Overflow,
}

/// Budgets of the whole store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Capacity {
    /// `CACHE_MAX_ENTRIES`.
    pub max_entries: usize,
    /// `CACHE_MAX_BYTES`.
    pub max_bytes: usize,
    /// `CACHE_SHARDS`.
    pub shards: usize,
}

/// A snapshot of the store's size and counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Entries held.
    pub keys: usize,
    /// Entries with a TTL.
    pub expires: usize,
    /// Bytes charged against `CACHE_MAX_BYTES`.
    pub used_bytes: usize,
    /// Summed counters.
    pub counters: Counters,
}

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
        let now_unix = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or(Duration::ZERO)
            .as_millis();
        let now_unix = i128::try_from(now_unix).unwrap_or(i128::MAX);
        let at = i128::from(self.now_ms()) + i128::from(unix_ms) - now_unix;
        u64::try_from(at.max(1)).unwrap_or(u64::MAX)
    }

    /// GET: the value of a live key, made most recently used.
    pub fn get(&self, key: &[u8]) -> Option<Value> {
        let now = self.now_ms();
        self.shard(key).get(key, now)
    }

    /// SET with options.
    pub fn set(&self, key: &[u8], value: Value, options: SetOptions) -> Result<SetOutcome, DbError> {
        let now = self.now_ms();
        self.shard(key).set(key, value, options, now)
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
            guards[slot].set(key, Value::from(&value[..]), SetOptions::PLAIN, now)?;
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
