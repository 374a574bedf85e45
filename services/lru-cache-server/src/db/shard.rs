//! One shard of the store: an exact LRU list ([`List`]) ordered by stamps of the store's one
//! use clock, and an index of expiry times so expired keys can be swept without scanning.
//!
//! A shard has no budget of its own: each write first asks the store for the room it needs
//! ([`Admit`]), and the store evicts the oldest entry of all shards when there is none.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::cost::{Counters, entry_cost};
use super::list::{Id, List};
use super::versions::KeyVersions;
use super::{Condition, DbError, ExpireIf, Expiry, SetOptions, SetOutcome, Value};

/// The growth a write needs from the store's budgets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Need {
    /// Entries added (0 or 1; several for a batch).
    pub entries: i64,
    /// Bytes added (negative when the entry shrinks).
    pub bytes: i64,
    /// The whole cost of the largest entry written, which must fit `CACHE_MAX_BYTES` alone.
    pub cost: usize,
}

/// Why a write did not happen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WriteError {
    /// Refused for good.
    Refused(DbError),
    /// No room: the store evicts and the write is tried again.
    Full(Need),
}

impl From<DbError> for WriteError {
    fn from(err: DbError) -> WriteError {
        WriteError::Refused(err)
    }
}

/// Asks the store for room; `Ok` means it is reserved.
pub type Admit<'a> = &'a mut dyn FnMut(Need) -> Result<(), WriteError>;

/// An LRU list, its expiry index and its counters.
#[derive(Debug)]
pub struct Shard {
    pub(super) list: List,
    /// `(expiry time, entry)` of every entry with a TTL.
    pub(super) ttl: BTreeSet<(u64, Id)>,
    pub(super) bytes: usize,
    /// The store's use clock, shared by every shard.
    clock: Arc<AtomicU64>,
    /// The store's WATCH versions, bumped by every change to an entry.
    versions: Arc<KeyVersions>,
    /// This shard's counters.
    pub counters: Counters,
}

impl Shard {
    /// An empty shard stamping uses from `clock` and counting writes in `versions`.
    pub fn new(clock: Arc<AtomicU64>, versions: Arc<KeyVersions>) -> Shard {
        Shard {
            list: List::default(),
            ttl: BTreeSet::new(),
            bytes: 0,
            clock,
            versions,
            counters: Counters::default(),
        }
    }

    /// Entries held, bytes charged, entries with a TTL.
    pub fn usage(&self) -> (usize, usize, usize) {
        (self.list.len(), self.bytes, self.ttl.len())
    }

    /// The use stamp of this shard's least recently used entry (`u64::MAX`: empty).
    pub fn oldest_stamp(&self) -> u64 {
        self.list.oldest_stamp()
    }

    /// A stamp later than every one given so far. Taken under the shard's lock, so the
    /// stamps in one list always grow from its oldest entry to its newest.
    pub(super) fn stamp(&self) -> u64 {
        self.clock.fetch_add(1, Ordering::Relaxed)
    }

    /// Looks a live key up; `touch` makes it the most recently used. An expired key is removed.
    pub(super) fn find(&mut self, key: &[u8], now: u64, touch: bool) -> Option<Id> {
        let id = self.list.find(key)?;
        let expires_at = self.list.expires_at(id);
        if expires_at != 0 && expires_at <= now {
            self.remove(id);
            self.counters.expired += 1;
            return None;
        }
        if touch {
            let stamp = self.stamp();
            self.list.touch(id, stamp);
        }
        Some(id)
    }

    /// GET: passes the live value (counted as a hit or a miss, and made most recently used)
    /// to `read` while the shard is locked.
    pub fn get_with<R>(
        &mut self,
        key: &[u8],
        now: u64,
        read: impl FnOnce(Option<&[u8]>) -> R,
    ) -> R {
        match self.find(key, now, true) {
            Some(id) => {
                self.counters.hits += 1;
                read(Some(self.list.value(id)))
            }
            None => {
                self.counters.misses += 1;
                read(None)
            }
        }
    }

    /// EXISTS: whether a live entry exists, without touching it or the hit counters.
    pub fn contains(&mut self, key: &[u8], now: u64) -> bool {
        self.find(key, now, false).is_some()
    }

    /// Removes a key; whether it was live.
    pub fn delete(&mut self, key: &[u8], now: u64) -> bool {
        self.find(key, now, false)
            .map(|id| self.remove(id))
            .is_some()
    }

