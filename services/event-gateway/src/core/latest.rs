//! The latest version of each (client, event) with its compiled validator, kept in memory
//! for a bounded time so `send_event` does not ask the schema store on every event.
//!
//! Staleness is bounded: an entry older than the time to live is not used (the store is
//! asked again). A registration through this process replaces its entry at once; one
//! through another instance is seen once the entry expires. Versions only grow, so an
//! entry is never replaced by an older version (a read that raced a local registration
//! cannot roll the cache back).

use crate::core::CompiledSchema;
use lru::LruCache;
use std::{
    num::NonZeroUsize,
    sync::Mutex,
    time::{Duration, Instant},
};

/// A latest version and its validator.
#[derive(Clone)]
pub struct Latest {
    /// The version number.
    pub version: i32,
    /// Its compiled validator.
    pub validator: CompiledSchema,
}

struct Entry {
    latest: Latest,
    checked_at: Instant,
}

/// Latest versions by routing key (`{client}.{event}`: names cannot hold a `.`, so the key
/// is unambiguous), least recently used dropped first.
pub struct LatestVersions {
    ttl: Duration,
    entries: Mutex<LruCache<String, Entry>>,
}

impl LatestVersions {
    /// A cache of at most `capacity` entries (at least 1), each used for `ttl` after it was
    /// read from the store. A zero `ttl` caches nothing.
    pub fn new(capacity: usize, ttl: Duration) -> Self {
        let capacity = NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN);
        Self {
            ttl,
            entries: Mutex::new(LruCache::new(capacity)),
        }
    }

    /// The latest version of `key`, if known and younger than the time to live.
    pub fn fresh(&self, key: &str) -> Option<Latest> {
        if self.ttl.is_zero() {
            return None;
        }
        let mut entries = self.entries.lock().ok()?;
        let entry = entries.get(key)?;
        (entry.checked_at.elapsed() < self.ttl).then(|| entry.latest.clone())
    }

    /// Records `latest` as the latest version of `key` as of now, unless a newer version is
    /// already known (then that one stays, with its own age).
    pub fn put(&self, key: &str, latest: Latest) {
        if self.ttl.is_zero() {
            return;
        }
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if let Some(current) = entries.get_mut(key) {
            if current.latest.version > latest.version {
                return;
            }
            *current = Entry {
                latest,
                checked_at: Instant::now(),
            };
            return;
        }
        entries.put(
            key.to_owned(),
            Entry {
                latest,
                checked_at: Instant::now(),
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::validation::compile;
    use serde_json::json;

    fn latest(version: i32) -> Latest {
        Latest {
            version,
            validator: compile(&json!(true)).unwrap(),
        }
    }

    #[test]
    fn an_entry_is_used_until_its_time_to_live_ends() {
        let cache = LatestVersions::new(4, Duration::from_millis(30));
        assert!(cache.fresh("c.e").is_none());
        cache.put("c.e", latest(1));
        assert_eq!(cache.fresh("c.e").map(|l| l.version), Some(1));
        std::thread::sleep(Duration::from_millis(40));
        assert!(cache.fresh("c.e").is_none(), "expired entries are not used");
    }

    #[test]
    fn an_older_version_never_replaces_a_newer_one() {
        let cache = LatestVersions::new(4, Duration::from_secs(60));
        cache.put("c.e", latest(3));
        cache.put("c.e", latest(2));
        assert_eq!(cache.fresh("c.e").map(|l| l.version), Some(3));
        cache.put("c.e", latest(4));
        assert_eq!(cache.fresh("c.e").map(|l| l.version), Some(4));
    }

    #[test]
    fn a_zero_time_to_live_caches_nothing() {
        let cache = LatestVersions::new(4, Duration::ZERO);
        cache.put("c.e", latest(1));
        assert!(cache.fresh("c.e").is_none());
    }
}
