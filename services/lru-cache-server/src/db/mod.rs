//! The store shared by the RESP and HTTP sides: `N` shards chosen by key hash, each an LRU
//! list behind its own mutex, under ONE budget for the whole store.
//!
//! Eviction is exact LRU of the whole store with any `CACHE_SHARDS` and `CACHE_THREADS`:
//! - every use (a read, a write, TOUCH) takes a stamp from one store-wide counter while its
//!   shard is locked, so each shard's list is ordered by stamp and the store's least recently
//!   used entry is the oldest of the shards' oldest entries;
//! - a write evicts only when it would take the store past `CACHE_MAX_ENTRIES` or
//!   `CACHE_MAX_BYTES`, and then evicts that entry, one at a time, until the write fits
//!   ([`budget`] has the protocol). The totals never pass the budgets, even for a moment.
//!
//! Under concurrency "least recently used" means by the order of the stamps of completed uses:
//! an entry whose use races an eviction is either used first (and so not the one evicted) or
//! evicted first, and a write still holding its shard's lock counts as coming after.
//! An entry larger than `CACHE_MAX_BYTES` on its own is refused.

mod batch;
mod budget;
mod cost;
mod list;
mod ops;
mod scan;
mod shard;
mod types;
mod upkeep;
mod versions;

use std::hash::BuildHasher;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use foldhash::fast::RandomState;

use budget::Totals;
pub use cost::{Counters, ENTRY_OVERHEAD, TTL_OVERHEAD, entry_cost};
pub use ops::GetExpiry;
pub use scan::{ScanPage, glob_match};
use shard::{Admit, Need, Shard, WriteError};
pub use types::{
    Capacity, Condition, DbError, ExpireIf, Expiry, SetOptions, SetOutcome, Stats, Ttl,
};
pub use versions::{KeyVersions, SLOTS};

/// A value handed out of the store (a copy: the store keeps each key and its value together in
/// one allocation of its own).
pub type Value = Arc<[u8]>;

/// The sharded store; cloning shares it.
#[derive(Clone, Debug)]
pub struct Db {
    shared: Arc<Shared>,
}

/// A shard and the stamp of its oldest entry, readable without its lock.
#[derive(Debug)]
struct Slot {
    shard: Mutex<Shard>,
    /// [`Shard::oldest_stamp`], stored at the end of every locked operation.
    oldest: AtomicU64,
}

#[derive(Debug)]
struct Shared {
    shards: Box<[Slot]>,
    hasher: RandomState,
    epoch: Instant,
    /// The Unix time in milliseconds at store-clock time 0, fixed at start so absolute times
    /// (EXPIREAT, EXPIRETIME) convert both ways exactly.
    unix_at_zero: i64,
    totals: Mutex<Totals>,
    max_entries: usize,
    max_bytes: usize,
    /// Write counters per key slot, for WATCH; every shard bumps them.
    versions: Arc<KeyVersions>,
}

