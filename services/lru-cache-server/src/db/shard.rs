//! One shard of the store: an exact LRU list ([`List`]) with byte and entry budgets, and an
//! index of expiry times so expired keys can be swept without scanning.

use std::collections::BTreeSet;

use super::cost::{Counters, entry_cost};
use super::list::{Id, List, MAX_LEN};
use super::{Condition, DbError, ExpireIf, Expiry, SetOptions, SetOutcome, Value};

/// An LRU list with its own budgets.
#[derive(Debug)]
pub struct Shard {
    list: List,
    /// `(expiry time, entry)` of every entry with a TTL.
    ttl: BTreeSet<(u64, Id)>,
    bytes: usize,
    max_entries: usize,
    max_bytes: usize,
    /// This shard's counters.
    pub counters: Counters,
}

impl Shard {
    /// An empty shard holding at most `max_entries` entries (and never more than about four
    /// billion) and `max_bytes` bytes.
    pub fn new(max_entries: usize, max_bytes: usize) -> Shard {
        Shard {
            list: List::default(),
            ttl: BTreeSet::new(),
            bytes: 0,
            max_entries: max_entries.min(MAX_LEN),
            max_bytes,
            counters: Counters::default(),
        }
    }

    /// Entries held, bytes charged, entries with a TTL.
    pub fn usage(&self) -> (usize, usize, usize) {
        (self.list.len(), self.bytes, self.ttl.len())
    }

    /// Looks a live key up; `touch` makes it the most recently used. An expired key is removed.
    fn find(&mut self, key: &[u8], now: u64, touch: bool) -> Option<Id> {
        let id = self.list.find(key)?;
        let expires_at = self.list.expires_at(id);
        if expires_at != 0 && expires_at <= now {
            self.remove(id);
            self.counters.expired += 1;
            return None;
        }
        if touch {
            self.list.touch(id);
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
    ) -> Result<SetOutcome, DbError> {
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
        self.store(key, found, Some(value), expires_at)?;
        Ok(SetOutcome { written: true, old })
    }

    /// EXPIRE: sets a live key's expiry time if `condition` allows; a time already past
    /// deletes the key. Whether the key was changed.
    pub fn expire(&mut self, key: &[u8], at: u64, condition: ExpireIf, now: u64) -> bool {
        let Some(id) = self.find(key, now, false) else {
            return false;
        };
        let old = self.list.expires_at(id);
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
            self.remove(id);
            return true;
        }
        self.store(key, Some(id), None, at).is_ok()
    }

    /// TTL: `None` for a missing key, `Some(0)` for a key without TTL, else its expiry time.
    pub fn expiry_of(&mut self, key: &[u8], now: u64) -> Option<u64> {
        self.find(key, now, false)
            .map(|id| self.list.expires_at(id))
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

    /// Writes `value` (`None`: keeps the value of `found`) with an expiry time, as the most
    /// recently used entry, evicting LRU entries to make room. `found` is the key's live entry.
    fn store(
        &mut self,
        key: &[u8],
        found: Option<Id>,
        value: Option<&[u8]>,
        expires_at: u64,
    ) -> Result<(), DbError> {
        let value_len = match (value, found) {
            (Some(value), _) => value.len(),
            (None, Some(id)) => self.list.lens(id).1,
            (None, None) => 0,
        };
        self.check_fits(key.len(), value_len, expires_at != 0)?;
        let cost = entry_cost(key.len(), value_len, expires_at != 0);
        let Some(id) = found else {
            self.make_room(1, cost);
            let id = self.list.insert(key, value.unwrap_or_default(), expires_at);
            if expires_at != 0 {
                self.ttl.insert((expires_at, id));
            }
            self.bytes += cost;
            return Ok(());
        };
        let old_cost = self.cost(id);
        if let Some(value) = value {
            self.list.replace_value(id, value);
        }
        self.retime(id, expires_at);
        self.list.touch(id);
        self.bytes = self.bytes - old_cost + cost;
        // The key is now the most recently used, so it is the last candidate for eviction and
        // its own cost fits the budget: this never evicts the key itself.
        self.make_room(0, 0);
        Ok(())
    }

    /// Changes an entry's expiry time and its place in the expiry index.
    fn retime(&mut self, id: Id, at: u64) {
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
    fn cost(&self, id: Id) -> usize {
        let (key_len, value_len) = self.list.lens(id);
        entry_cost(key_len, value_len, self.list.expires_at(id) != 0)
    }

    /// INCRBY: adds `delta` to the integer stored at `key` (0 if absent), keeping its TTL.
    pub fn incr_by(&mut self, key: &[u8], delta: i64, now: u64) -> Result<i64, DbError> {
        let found = self.find(key, now, true);
        let (current, expires_at) = match found {
            Some(id) => {
                let value = self.list.value(id);
                let n = crate::resp::parse::parse_i64(value).ok_or(DbError::NotInteger)?;
                (n, self.list.expires_at(id))
            }
            None => (0, 0),
        };
        let next = current.checked_add(delta).ok_or(DbError::Overflow)?;
        let text = next.to_string();
        self.store(key, found, Some(text.as_bytes()), expires_at)?;
        Ok(next)
    }

    /// Evicts least recently used entries until `extra_entries` more entries and `extra_bytes`
    /// more bytes fit the budgets.
    fn make_room(&mut self, extra_entries: usize, extra_bytes: usize) {
        while self.list.len() + extra_entries > self.max_entries
            || self.bytes + extra_bytes > self.max_bytes
        {
            let Some(id) = self.list.oldest() else {
                break;
            };
            self.remove(id);
            self.counters.evicted += 1;
        }
    }

    /// Removes an entry and its accounting.
    fn remove(&mut self, id: Id) {
        let (key_len, value_len, expires_at) = self.list.remove(id);
        self.bytes -= entry_cost(key_len, value_len, expires_at != 0);
        if expires_at != 0 {
            self.ttl.remove(&(expires_at, id));
        }
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
