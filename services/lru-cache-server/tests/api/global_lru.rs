//! Exact LRU of the whole store with many shards: through a real client with the default
//! configuration, and with several threads writing and reading at once.

use std::sync::Barrier;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

use lru_cache_server::db::{Capacity, Db, SetOptions};
use redis::AsyncCommands;

use crate::helpers::spawn_app_with;

#[tokio::test]
async fn a_thousand_entries_fill_the_default_store_and_the_least_recently_used_goes_first() {
    let app = spawn_app_with(&[("CACHE_MAX_ENTRIES", "1000")]).await;
    let mut redis = app.redis().await;
    for i in 0..1000 {
        let () = redis.set(format!("key:{i}"), i).await.expect("SET");
    }
    let size: usize = redis::cmd("DBSIZE")
        .query_async(&mut redis)
        .await
        .expect("DBSIZE");
    assert_eq!(size, 1000, "1,000 distinct SETs fit a 1,000-entry store");

    let first: Option<i64> = redis.get("key:0").await.expect("GET");
    assert_eq!(first, Some(0));
    let () = redis.set("key:1000", 1000).await.expect("SET");
    let alive: (bool, bool, bool) = (
        redis.exists("key:0").await.expect("EXISTS"),
        redis.exists("key:1").await.expect("EXISTS"),
        redis.exists("key:2").await.expect("EXISTS"),
    );
    assert_eq!(
        alive,
        (true, false, true),
        "key:1 was the least recently used"
    );
    let size: usize = redis::cmd("DBSIZE")
        .query_async(&mut redis)
        .await
        .expect("DBSIZE");
    assert_eq!(size, 1000);
    let info: String = redis::cmd("INFO")
        .arg("stats")
        .query_async(&mut redis)
        .await
        .expect("INFO");
    assert!(info.contains("evicted_keys:1\r\n"), "{info}");
}

fn old(i: usize) -> String {
    format!("old:{i}")
}

#[test]
fn concurrent_writers_evict_exactly_the_oldest_untouched_keys_and_never_pass_the_budget() {
    const OLD: usize = 150;
    const THREADS: usize = 4;
    const PER_THREAD: usize = 40;
    let capacity = Capacity {
        max_entries: 200,
        max_bytes: 1 << 20,
        shards: 8,
    };
    let db = Db::new(capacity);
    for i in 0..OLD {
        db.set(old(i).as_bytes(), b"v", SetOptions::PLAIN)
            .expect("preload");
    }
    let done = AtomicBool::new(false);
    let start = Barrier::new(THREADS + 1);
    thread::scope(|scope| {
        let watcher = scope.spawn(|| {
            start.wait();
            let mut checks = 0u64;
            loop {
                let (entries, bytes) = db.reserved();
                assert!(entries <= capacity.max_entries && bytes <= capacity.max_bytes);
                checks += 1;
                if done.load(Ordering::Acquire) {
                    return checks;
                }
            }
        });
        let writers: Vec<_> = (0..THREADS)
            .map(|t| {
                let (db, start) = (&db, &start);
                scope.spawn(move || {
                    start.wait();
                    for i in 0..PER_THREAD {
                        db.set(
                            format!("new:{t}:{i}").as_bytes(),
                            b"value",
                            SetOptions::PLAIN,
                        )
                        .expect("SET");
                        // Uses of the 40 newest old keys (none of which is due for eviction) race the
                        // evictions.
                        let _ = db.get(old(OLD - 1 - (t * PER_THREAD + i) % 40).as_bytes());
                    }
                })
            })
            .collect();
        for writer in writers {
            writer.join().expect("writer");
        }
        done.store(true, Ordering::Release);
        assert!(watcher.join().expect("watcher") > 0);
    });
    // 150 old + 160 new in a 200-entry store: exactly 110 evictions, all of them old keys,
    // and the 110 oldest of them, since every new key and every used key is more recent.
    let evicted = OLD + THREADS * PER_THREAD - capacity.max_entries;
    let stats = db.stats();
    assert_eq!(stats.keys, capacity.max_entries);
    assert_eq!(stats.counters.evicted, evicted as u64);
    // Every GET was of a key never due for eviction: all hits.
    let gets = (THREADS * PER_THREAD) as u64;
    assert_eq!((stats.counters.hits, stats.counters.misses), (gets, 0));
    assert_eq!(db.reserved(), (stats.keys, stats.used_bytes));
    let gone: Vec<usize> = (0..OLD)
        .filter(|&i| !db.exists(old(i).as_bytes()))
        .collect();
    assert_eq!(gone, (0..evicted).collect::<Vec<_>>());
    for t in 0..THREADS {
        for i in 0..PER_THREAD {
            assert!(db.exists(format!("new:{t}:{i}").as_bytes()), "new:{t}:{i}");
        }
    }
}

