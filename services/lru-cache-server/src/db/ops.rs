//! The store's operations behind GETDEL, GETEX, PERSIST, APPEND, STRLEN, TOUCH, EXPIRETIME and
//! RENAME, and INCRBY on a shard.

use super::shard::{Admit, Need, Shard, WriteError, signed};
use super::{Db, DbError, Value, entry_cost, lock};

/// What GETEX does to the key's TTL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GetExpiry {
    /// Leaves it.
    Keep,
    /// Removes it (PERSIST).
    Persist,
    /// Sets this expiry time of the store's clock; a time past deletes the key.
    At(u64),
}

impl Db {
    /// GETDEL: the value of a live key, which is removed.
    pub fn take(&self, key: &[u8]) -> Option<Value> {
        self.on_key(key, |shard, now| {
            let id = shard.find(key, now, false)?;
            let value = Value::from(shard.list.value(id));
            shard.remove(id);
            Some(value)
        })
    }

    /// GETEX: the value of a live key (a use of it), after changing its TTL.
    pub fn get_ex(&self, key: &[u8], expiry: GetExpiry) -> Result<Option<Value>, DbError> {
        self.write(key, |shard, now, admit| {
            let Some(id) = shard.find(key, now, true) else {
                shard.counters.misses += 1;
                return Ok(None);
            };
            shard.counters.hits += 1;
            let value = Value::from(shard.list.value(id));
            match expiry {
                GetExpiry::Keep => {}
                GetExpiry::At(at) if at <= now => shard.remove(id),
                GetExpiry::At(at) => shard.store(key, Some(id), None, at, admit)?,
                GetExpiry::Persist => shard.store(key, Some(id), None, 0, admit)?,
            }
            Ok(Some(value))
        })
    }

    /// PERSIST: removes a live key's TTL; whether it had one.
    pub fn persist(&self, key: &[u8]) -> bool {
        let persisted = self.write(key, |shard, now, admit| {
            match shard.find(key, now, false) {
                Some(id) if shard.list.expires_at(id) != 0 => {
                    // Dropping the TTL shrinks the entry, so this is always admitted.
                    shard.store(key, Some(id), None, 0, admit)?;
                    Ok(true)
                }
                _ => Ok(false),
            }
        });
        persisted.unwrap_or(false)
    }

    /// APPEND: the value's new length (a missing key is created), keeping its TTL; refused
    /// when the value would pass `max_len`.
    pub fn append(&self, key: &[u8], suffix: &[u8], max_len: usize) -> Result<usize, DbError> {
        self.write(key, |shard, now, admit| {
            let found = shard.find(key, now, false);
            let (mut value, expires_at) = match found {
                Some(id) => (shard.list.value(id).to_vec(), shard.list.expires_at(id)),
                None => (Vec::new(), 0),
            };
            if value.len().saturating_add(suffix.len()) > max_len {
                return Err(WriteError::Refused(DbError::StringTooLong));
            }
            value.extend_from_slice(suffix);
            shard.store(key, found, Some(&value), expires_at, admit)?;
            Ok(value.len())
        })
    }

    /// STRLEN: the length of a live key's value (0 when missing); a use of it.
    pub fn strlen(&self, key: &[u8]) -> usize {
        self.on_key(key, |shard, now| {
            shard
                .find(key, now, true)
                .map_or(0, |id| shard.list.lens(id).1)
        })
    }

    /// TOUCH of one key: whether it is live; makes it the most recently used.
    pub fn touch(&self, key: &[u8]) -> bool {
        self.on_key(key, |shard, now| shard.find(key, now, true).is_some())
    }

    /// EXPIRETIME: `None` for a missing key, `Some(None)` without TTL, else the Unix time in
    /// milliseconds at which it expires.
    pub fn expire_time(&self, key: &[u8]) -> Option<Option<i64>> {
        let at = self.on_key(key, |shard, now| shard.expiry_of(key, now))?;
        Some((at != 0).then(|| self.to_unix_ms(at)))
    }