/// Milliseconds since the Unix epoch, by the wall clock.
pub fn unix_now_ms() -> i64 {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO);
    i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Nothing panics while holding these locks, so a poisoned one still guards consistent data.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Db {
    /// An empty store; `capacity.shards` is at least 1 (validated with the config).
    pub fn new(capacity: Capacity) -> Db {
        let clock = Arc::new(AtomicU64::new(0));
        let versions = Arc::new(KeyVersions::default());
        let shards = (0..capacity.shards.max(1))
            .map(|_| Slot {
                shard: Mutex::new(Shard::new(Arc::clone(&clock), Arc::clone(&versions))),
                oldest: AtomicU64::new(u64::MAX),
            })
            .collect();
        Db {
            shared: Arc::new(Shared {
                shards,
                hasher: RandomState::default(),
                epoch: Instant::now(),
                unix_at_zero: unix_now_ms() - 1,
                totals: Mutex::new(Totals::default()),
                max_entries: capacity.max_entries.min(list::MAX_LEN),
                max_bytes: capacity.max_bytes,
                versions,
            }),
        }
    }

    fn index(&self, key: &[u8]) -> usize {
        let hash = self.shared.hasher.hash_one(key);
        let len = self.shared.shards.len() as u128;
        // Multiply-shift maps the hash onto 0..len without a division.
        ((u128::from(hash) * len) >> 64) as usize
    }

    /// Runs `op` on shard `index` under its lock with a way to reserve room, then settles the
    /// totals and publishes the shard's oldest stamp.
    fn with_shard<R>(&self, index: usize, op: impl FnOnce(&mut Shard, Admit<'_>) -> R) -> R {
        let mut shard = lock(&self.shared.shards[index].shard);
        let (entries, bytes, _) = shard.usage();
        let mut admitted = Need::default();
        let result = {
            let mut admit = |need: Need| self.shared.admit(need, &mut admitted);
            op(&mut shard, &mut admit)
        };
        self.shared
            .settle(index, &shard, (entries, bytes), admitted);
        result
    }

    /// Runs an operation on `key`'s shard at the current time.
    fn on_key<R>(&self, key: &[u8], op: impl FnOnce(&mut Shard, u64) -> R) -> R {
        let now = self.now_ms();
        self.with_shard(self.index(key), |shard, _| op(shard, now))
    }

    /// Runs a write on `key`'s shard, evicting and trying again while it lacks room.
    fn write<T>(
        &self,
        key: &[u8],
        mut op: impl FnMut(&mut Shard, u64, Admit<'_>) -> Result<T, WriteError>,
    ) -> Result<T, DbError> {
        let index = self.index(key);
        loop {
            let now = self.now_ms();
            match self.with_shard(index, |shard, admit| op(shard, now, admit)) {
                Ok(done) => return Ok(done),
                Err(WriteError::Refused(err)) => return Err(err),
                Err(WriteError::Full(need)) => self.shared.evict_for(need),
            }
        }
    }

    /// Milliseconds since the store was created, plus one (0 means "no TTL").
    pub fn now_ms(&self) -> u64 {
        u64::try_from(self.shared.epoch.elapsed().as_millis()).unwrap_or(u64::MAX - 1) + 1
    }

    /// Converts a Unix time in milliseconds to the store's clock (saturating at 1, the past),
    /// by the wall clock at start (a later step of the wall clock is not followed).
    pub fn from_unix_ms(&self, unix_ms: i64) -> u64 {
        let at = i128::from(unix_ms) - i128::from(self.shared.unix_at_zero);
        u64::try_from(at.max(1)).unwrap_or(u64::MAX)
    }

    /// Converts a time of the store's clock to Unix milliseconds.
    pub fn to_unix_ms(&self, at: u64) -> i64 {
        let unix = i128::from(at) + i128::from(self.shared.unix_at_zero);
        i64::try_from(unix).unwrap_or(i64::MAX)
    }

    /// GET: a copy of the value of a live key, made most recently used.
    pub fn get(&self, key: &[u8]) -> Option<Value> {
        self.get_with(key, |value| value.map(Value::from))
    }

    /// GET without a copy: passes the value of a live key (made most recently used) to `read`
    /// while its shard is locked, so `read` should be quick (e.g. copy it into a reply buffer).
    pub fn get_with<R>(&self, key: &[u8], read: impl FnOnce(Option<&[u8]>) -> R) -> R {
        self.on_key(key, |shard, now| shard.get_with(key, now, read))
    }

    /// SET with options; the store copies `value`.
    pub fn set(
        &self,
        key: &[u8],
        value: impl AsRef<[u8]>,
        options: SetOptions,
    ) -> Result<SetOutcome, DbError> {
        let value = value.as_ref();
        self.write(key, |shard, now, admit| {
            shard.set(key, value, options, now, admit)
        })
    }

    /// DEL of one key: whether it existed.
    pub fn delete(&self, key: &[u8]) -> bool {
        self.on_key(key, |shard, now| shard.delete(key, now))
    }

    /// EXISTS of one key (does not count as a use).
    pub fn exists(&self, key: &[u8]) -> bool {
        self.on_key(key, |shard, now| shard.contains(key, now))
    }

    /// INCRBY: the new value.
    pub fn incr_by(&self, key: &[u8], delta: i64) -> Result<i64, DbError> {
        self.write(key, |shard, now, admit| {
            shard.incr_by(key, delta, now, admit)
        })
    }

    /// EXPIRE: sets the expiry time (store clock) of a live key; whether it changed.
    pub fn expire(&self, key: &[u8], at: u64, condition: ExpireIf) -> Result<bool, DbError> {
        self.write(key, |shard, now, admit| {
            shard.expire(key, at, condition, now, admit)
        })
    }

    /// TTL of a key (does not count as a use).
    pub fn ttl(&self, key: &[u8]) -> Ttl {
        let now = self.now_ms();
        match self.on_key(key, |shard, now| shard.expiry_of(key, now)) {
            None => Ttl::Missing,
            Some(0) => Ttl::Persistent,
            Some(at) => Ttl::Remaining(at.saturating_sub(now)),
        }
    }

    /// Removes every key.
    pub fn clear(&self) {
        for index in 0..self.shared.shards.len() {
            self.with_shard(index, |shard, _| shard.clear());
        }
        self.shared.versions.bump_all();
    }

    /// The keyspace's versions for WATCH: every change to an entry, from any side (RESP,
    /// HTTP, eviction, expiry), has bumped its key's slot by the time its shard is unlocked.
    pub fn versions(&self) -> &KeyVersions {
        &self.shared.versions
    }

    /// Number of keys (DBSIZE).
    pub fn len(&self) -> usize {
        self.shared
            .shards
            .iter()
            .map(|slot| lock(&slot.shard).usage().0)
            .sum()
    }

    /// Entries and bytes reserved in the store's budget: never below what is stored, never
    /// above `CACHE_MAX_ENTRIES` and `CACHE_MAX_BYTES`, read at one instant.
    pub fn reserved(&self) -> (usize, usize) {
        let totals = lock(&self.shared.totals);
        (totals.entries, totals.bytes)
    }

    /// Whether the store holds no key.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Sizes and counters summed over the shards.
    pub fn stats(&self) -> Stats {
        let mut stats = Stats::default();
        for slot in &self.shared.shards {
            let shard = lock(&slot.shard);
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
        (0..self.shared.shards.len())
            .map(|index| self.with_shard(index, |shard, _| shard.sweep_expired(now, budget)))
            .sum()
    }
}
