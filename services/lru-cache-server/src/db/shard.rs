//! One shard of the store: an exact LRU list (the `lru` crate) with byte and entry budgets,
//! and an index of expiry times so expired keys can be swept without scanning.

use std::collections::BTreeSet;

use lru::LruCache;

use super::cost::{Counters, entry_cost};
use super::{Condition, DbError, ExpireIf, Expiry, SetOptions, SetOutcome, Value};

#[derive(Debug)]
struct Entry {
    value: Value,
    /// Milliseconds on the store's clock; 0 means no TTL.
    expires_at: u64,
}

impl Entry {
    fn is_expired(&self, now: u64) -> bool {
        self.expires_at != 0 && self.expires_at <= now
    }
}

/// An LRU list with its own budgets.
#[derive(Debug)]
pub struct Shard {
    map: LruCache<Box<[u8]>, Entry>,
    ttl: BTreeSet<(u64, Box<[u8]>)>,
    bytes: usize,
    max_entries: usize,
    max_bytes: usize,
    /// This shard's counters.
    pub counters: Counters,
}

/// What a lookup found, taken out of the borrow of the map.
enum Found {
    Absent,
    Expired,
    Live(Value, u64),
}

impl Shard {
    /// An empty shard holding at most `max_entries` entries and `max_bytes` bytes.
    pub fn new(max_entries: usize, max_bytes: usize) -> Shard {
        Shard {
            map: LruCache::unbounded(),
            ttl: BTreeSet::new(),
            bytes: 0,
            max_entries,
            max_bytes,
            counters: Counters::default(),
        }
    }

    /// Entries held, bytes charged, entries with a TTL.
    pub fn usage(&self) -> (usize, usize, usize) {
        (self.map.len(), self.bytes, self.ttl.len())
    }

    /// Looks a key up; `touch` makes it the most recently used. Expired keys are removed.
    fn find(&mut self, key: &[u8], now: u64, touch: bool) -> Found {
        let entry = if touch {
            self.map.get(key)
        } else {
            self.map.peek(key)
        };
        let found = match entry {
            None => Found::Absent,
            Some(e) if e.is_expired(now) => Found::Expired,
            Some(e) => Found::Live(e.value.clone(), e.expires_at),
        };
        if matches!(found, Found::Expired) {
            self.remove(key);
            self.counters.expired += 1;
        }
        found
    }

    /// GET: the live value, counted as a hit or a miss, and made most recently used.
    pub fn get(&mut self, key: &[u8], now: u64) -> Option<Value> {
        match self.find(key, now, true) {
            Found::Live(value, _) => {
                self.counters.hits += 1;
                Some(value)
            }
            Found::Absent | Found::Expired => {
                self.counters.misses += 1;
                None
            }
        }
    }

    /// EXISTS: whether a live entry exists, without touching it or the hit counters.
    pub fn contains(&mut self, key: &[u8], now: u64) -> bool {
        matches!(self.find(key, now, false), Found::Live(..))
    }

    /// Removes a key; whether it was live.
    pub fn delete(&mut self, key: &[u8], now: u64) -> bool {
        match self.find(key, now, false) {
            Found::Live(..) => self.remove(key),
            Found::Absent | Found::Expired => false,
        }
    }

    /// SET with its NX/XX/GET/KEEPTTL/expiry options.
    pub fn set(
        &mut self,
        key: &[u8],
        value: Value,
        options: SetOptions,
        now: u64,
    ) -> Result<SetOutcome, DbError> {
        let (old, old_expiry) = match self.find(key, now, false) {
            Found::Live(old, expires_at) => (Some(old), expires_at),
            Found::Absent | Found::Expired => (None, 0),
        };
        let allowed = match options.condition {
            Condition::Always => true,
            Condition::IfAbsent => old.is_none(),
            Condition::IfPresent => old.is_some(),
        };
        let old = old.filter(|_| options.get_old);
        if !allowed {
            return Ok(SetOutcome {
                written: false,
                old,
            });
        }
        let expires_at = match options.expiry {
            Expiry::Never => 0,
            Expiry::Keep => old_expiry,
            Expiry::At(at) if at <= now => {
                // An absolute time already past stores nothing and deletes the key, as Redis does.
                self.remove(key);
                return Ok(SetOutcome { written: true, old });
            }
            Expiry::At(at) => at,
        };
        self.store(key, value, expires_at)?;
        Ok(SetOutcome { written: true, old })
    }

    /// EXPIRE: sets a live key's expiry time if `condition` allows; a time already past
    /// deletes the key. Whether the key was changed.
    pub fn expire(&mut self, key: &[u8], at: u64, condition: ExpireIf, now: u64) -> bool {
        let Found::Live(value, old) = self.find(key, now, false) else {
            return false;
        };
        let allowed = match condition {
            ExpireIf::Always => true,
            ExpireIf::NoTtl => old == 0,
            ExpireIf::HasTtl => old != 0,
            // A key without a TTL counts as expiring never, as in Redis.
            ExpireIf::Later => old != 0 && at > old,
            ExpireIf::Sooner => old == 0 || at < old,
        };
        if !allowed {
            return false;
        }
        if at <= now {
            return self.remove(key);
        }
        self.store(key, value, at).is_ok()
    }