    /// RENAME: moves a live key's value and TTL to `to` (replacing it), as the most recently
    /// used entry, atomically; whether `from` existed.
    pub fn rename(&self, from: &[u8], to: &[u8]) -> Result<bool, DbError> {
        if from == to {
            return Ok(self.exists(from));
        }
        let (a, b) = (self.index(from), self.index(to));
        loop {
            let now = self.now_ms();
            let outcome = if a == b {
                let mut shard = lock(&self.shared.shards[a].shard);
                let before = usage(&shard);
                let result = self.move_entry(&mut shard, None, from, to, now);
                self.settle_moved(a, &shard, before, &result, true, true);
                result
            } else {
                // Shards are locked in index order, as every multi-shard operation does.
                let (low, high) = (a.min(b), a.max(b));
                let mut first = lock(&self.shared.shards[low].shard);
                let mut second = lock(&self.shared.shards[high].shard);
                let (src, dst) = if a < b {
                    (&mut first, &mut second)
                } else {
                    (&mut second, &mut first)
                };
                let (src_before, dst_before) = (usage(src), usage(dst));
                let result = self.move_entry(src, Some(dst), from, to, now);
                self.settle_moved(a, src, src_before, &result, true, false);
                self.settle_moved(b, dst, dst_before, &result, false, false);
                result
            };
            match outcome {
                Ok(moved) => return Ok(moved.is_some()),
                Err(WriteError::Refused(err)) => return Err(err),
                Err(WriteError::Full(need)) => self.shared.evict_for(need),
            }
        }
    }

    /// Moves `from` (in `src`) to `to` (in `dst`, or `src` when `None`). `Ok(Some((source
    /// share, destination share)))` of the reserved room when moved, `Ok(None)` when `from` is
    /// missing.
    fn move_entry(
        &self,
        src: &mut Shard,
        mut dst: Option<&mut Shard>,
        from: &[u8],
        to: &[u8],
        now: u64,
    ) -> Result<Option<(Need, Need)>, WriteError> {
        let Some(id) = src.find(from, now, false) else {
            return Ok(None);
        };
        let (value, expires_at) = (src.list.value(id).to_vec(), src.list.expires_at(id));
        let src_need = Need {
            entries: -1,
            bytes: -signed(src.cost(id)),
            cost: 0,
        };
        let cost = entry_cost(to.len(), value.len(), expires_at != 0);
        let dst_need = {
            let target = dst.as_deref_mut().unwrap_or(&mut *src);
            let found = target.find(to, now, false);
            Need {
                entries: i64::from(found.is_none()),
                bytes: signed(cost) - signed(found.map_or(0, |id| target.cost(id))),
                cost,
            }
        };
        let total = Need {
            entries: src_need.entries + dst_need.entries,
            bytes: src_need.bytes + dst_need.bytes,
            cost,
        };
        // Nothing is changed until the room is reserved.
        self.shared.admit(total, &mut Need::default())?;
        src.remove(id);
        let target = dst.unwrap_or(src);
        let found = target.find(to, now, false);
        target.store(to, found, Some(&value), expires_at, &mut |_| Ok(()))?;
        Ok(Some((src_need, dst_need)))
    }

    /// Settles a shard after RENAME with its share of the reserved room (`both`: the source
    /// and destination are this one shard).
    fn settle_moved(
        &self,
        index: usize,
        shard: &Shard,
        before: (usize, usize),
        result: &Result<Option<(Need, Need)>, WriteError>,
        source: bool,
        both: bool,
    ) {
        let reserved = match result {
            Ok(Some((src, _))) if both => Need {
                entries: src.entries + result_dst(result).entries,
                bytes: src.bytes + result_dst(result).bytes,
                cost: 0,
            },
            Ok(Some((src, _))) if source => *src,
            Ok(Some((_, dst))) => *dst,
            _ => Need::default(),
        };
        self.shared.settle(index, shard, before, reserved);
    }
}

fn result_dst(result: &Result<Option<(Need, Need)>, WriteError>) -> Need {
    match result {
        Ok(Some((_, dst))) => *dst,
        _ => Need::default(),
    }
}

fn usage(shard: &Shard) -> (usize, usize) {
    let (entries, bytes, _) = shard.usage();
    (entries, bytes)
}

impl Shard {
    /// INCRBY: adds `delta` to the integer stored at `key` (0 if absent), keeping its TTL.
    pub fn incr_by(
        &mut self,
        key: &[u8],
        delta: i64,
        now: u64,
        admit: Admit<'_>,
    ) -> Result<i64, WriteError> {
        let found = self.find(key, now, false);
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
        self.store(key, found, Some(text.as_bytes()), expires_at, admit)?;
        Ok(next)
    }
}
