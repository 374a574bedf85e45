//! LRU eviction over RESP, with one shard so the order is exactly global.

use lru_cache_server::db::entry_cost;

use crate::helpers::{TestApp, command, spawn_app_with, text};

async fn present(app: &TestApp, keys: &[&str]) -> Vec<bool> {
    let mut out = Vec::new();
    for key in keys {
        // EXISTS does not count as a use, so checking does not change the order.
        out.push(app.exchange(&command(&[b"EXISTS", key.as_bytes()])).await == b":1\r\n");
    }
    out
}

#[tokio::test]
async fn touching_the_oldest_key_makes_the_second_oldest_the_one_evicted() {
    let app = spawn_app_with(&[("CACHE_SHARDS", "1"), ("CACHE_MAX_ENTRIES", "3")]).await;
    let request = [
        command(&[b"SET", b"k1", b"1"]),
        command(&[b"SET", b"k2", b"2"]),
        command(&[b"SET", b"k3", b"3"]),
        command(&[b"GET", b"k1"]),
        command(&[b"SET", b"k4", b"4"]),
    ]
    .concat();
    app.exchange(&request).await;
    let alive = present(&app, &["k1", "k2", "k3", "k4"]).await;
    assert_eq!(alive, [true, false, true, true]);
}

#[tokio::test]
async fn overwriting_a_key_counts_as_a_use() {
    let app = spawn_app_with(&[("CACHE_SHARDS", "1"), ("CACHE_MAX_ENTRIES", "3")]).await;
    let request = [
        command(&[b"SET", b"k1", b"1"]),
        command(&[b"SET", b"k2", b"2"]),
        command(&[b"SET", b"k3", b"3"]),
        command(&[b"SET", b"k1", b"one"]),
        command(&[b"SET", b"k4", b"4"]),
        command(&[b"SET", b"k5", b"5"]),
    ]
    .concat();
    app.exchange(&request).await;
    let alive = present(&app, &["k1", "k2", "k3", "k4", "k5"]).await;
    assert_eq!(alive, [true, false, false, true, true]);
    let info = text(&app.exchange(&command(&[b"INFO", b"stats"])).await);
    assert!(info.contains("evicted_keys:2\r\n"), "{info}");
}

#[tokio::test]
async fn the_byte_budget_evicts_least_recently_used_entries_until_a_write_fits() {
    let cost = entry_cost(2, 100, false);
    let max_bytes = (3 * cost).to_string();
    let app = spawn_app_with(&[
        ("CACHE_SHARDS", "1"),
        ("CACHE_MAX_BYTES", &max_bytes),
        ("CACHE_MAX_VALUE_BYTES", "300"),
    ])
    .await;
    let value = [b'v'; 100];
    let request = [
        command(&[b"SET", b"k1", &value]),
        command(&[b"SET", b"k2", &value]),
        command(&[b"SET", b"k3", &value]),
        command(&[b"GET", b"k1"]),
        command(&[b"SET", b"k4", &value]),
    ]
    .concat();
    app.exchange(&request).await;
    assert_eq!(
        present(&app, &["k1", "k2", "k3", "k4"]).await,
        [true, false, true, true]
    );

    // A value twice as large needs the room of the two least recently used, k3 and k1.
    app.exchange(&command(&[b"SET", b"k5", &[b'w'; 200]])).await;
    let alive = present(&app, &["k1", "k3", "k4", "k5"]).await;
    assert_eq!(alive, [false, false, true, true]);
}

#[tokio::test]
async fn an_entry_larger_than_the_whole_cache_is_refused_with_oom() {
    let max_bytes = (3 * entry_cost(2, 100, false)).to_string();
    let app = spawn_app_with(&[
        ("CACHE_MAX_BYTES", &max_bytes),
        ("CACHE_MAX_VALUE_BYTES", "300"),
    ])
    .await;
    let request = [
        command(&[b"SET", b"small", b"v"]),
        command(&[b"SET", &[b'k'; 300], &[b'v'; 300]]),
        command(&[b"DBSIZE"]),
    ]
    .concat();
    let reply = text(&app.exchange(&request).await);
    let cost = entry_cost(300, 300, false);
    let expected = format!(
        "+OK\r\n-OOM command not allowed: writing {cost} bytes exceeds the store's \
         capacity of {max_bytes} bytes (CACHE_MAX_BYTES)\r\n:1\r\n"
    );
    assert_eq!(reply, expected);
}

#[tokio::test]
async fn used_memory_counts_keys_values_and_the_per_entry_overhead() {
    let app = spawn_app_with(&[("CACHE_SHARDS", "1")]).await;
    app.exchange(&command(&[b"SET", b"key", &[b'v'; 64]])).await;
    let info = text(&app.exchange(&command(&[b"INFO", b"memory"])).await);
    let expected = format!("used_memory:{}\r\n", entry_cost(3, 64, false));
    assert!(info.contains(&expected), "{info}");
}
