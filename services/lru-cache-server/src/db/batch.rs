//! Writes of many pairs: MSET, atomic (every shard involved is locked at once, in index
//! order), and the HTTP POST, atomic per shard (one shard locked at a time).

use std::collections::HashMap;

use bytes::Bytes;

use super::shard::{Need, Shard, signed};
use super::{Db, DbError, MutexGuard, SetOptions, entry_cost, lock};

/// The pairs that end up stored (the last one of each key), in request order, and the shard
/// of each.
struct Plan {
    /// `(shard, pair index)`.
    writes: Vec<(usize, usize)>,
}

impl Db {
    /// MSET: writes every pair atomically; a key given twice keeps its last value. Refused as
    /// a whole when the pairs alone could not fit the store's budgets.
    pub fn set_many(&self, pairs: &[(Bytes, Bytes)]) -> Result<(), DbError> {
        let plan = self.plan(pairs)?;
        self.write_plan(pairs, &plan.writes);
        Ok(())
    }

    /// Writes every pair, atomically within each shard but not across shards, so no lock is
    /// held for more than one shard's share of the pairs. Same refusals as [`Db::set_many`],
    /// decided before anything is written.
    pub fn set_many_per_shard(&self, pairs: &[(Bytes, Bytes)]) -> Result<(), DbError> {
        let plan = self.plan(pairs)?;
        let mut by_shard: HashMap<usize, Vec<(usize, usize)>> = HashMap::new();
        for &(shard, pair) in &plan.writes {
            by_shard.entry(shard).or_default().push((shard, pair));
        }
        for writes in by_shard.values() {
            self.write_plan(pairs, writes);
        }
        Ok(())
    }

    /// Finds the last pair of each key and checks the pairs fit the budgets on their own.
    fn plan(&self, pairs: &[(Bytes, Bytes)]) -> Result<Plan, DbError> {
        let mut last: HashMap<&[u8], usize> = HashMap::with_capacity(pairs.len());
        for (i, (key, _)) in pairs.iter().enumerate() {
            last.insert(key, i);
        }
        let mut bytes = 0usize;
        let mut writes = Vec::with_capacity(last.len());
        for (i, (key, value)) in pairs.iter().enumerate() {
            if last.get(&key[..]) != Some(&i) {
                continue;
            }
            let cost = entry_cost(key.len(), value.len(), false);
            if cost > self.shared.max_bytes {
                return Err(DbError::TooLarge {
                    cost,
                    capacity: self.shared.max_bytes,
                });
            }
            bytes = bytes.saturating_add(cost);
            writes.push((self.index(key), i));
        }
        if bytes > self.shared.max_bytes {
            return Err(DbError::TooLarge {
                cost: bytes,
                capacity: self.shared.max_bytes,
            });
        }
        if writes.len() > self.shared.max_entries {
            return Err(DbError::TooMany {
                entries: writes.len(),
                capacity: self.shared.max_entries,
            });
        }
        Ok(Plan { writes })
    }

    /// Writes `(shard, pair)` in order with their shards locked together, evicting (with no
    /// lock held) and trying again until all of them fit. They fit an empty store (checked by
    /// [`Db::plan`]), so this ends.
    fn write_plan(&self, pairs: &[(Bytes, Bytes)], writes: &[(usize, usize)]) {
        let mut indices: Vec<usize> = writes.iter().map(|&(shard, _)| shard).collect();
        indices.sort_unstable();
        indices.dedup();
        loop {
            let now = self.now_ms();
            let mut guards: Vec<MutexGuard<'_, Shard>> = indices
                .iter()
                .map(|&i| lock(&self.shared.shards[i].shard))
                .collect();
            let before: Vec<(usize, usize)> =
                guards.iter().map(|g| (g.usage().0, g.usage().1)).collect();
            let slot = |shard: usize| indices.binary_search(&shard).unwrap_or_default();
            let mut needs = vec![Need::default(); indices.len()];
            for &(shard, pair) in writes {
                let (key, value) = &pairs[pair];
                let need = guards[slot(shard)].need_for(key, value.len(), now);
                add_need(&mut needs[slot(shard)], need);
            }
            let mut total = Need::default();
            needs.iter().for_each(|need| add_need(&mut total, *need));
            let mut admitted = Need::default();
            let admit = self.shared.admit(total, &mut admitted);
            if admit.is_ok() {
                for &(shard, pair) in writes {
                    let (key, value) = &pairs[pair];
                    // Room for every pair was reserved above.
                    let _ = guards[slot(shard)].set(
                        key,
                        value,
                        SetOptions::PLAIN,
                        now,
                        &mut |_| Ok(()),
                    );
                }
            }
            for (at, guard) in guards.iter().enumerate() {
                let reserved = if admit.is_ok() {
                    needs[at]
                } else {
                    Need::default()
                };
                self.shared.settle(indices[at], guard, before[at], reserved);
            }
            drop(guards);
            match admit {
                Ok(()) => return,
                Err(_) => self.shared.evict_for(total),
            }
        }
    }
}

fn add_need(sum: &mut Need, need: Need) {
    sum.entries += need.entries;
    sum.bytes += need.bytes;
    sum.cost = sum.cost.max(need.cost);
}

impl Shard {
    /// The room a plain write of `value_len` bytes to `key` needs.
    fn need_for(&mut self, key: &[u8], value_len: usize, now: u64) -> Need {
        let cost = entry_cost(key.len(), value_len, false);
        let found = self.find(key, now, false);
        Need {
            entries: i64::from(found.is_none()),
            bytes: signed(cost) - signed(found.map_or(0, |id| self.cost(id))),
            cost,
        }
    }
}
