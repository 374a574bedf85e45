//! The store, with one to five shards, against a simple model: a Vec ordered from least to
//! most recently used.

use lru_cache_server::db::{Capacity, Db, SetOptions, Value, entry_cost};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Op {
    Set(u8, usize),
    Get(u8),
    Del(u8),
    Exists(u8),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0u8..8, 0usize..300).prop_map(|(k, len)| Op::Set(k, len)),
        (0u8..8).prop_map(Op::Get),
        (0u8..8).prop_map(Op::Del),
        (0u8..8).prop_map(Op::Exists),
    ]
}

/// The reference LRU: front is least recently used.
struct Model {
    entries: Vec<(Vec<u8>, Vec<u8>)>,
    max_entries: usize,
    max_bytes: usize,
}

impl Model {
    fn bytes(&self) -> usize {
        self.entries
            .iter()
            .map(|(k, v)| entry_cost(k.len(), v.len(), false))
            .sum()
    }

    fn take(&mut self, key: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
        let at = self.entries.iter().position(|(k, _)| k == key)?;
        Some(self.entries.remove(at))
    }

    fn set(&mut self, key: Vec<u8>, value: Vec<u8>) -> bool {
        if entry_cost(key.len(), value.len(), false) > self.max_bytes {
            return false;
        }
        self.take(&key);
        self.entries.push((key, value));
        while self.entries.len() > self.max_entries || self.bytes() > self.max_bytes {
            self.entries.remove(0);
        }
        true
    }

    fn get(&mut self, key: &[u8]) -> Option<Vec<u8>> {
        let (k, v) = self.take(key)?;
        self.entries.push((k, v.clone()));
        Some(v)
    }
}

fn key(k: u8) -> Vec<u8> {
    format!("key-{k}").into_bytes()
}

proptest! {
    #[test]
    fn the_store_evicts_exactly_like_a_reference_lru(
        shards in 1usize..6,
        max_entries in 1usize..6,
        max_bytes in 200usize..1200,
        ops in prop::collection::vec(op(), 1..200),
    ) {
        let db = Db::new(Capacity { max_entries, max_bytes, shards });
        let mut model = Model { entries: Vec::new(), max_entries, max_bytes };
        for op in ops {
            match op {
                Op::Set(k, len) => {
                    let value = vec![k; len];
                    let stored = db.set(&key(k), Value::from(&value[..]), SetOptions::PLAIN).is_ok();
                    prop_assert_eq!(stored, model.set(key(k), value));
                }
                Op::Get(k) => {
                    let got = db.get(&key(k)).map(|v| v.to_vec());
                    prop_assert_eq!(got, model.get(&key(k)));
                }
                Op::Del(k) => prop_assert_eq!(db.delete(&key(k)), model.take(&key(k)).is_some()),
                Op::Exists(k) => {
                    let expected = model.entries.iter().any(|(mk, _)| *mk == key(k));
                    prop_assert_eq!(db.exists(&key(k)), expected);
                }
            }
            let stats = db.stats();
            prop_assert_eq!(stats.keys, model.entries.len());
            prop_assert_eq!(stats.used_bytes, model.bytes());
            prop_assert!(stats.keys <= max_entries && stats.used_bytes <= max_bytes);
        }
    }

    #[test]
    fn a_sharded_store_never_exceeds_its_budgets(
        ops in prop::collection::vec((0u16..500, 0usize..200), 1..400),
    ) {
        let capacity = Capacity { max_entries: 50, max_bytes: 8000, shards: 4 };
        let db = Db::new(capacity);
        for (k, len) in ops {
            let _ = db.set(format!("k{k}").as_bytes(), Value::from(vec![1u8; len]), SetOptions::PLAIN);
            let stats = db.stats();
            prop_assert!(stats.keys <= capacity.max_entries);
            prop_assert!(stats.used_bytes <= capacity.max_bytes);
        }
    }
}