#[test]
fn concurrent_writers_of_mixed_sizes_keep_the_byte_budget_and_the_counters_right() {
    let capacity = Capacity {
        max_entries: 100_000,
        max_bytes: 40_000,
        shards: 16,
    };
    let db = Db::new(capacity);
    let done = AtomicBool::new(false);
    let start = Barrier::new(5);
    thread::scope(|scope| {
        let watcher = scope.spawn(|| {
            start.wait();
            loop {
                let (entries, bytes) = db.reserved();
                assert!(entries <= capacity.max_entries && bytes <= capacity.max_bytes);
                if done.load(Ordering::Acquire) {
                    return;
                }
            }
        });
        let writers: Vec<_> = (0..4)
            .map(|t| {
                let (db, start) = (&db, &start);
                scope.spawn(move || {
                    start.wait();
                    for i in 0..2000usize {
                        let value = vec![b'x'; (i * 37 + t * 11) % 700];
                        let key = format!("k:{}", (i * 7 + t) % 300);
                        db.set(key.as_bytes(), &value, SetOptions::PLAIN)
                            .expect("SET");
                        if i % 3 == 0 {
                            db.delete(format!("k:{}", (i + 5) % 300).as_bytes());
                        }
                    }
                })
            })
            .collect();
        for writer in writers {
            writer.join().expect("writer");
        }
        done.store(true, Ordering::Release);
        watcher.join().expect("watcher");
    });
    let stats = db.stats();
    assert!(stats.used_bytes <= capacity.max_bytes);
    assert_eq!(
        db.reserved(),
        (stats.keys, stats.used_bytes),
        "totals match the shards"
    );
    assert!(stats.counters.evicted > 0, "the budget was reached");
}

/// Runs `uses` on `a` in a full two-entry store, then writes a third key: whether `a` survived.
async fn survives(uses: &[&[&str]]) -> bool {
    let app = spawn_app_with(&[("CACHE_MAX_ENTRIES", "2")]).await;
    let mut redis = app.redis().await;
    let () = redis.set("a", "1").await.expect("SET");
    let () = redis.set("b", "2").await.expect("SET");
    for args in uses {
        let mut cmd = redis::cmd(args[0]);
        for arg in &args[1..] {
            cmd.arg(*arg);
        }
        let _: redis::Value = cmd.query_async(&mut redis).await.expect("the command runs");
    }
    let () = redis.set("c", "3").await.expect("SET");
    redis.exists("a").await.expect("EXISTS")
}

#[tokio::test]
async fn only_commands_that_read_or_write_a_value_count_as_uses() {
    let looks: &[&[&str]] = &[
        &["EXISTS", "a"],
        &["TYPE", "a"],
        &["TTL", "a"],
        &["PTTL", "a"],
        &["EXPIRETIME", "a"],
        &["KEYS", "*"],
        &["SCAN", "0"],
    ];
    assert!(!survives(looks).await, "looking at a key is not a use");
    for used in [
        &["GET", "a"][..],
        &["TOUCH", "a"],
        &["STRLEN", "a"],
        &["GETEX", "a"],
        &["APPEND", "a", "x"],
        &["SET", "a", "9"],
    ] {
        assert!(survives(&[used]).await, "{used:?} is a use");
    }
}

#[tokio::test]
async fn a_renamed_key_is_the_most_recently_used() {
    let app = spawn_app_with(&[("CACHE_MAX_ENTRIES", "2")]).await;
    let mut redis = app.redis().await;
    let () = redis.set("a", "1").await.expect("SET");
    let () = redis.set("b", "2").await.expect("SET");
    let () = redis.rename("a", "renamed").await.expect("RENAME");
    let () = redis.set("c", "3").await.expect("SET");
    let alive: (bool, bool) = (
        redis.exists("renamed").await.expect("EXISTS"),
        redis.exists("b").await.expect("EXISTS"),
    );
    assert_eq!(alive, (true, false));
}

#[tokio::test]
async fn append_past_the_value_limit_is_refused_and_stores_nothing() {
    let app = spawn_app_with(&[("CACHE_MAX_VALUE_BYTES", "10")]).await;
    let mut redis = app.redis().await;
    let () = redis.set("a", "12345678").await.expect("SET");
    let refused: redis::RedisResult<usize> = redis.append("a", "abc").await;
    let err = refused.expect_err("APPEND past the limit");
    assert!(
        err.to_string()
            .contains("string exceeds maximum allowed size (proto-max-bulk-len)"),
        "{err}"
    );
    let value: String = redis.get("a").await.expect("GET");
    assert_eq!(value, "12345678");
}

#[tokio::test]
async fn an_mset_larger_than_the_store_is_refused_whole_and_a_repeated_key_keeps_its_last_value() {
    let app = spawn_app_with(&[("CACHE_MAX_ENTRIES", "2")]).await;
    let mut redis = app.redis().await;
    let refused: redis::RedisResult<()> = redis::cmd("MSET")
        .arg(&["a", "1", "b", "2", "c", "3"])
        .query_async(&mut redis)
        .await;
    let err = refused.expect_err("three keys do not fit two entries");
    assert!(
        err.to_string()
            .contains("writing 3 keys exceeds the store's capacity of 2 keys (CACHE_MAX_ENTRIES)"),
        "{err}"
    );
    let size: usize = redis::cmd("DBSIZE")
        .query_async(&mut redis)
        .await
        .expect("DBSIZE");
    assert_eq!(size, 0, "nothing was stored");
    let () = redis::cmd("MSET")
        .arg(&["a", "1", "b", "2", "a", "3"])
        .query_async(&mut redis)
        .await
        .expect("two distinct keys fit");
    let values: (String, String) = (
        redis.get("a").await.expect("GET"),
        redis.get("b").await.expect("GET"),
    );
    assert_eq!(values, ("3".to_owned(), "2".to_owned()));
}