    /// SET with its NX/XX/GET/KEEPTTL/expiry options.
    pub fn set(
        &mut self,
        key: &[u8],
        value: &[u8],
        options: SetOptions,
        now: u64,
        admit: Admit<'_>,
    ) -> Result<SetOutcome, WriteError> {
        let found = self.find(key, now, false);
        let allowed = match options.condition {
            Condition::Always => true,
            Condition::IfAbsent => found.is_none(),
            Condition::IfPresent => found.is_some(),
        };
        let old = found
            .filter(|_| options.get_old)
            .map(|id| Value::from(self.list.value(id)));
        if !allowed {
            return Ok(SetOutcome {
                written: false,
                old,
            });
        }
        let expires_at = match options.expiry {
            Expiry::Never => 0,
            Expiry::Keep => found.map_or(0, |id| self.list.expires_at(id)),
            Expiry::At(at) if at <= now => {
                // An absolute time already past stores nothing and deletes the key, as Redis does.
                if let Some(id) = found {
                    self.remove(id);
                }
                return Ok(SetOutcome { written: true, old });
            }
            Expiry::At(at) => at,
        };
        self.store(key, found, Some(value), expires_at, admit)?;
        Ok(SetOutcome { written: true, old })
    }

    /// EXPIRE: sets a live key's expiry time if `condition` allows; a time already past
    /// deletes the key. Whether the key was changed.
    pub fn expire(
        &mut self,
        key: &[u8],
        at: u64,
        condition: ExpireIf,
        now: u64,
        admit: Admit<'_>,
    ) -> Result<bool, WriteError> {
        let Some(id) = self.find(key, now, false) else {
            return Ok(false);
        };
        let old = self.list.expires_at(id);
        let allowed = match condition {
            ExpireIf::Always => true,
            ExpireIf::NoTtl => old == 0,
            ExpireIf::HasTtl => old != 0,
            // A key without a TTL counts as expiring never, as in Redis.
            ExpireIf::Later => old != 0 && at > old,
            ExpireIf::Sooner => old == 0 || at < old,
            ExpireIf::SoonerWithTtl => old != 0 && at < old,
        };
        if !allowed {
            return Ok(false);
        }
        if at <= now {
            self.remove(id);
            return Ok(true);
        }
        self.store(key, Some(id), None, at, admit)?;
        Ok(true)
    }

    /// TTL: `None` for a missing key, `Some(0)` for a key without TTL, else its expiry time.
    pub fn expiry_of(&mut self, key: &[u8], now: u64) -> Option<u64> {
        self.find(key, now, false)
            .map(|id| self.list.expires_at(id))
    }

    /// Writes `value` (`None`: keeps the value of `found`) with an expiry time, as the most
    /// recently used entry, once `admit` has reserved the room. `found` is the key's live entry.
    pub(super) fn store(
        &mut self,
        key: &[u8],
        found: Option<Id>,
        value: Option<&[u8]>,
        expires_at: u64,
        admit: Admit<'_>,
    ) -> Result<(), WriteError> {
        let value_len = match (value, found) {
            (Some(value), _) => value.len(),
            (None, Some(id)) => self.list.lens(id).1,
            (None, None) => 0,
        };
        let cost = entry_cost(key.len(), value_len, expires_at != 0);
        let old_cost = found.map_or(0, |id| self.cost(id));
        admit(Need {
            entries: i64::from(found.is_none()),
            bytes: signed(cost) - signed(old_cost),
            cost,
        })?;
        let stamp = self.stamp();
        let Some(id) = found else {
            let id = self
                .list
                .insert(key, value.unwrap_or_default(), expires_at, stamp);
            if expires_at != 0 {
                self.ttl.insert((expires_at, id));
            }
            self.bytes += cost;
            self.bump(key);
            return Ok(());
        };
        if let Some(value) = value {
            self.list.replace_value(id, value);
        }
        self.retime(id, expires_at);
        self.list.touch(id, stamp);
        self.bytes = self.bytes - old_cost + cost;
        self.bump(key);
        Ok(())
    }

    /// Changes an entry's expiry time and its place in the expiry index.
    pub(super) fn retime(&mut self, id: Id, at: u64) {
        let old = self.list.expires_at(id);
        if old == at {
            return;
        }
        if old != 0 {
            self.ttl.remove(&(old, id));
        }
        if at != 0 {
            self.ttl.insert((at, id));
        }
        self.list.set_expires_at(id, at);
    }

    /// What an entry is charged.
    pub(super) fn cost(&self, id: Id) -> usize {
        let (key_len, value_len) = self.list.lens(id);
        entry_cost(key_len, value_len, self.list.expires_at(id) != 0)
    }

    /// Counts a change to `key` for WATCH (called under this shard's lock, after the change).
    fn bump(&self, key: &[u8]) {
        self.versions.bump(self.versions.slot(key));
    }

    /// Removes an entry and its accounting (whatever the reason: DEL, RENAME, eviction,
    /// expiry), counting the change for WATCH.
    pub(super) fn remove(&mut self, id: Id) {
        let slot = self.versions.slot(self.list.key(id));
        let (key_len, value_len, expires_at) = self.list.remove(id);
        self.bytes -= entry_cost(key_len, value_len, expires_at != 0);
        if expires_at != 0 {
            self.ttl.remove(&(expires_at, id));
        }
        self.versions.bump(slot);
    }
}

/// A size as a signed number (sizes stay far below `i64::MAX`).
pub(super) fn signed(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
