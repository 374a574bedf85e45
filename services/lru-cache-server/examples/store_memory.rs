//! Measures the store's memory per entry without the network: 1,000,000 SETs of 64-byte values
//! under distinct 16-byte keys (`key:%012d`, as `bench/lru_cache_server.sh` sends them), with the
//! bench's capacity (16 shards, 512 MiB, 4,000,000 entries). Prints the RSS growth per entry
//! (from `/proc/self/statm`) next to the bytes charged per entry (`INFO used_memory`).
//!
//! Run: `cargo run --release -p lru-cache-server --example store_memory [keys] [ttl]`
//! (any second argument gives every key a one-hour TTL).

use lru_cache_server::db::{Capacity, Db, Expiry, SetOptions};

/// Resident set size of this process in bytes (Linux, 4 KiB pages).
fn rss_bytes() -> f64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: f64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0.0);
    pages * 4096.0
}

fn main() {
    let mut args = std::env::args().skip(1);
    let keys: u64 = args
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    let with_ttl = args.next().is_some();
    let db = Db::new(Capacity {
        max_entries: 4_000_000,
        max_bytes: 512 << 20,
        shards: 16,
    });
    let value = [b'x'; 64];
    let mut options = SetOptions::PLAIN;
    let before = rss_bytes();
    for i in 0..keys {
        if with_ttl {
            options.expiry = Expiry::At(db.now_ms() + 3_600_000);
        }
        let key = format!("key:{i:012}");
        let _ = db.set(key.as_bytes(), &value[..], options);
    }
    let after = rss_bytes();
    let stats = db.stats();
    let n = stats.keys as f64;
    println!(
        "keys {} ttl {with_ttl}: RSS growth {:.1} B/entry, charged {:.1} B/entry",
        stats.keys,
        (after - before) / n,
        stats.used_bytes as f64 / n
    );
}
