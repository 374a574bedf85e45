//! The store's option, outcome and error types.

use super::Value;
use super::cost::Counters;

/// How long a written key lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expiry {
    /// No TTL (a previous TTL is dropped).
    Never,
    /// Keep the TTL the key already has (KEEPTTL).
    Keep,
    /// Expire at this time of the store's clock ([`Db::now_ms`]).
    At(u64),
}

/// When a SET applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Condition {
    /// Always.
    Always,
    /// Only if the key does not exist (NX).
    IfAbsent,
    /// Only if the key exists (XX).
    IfPresent,
}

/// When an EXPIRE applies (its NX / XX / GT / LT options).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExpireIf {
    /// Always.
    Always,
    /// Only if the key has no TTL (NX).
    NoTtl,
    /// Only if the key has a TTL (XX).
    HasTtl,
    /// Only if the new time is later (GT).
    Later,
    /// Only if the new time is sooner (LT).
    Sooner,
    /// Only if the key has a TTL and the new time is sooner (XX LT).
    SoonerWithTtl,
}

/// The time to live of a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ttl {
    /// No such key.
    Missing,
    /// The key never expires.
    Persistent,
    /// Milliseconds left.
    Remaining(u64),
}

/// Options of a SET.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SetOptions {
    /// TTL of the written key.
    pub expiry: Expiry,
    /// NX / XX.
    pub condition: Condition,
    /// Whether to return the previous value (GET).
    pub get_old: bool,
}

impl SetOptions {
    /// A plain `SET key value`.
    pub const PLAIN: SetOptions = SetOptions {
        expiry: Expiry::Never,
        condition: Condition::Always,
        get_old: false,
    };
}

/// What a SET did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetOutcome {
    /// Whether the value was written (false when NX/XX prevented it).
    pub written: bool,
    /// The previous value, when asked for with `get_old`.
    pub old: Option<Value>,
}

/// Why a write was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DbError {
    /// The entry (or a batch's entries together) is larger than the whole store's budget.
    #[error(
        "writing {cost} bytes exceeds the store's capacity of {capacity} bytes (CACHE_MAX_BYTES)"
    )]
    TooLarge {
        /// The entry's cost (key + value + overhead), or a batch's.
        cost: usize,
        /// `CACHE_MAX_BYTES`.
        capacity: usize,
    },
    /// A batch writes more keys than the whole store holds.
    #[error(
        "writing {entries} keys exceeds the store's capacity of {capacity} keys (CACHE_MAX_ENTRIES)"
    )]
    TooMany {
        /// Distinct keys of the batch.
        entries: usize,
        /// `CACHE_MAX_ENTRIES`.
        capacity: usize,
    },
    /// APPEND past `CACHE_MAX_VALUE_BYTES`.
    #[error("string exceeds maximum allowed size (proto-max-bulk-len)")]
    StringTooLong,
    /// INCR on a value that is not an integer.
    #[error("value is not an integer or out of range")]
    NotInteger,
    /// INCR past i64.
    #[error("increment or decrement would overflow")]
    Overflow,
}

/// Budgets of the whole store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Capacity {
    /// `CACHE_MAX_ENTRIES`.
    pub max_entries: usize,
    /// `CACHE_MAX_BYTES`.
    pub max_bytes: usize,
    /// `CACHE_SHARDS`.
    pub shards: usize,
}

/// A snapshot of the store's size and counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Entries held.
    pub keys: usize,
    /// Entries with a TTL.
    pub expires: usize,
    /// Bytes charged against `CACHE_MAX_BYTES`.
    pub used_bytes: usize,
    /// Summed counters.
    pub counters: Counters,
}