    /// TTL: `None` for a missing key, `Some(0)` for a key without TTL, else its expiry time.
    pub fn expiry_of(&mut self, key: &[u8], now: u64) -> Option<u64> {
        match self.find(key, now, false) {
            Found::Live(_, expires_at) => Some(expires_at),
            Found::Absent | Found::Expired => None,
        }
    }

    /// Checks that an entry of this size could be stored at all.
    pub fn check_fits(
        &self,
        key_len: usize,
        value_len: usize,
        has_ttl: bool,
    ) -> Result<(), DbError> {
        let cost = entry_cost(key_len, value_len, has_ttl);
        if cost > self.max_bytes {
            return Err(DbError::TooLarge {
                cost,
                capacity: self.max_bytes,
            });
        }
        Ok(())
    }

    /// Writes a value (the key is known not to be expired), evicting LRU entries to make room.
    fn store(&mut self, key: &[u8], value: Value, expires_at: u64) -> Result<(), DbError> {
        self.check_fits(key.len(), value.len(), expires_at != 0)?;
        let cost = entry_cost(key.len(), value.len(), expires_at != 0);
        // Fast path: overwrite in place when neither the old nor the new entry has a TTL.
        if let Some(entry) = self.map.get_mut(key)
            && entry.expires_at == 0
            && expires_at == 0
        {
            let old_cost = entry_cost(key.len(), entry.value.len(), false);
            entry.value = value;
            self.bytes = self.bytes - old_cost + cost;
            // The key is now the most recently used, so it is the last candidate for eviction
            // and its own cost fits the budget: this never evicts the key itself.
            self.make_room(0, 0);
            return Ok(());
        }
        self.remove(key);
        self.make_room(1, cost);
        let boxed: Box<[u8]> = key.into();
        if expires_at != 0 {
            self.ttl.insert((expires_at, boxed.clone()));
        }
        self.map.push(boxed, Entry { value, expires_at });
        self.bytes += cost;
        Ok(())
    }

    /// INCRBY: adds `delta` to the integer stored at `key` (0 if absent), keeping its TTL.
    pub fn incr_by(&mut self, key: &[u8], delta: i64, now: u64) -> Result<i64, DbError> {
        let (current, expires_at) = match self.find(key, now, true) {
            Found::Live(value, expires_at) => {
                let n = crate::resp::parse::parse_i64(&value).ok_or(DbError::NotInteger)?;
                (n, expires_at)
            }
            Found::Absent | Found::Expired => (0, 0),
        };
        let next = current.checked_add(delta).ok_or(DbError::Overflow)?;
        let text = next.to_string();
        self.store(key, Value::from(text.as_bytes()), expires_at)?;
        Ok(next)
    }

    /// Evicts least recently used entries until `extra_entries` more entries and `extra_bytes`
    /// more bytes fit the budgets.
    fn make_room(&mut self, extra_entries: usize, extra_bytes: usize) {
        while self.map.len() + extra_entries > self.max_entries
            || self.bytes + extra_bytes > self.max_bytes
        {
            let Some((key, entry)) = self.map.pop_lru() else {
                break;
            };
            self.forget(&key, &entry);
            self.counters.evicted += 1;
        }
    }

    /// Removes a key and its accounting; whether it was present.
    fn remove(&mut self, key: &[u8]) -> bool {
        match self.map.pop_entry(key) {
            Some((key, entry)) => {
                self.forget(&key, &entry);
                true
            }
            None => false,
        }
    }

    /// Drops the accounting of an entry already taken out of the map.
    fn forget(&mut self, key: &[u8], entry: &Entry) {
        let has_ttl = entry.expires_at != 0;
        self.bytes -= entry_cost(key.len(), entry.value.len(), has_ttl);
        if has_ttl {
            self.ttl.remove(&(entry.expires_at, Box::from(key)));
        }
    }

    /// Removes up to `budget` entries whose TTL has passed; how many were removed.
    pub fn sweep_expired(&mut self, now: u64, budget: usize) -> usize {
        let mut removed = 0;
        while removed < budget {
            match self.ttl.first() {
                Some((at, _)) if *at <= now => {}
                _ => break,
            }
            let Some((_, key)) = self.ttl.pop_first() else {
                break;
            };
            if let Some(entry) = self.map.pop(&key) {
                self.bytes -= entry_cost(key.len(), entry.value.len(), true);
                self.counters.expired += 1;
            }
            removed += 1;
        }
        removed
    }

    /// Removes every entry (counters are kept).
    pub fn clear(&mut self) {
        self.map.clear();
        self.ttl.clear();
        self.bytes = 0;
    }
}
