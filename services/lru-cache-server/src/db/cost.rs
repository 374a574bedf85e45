//! What an entry costs against `CACHE_MAX_BYTES`, and the counters kept per shard.

/// Bytes counted for every entry on top of its key and value, measured with 16-byte keys and
/// 64-byte values (`bench/lru_cache_server.sh`: 1,000,000 entries grew the RSS by 227.8 bytes
/// each, 80 of them payload). It is the `lru` node (56 bytes, a 64-byte allocation), the
/// allocation overhead of the key (16) and of the value with its `Arc` counts (32), and the
/// hash-table slot (17 bytes per bucket, about 36 per entry just after the table doubles).
pub const ENTRY_OVERHEAD: usize = 148;
/// Extra bytes counted for an entry with a TTL, on top of a second copy of its key: its slot in
/// the expiry index and that copy's allocation header.
pub const TTL_OVERHEAD: usize = 48;

/// The bytes an entry is charged against `CACHE_MAX_BYTES`.
pub fn entry_cost(key_len: usize, value_len: usize, has_ttl: bool) -> usize {
    let ttl = if has_ttl { key_len + TTL_OVERHEAD } else { 0 };
    key_len + value_len + ENTRY_OVERHEAD + ttl
}

/// Counters kept per shard (under its lock) and summed on demand.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Reads that found a live key.
    pub hits: u64,
    /// Reads that found nothing (or an expired key).
    pub misses: u64,
    /// Entries removed to make room.
    pub evicted: u64,
    /// Entries removed because their TTL passed.
    pub expired: u64,
}
