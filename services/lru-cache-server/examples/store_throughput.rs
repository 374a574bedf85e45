//! Measures the store alone (no network): SET/GET of 64-byte values over 100,000 random keys,
//! with 1 and 16 shards, on 1 and 2 threads. Shows what the LRU bookkeeping costs next to a
//! request's network round trip.
//!
//! Run: `cargo run --release -p lru-cache-server --example store_throughput`

use std::time::Instant;

use lru_cache_server::db::{Capacity, Db, SetOptions, Value};

const KEYS: u64 = 100_000;
const OPS_PER_THREAD: u64 = 4_000_000;

fn run(db: &Db, seed: u64) {
    let value = Value::from(vec![b'x'; 64]);
    let mut state = seed | 1;
    for i in 0..OPS_PER_THREAD {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let key = format!("key:{:012}", state % KEYS);
        if i % 2 == 0 {
            let _ = db.set(key.as_bytes(), Value::clone(&value), SetOptions::PLAIN);
        } else {
            let _ = db.get(key.as_bytes());
        }
    }
}

fn main() {
    for shards in [1, 16] {
        for threads in [1u64, 2] {
            let db = Db::new(Capacity {
                max_entries: 1_000_000,
                max_bytes: 512 * 1024 * 1024,
                shards,
            });
            let start = Instant::now();
            std::thread::scope(|scope| {
                for t in 0..threads {
                    let db = &db;
                    scope.spawn(move || run(db, 0x9E37_79B9_7F4A_7C15 + t));
                }
            });
            let elapsed = start.elapsed().as_secs_f64();
            let ops = (OPS_PER_THREAD * threads) as f64;
            println!(
                "shards={shards:2} threads={threads}: {:>6.2} M ops/s, {:>5.0} ns/op per thread",
                ops / elapsed / 1e6,
                elapsed * 1e9 / OPS_PER_THREAD as f64
            );
        }
    }
}
