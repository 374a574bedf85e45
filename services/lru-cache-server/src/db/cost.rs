//! What an entry costs against `CACHE_MAX_BYTES`, and the counters kept per shard.

/// Bytes counted for every entry on top of its key and value. Measured with 16-byte keys and
/// 64-byte values (`cargo run -p lru-cache-server --example store_memory`; a debug build
/// allocates the same as a release build): 1,000,000 entries grew the RSS by 138.6 bytes each,
/// 80 of them payload, so 58.6 of overhead. It is the 32-byte slab node (value pointer and
/// length, use stamp, two `u32` links), the hash-table bucket (5 bytes: a `u32` and a control
/// byte; 5.7 to 11.4 bytes per entry as the table fills between doublings) and the entry's
/// allocation: a 4-byte key length plus malloc's 8-byte header and rounding to 16 bytes (16
/// here, 20 on average). 64 covers the worst of those.
pub const ENTRY_OVERHEAD: usize = 64;
/// Extra bytes counted for an entry with a TTL: the expiry time in its allocation (8 bytes,
/// plus the rounding it may cost) and its `(time, slot)` pair (16 bytes) in the expiry index's
/// B-tree, whose nodes are about half full when times only grow. Measured the same way
/// (`store_memory 1000000 ttl`): 53.0 bytes per entry, the allocation here crossing from a
/// 96-byte to a 112-byte chunk.
pub const TTL_OVERHEAD: usize = 56;

/// The bytes an entry is charged against `CACHE_MAX_BYTES`.
pub fn entry_cost(key_len: usize, value_len: usize, has_ttl: bool) -> usize {
    let ttl = if has_ttl { TTL_OVERHEAD } else { 0 };
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
