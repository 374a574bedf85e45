//! MULTI, EXEC, DISCARD, WATCH and UNWATCH: replies compared with redis-server 7, WATCH
//! aborting on another client's write, on a write through the HTTP API, on eviction and on
//! expiry, and the queue's size limit.

use std::time::{Duration, Instant};

use crate::helpers::{command, exchange_on, spawn_app, spawn_app_with, text};
use crate::resp_reader::send_and_read;
use crate::resp3::{both, unique_key};

#[tokio::test]
async fn transaction_replies_and_errors_match_redis_server() {
    let (k, n) = (unique_key("tx"), unique_key("n"));
    let (k, n) = (k.as_bytes(), n.as_bytes());
    let requests = [
        command(&[b"EXEC"]),
        command(&[b"DISCARD"]),
        command(&[b"UNWATCH"]),
        command(&[b"MULTI"]),
        command(&[b"MULTI"]),
        command(&[b"WATCH", k]),
        command(&[b"SET", k, b"1"]),
        command(&[b"INCR", k]),
        command(&[b"SET", k, b"v", b"BADOPTION"]),
        command(&[b"GET", k]),
        command(&[b"DEL", k]),
        command(&[b"EXEC"]),
        command(&[b"MULTI"]),
        command(&[b"SET", n, b"1"]),
        command(&[b"NOSUCHCOMMAND"]),
        command(&[b"GET"]),
        command(&[b"EXEC"]),
        command(&[b"GET", n]),
        command(&[b"MULTI"]),
        command(&[b"SET", n, b"1"]),
        command(&[b"DISCARD"]),
        command(&[b"GET", n]),
        command(&[b"MULTI", b"extra"]),
        command(&[b"EXEC", b"extra"]),
        command(&[b"WATCH"]),
        command(&[b"WATCH", k, n]),
        command(&[b"MULTI"]),
        command(&[b"EXEC"]),
        command(&[b"HELLO", b"3"]),
        command(&[b"MULTI"]),
        command(&[b"GET", n]),
        command(&[b"EXEC"]),
    ];
    for (request, ours, redis) in both(&requests).await {
        assert_eq!(ours, redis, "reply to {request:?}");
    }
}

#[tokio::test]
async fn a_watched_key_written_by_another_client_makes_exec_return_a_null_array() {
    let app = spawn_app().await;
    let mut watcher = app.connect().await;
    let mut other = app.connect().await;
    exchange_on(&mut watcher, &command(&[b"WATCH", b"balance"])).await;
    exchange_on(&mut other, &command(&[b"SET", b"balance", b"10"])).await;
    let queued = [
        command(&[b"MULTI"]),
        command(&[b"SET", b"balance", b"99"]),
        command(&[b"EXEC"]),
        command(&[b"GET", b"balance"]),
    ]
    .concat();
    let reply = send_and_read(&mut watcher, &queued, 4).await;
    assert_eq!(text(&reply), "+OK\r\n+QUEUED\r\n*-1\r\n$2\r\n10\r\n");
    // The watch ended with EXEC: the next transaction runs.
    let again = [
        command(&[b"MULTI"]),
        command(&[b"SET", b"balance", b"99"]),
        command(&[b"EXEC"]),
    ]
    .concat();
    let reply = send_and_read(&mut watcher, &again, 3).await;
    assert_eq!(text(&reply), "+OK\r\n+QUEUED\r\n*1\r\n+OK\r\n");
}

#[tokio::test]
async fn an_untouched_watch_lets_exec_run_and_a_flush_or_mset_aborts_it() {
    let app = spawn_app().await;
    let mut watcher = app.connect().await;
    let mut other = app.connect().await;
    let tx = [
        command(&[b"MULTI"]),
        command(&[b"INCR", b"n"]),
        command(&[b"EXEC"]),
    ]
    .concat();
    let watch = command(&[b"WATCH", b"n"]);
    exchange_on(&mut watcher, &watch).await;
    exchange_on(&mut other, &command(&[b"SET", b"unrelated", b"1"])).await;
    assert_eq!(
        text(&send_and_read(&mut watcher, &tx, 3).await),
        "+OK\r\n+QUEUED\r\n*1\r\n:1\r\n"
    );
    exchange_on(&mut watcher, &watch).await;
    exchange_on(&mut other, &command(&[b"FLUSHALL"])).await;
    assert_eq!(
        text(&send_and_read(&mut watcher, &tx, 3).await),
        "+OK\r\n+QUEUED\r\n*-1\r\n"
    );
    exchange_on(&mut watcher, &watch).await;
    exchange_on(&mut other, &command(&[b"MSET", b"a", b"1", b"n", b"5"])).await;
    assert_eq!(
        text(&send_and_read(&mut watcher, &tx, 3).await),
        "+OK\r\n+QUEUED\r\n*-1\r\n"
    );
    exchange_on(&mut watcher, &watch).await;
    exchange_on(&mut watcher, &command(&[b"UNWATCH"])).await;
    exchange_on(&mut other, &command(&[b"DEL", b"n"])).await;
    assert_eq!(
        text(&send_and_read(&mut watcher, &tx, 3).await),
        "+OK\r\n+QUEUED\r\n*1\r\n:1\r\n"
    );
}

/// MULTI, INCR of `key`, EXEC.
fn incr_transaction(key: &[u8]) -> Vec<u8> {
    [
        command(&[b"MULTI"]),
        command(&[b"INCR", key]),
        command(&[b"EXEC"]),
    ]
    .concat()
}

const ABORTED: &str = "+OK\r\n+QUEUED\r\n*-1\r\n";

#[tokio::test]
async fn a_watched_key_written_or_deleted_through_the_http_api_aborts_exec() {
    let app = spawn_app().await;
    let mut watcher = app.connect().await;
    let tx = incr_transaction(b"n");
    exchange_on(&mut watcher, &command(&[b"WATCH", b"n"])).await;
    let stored = app
        .post_storage("application/x-www-form-urlencoded", "n=5")
        .await;
    assert_eq!(stored.status(), 201);
    assert_eq!(text(&send_and_read(&mut watcher, &tx, 3).await), ABORTED);

    exchange_on(&mut watcher, &command(&[b"WATCH", b"n"])).await;
    assert!(app.delete_key("n").await.status().is_success());
    assert_eq!(text(&send_and_read(&mut watcher, &tx, 3).await), ABORTED);
}

#[tokio::test]
async fn a_watched_key_evicted_by_another_clients_writes_aborts_exec() {
    // Two entries in the whole store, spread over the default shards: the third key evicts
    // the least recently used one, the watched key (WATCH is not a use).
    let app = spawn_app_with(&[("CACHE_MAX_ENTRIES", "2")]).await;
    let mut watcher = app.connect().await;
    let mut other = app.connect().await;
    exchange_on(&mut watcher, &command(&[b"SET", b"n", b"1"])).await;
    exchange_on(&mut watcher, &command(&[b"WATCH", b"n"])).await;
    exchange_on(&mut other, &command(&[b"SET", b"b", b"1"])).await;
    exchange_on(&mut other, &command(&[b"SET", b"c", b"1"])).await;
    let reply = exchange_on(&mut other, &command(&[b"EXISTS", b"n"])).await;
    assert_eq!(text(&reply), ":0\r\n", "n should have been evicted");
    assert_eq!(
        text(&send_and_read(&mut watcher, &incr_transaction(b"n"), 3).await),
        ABORTED
    );
}

#[tokio::test]
async fn a_watched_key_that_expires_and_is_removed_aborts_exec() {
    let app = spawn_app().await;
    let mut watcher = app.connect().await;
    let mut other = app.connect().await;
    exchange_on(&mut watcher, &command(&[b"SET", b"n", b"1", b"PX", b"100"])).await;
    exchange_on(&mut watcher, &command(&[b"WATCH", b"n"])).await;
    // Another client's EXISTS meets the key once its TTL passed and removes it.
    let deadline = Instant::now() + Duration::from_secs(5);
    while text(&exchange_on(&mut other, &command(&[b"EXISTS", b"n"])).await) != ":0\r\n" {
        assert!(Instant::now() < deadline, "n never expired");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        text(&send_and_read(&mut watcher, &incr_transaction(b"n"), 3).await),
        ABORTED
    );
}

#[tokio::test]
async fn a_transaction_past_the_request_limit_is_refused_and_aborted() {
    let app = spawn_app_with(&[
        ("CACHE_MAX_VALUE_BYTES", "1024"),
        ("CACHE_MAX_REQUEST_BYTES", "100000"),
    ])
    .await;
    let mut stream = app.connect().await;
    send_and_read(&mut stream, &command(&[b"MULTI"]), 1).await;
    let value = vec![b'v'; 1000];
    let set = command(&[b"SET", b"k", &value]);
    let reply = text(&send_and_read(&mut stream, &set.repeat(96), 96).await);
    // Each SET counts its 1004 argument bytes plus 16 per argument: 95 fit in 100,000.
    assert_eq!(reply.matches("+QUEUED").count(), 95, "{reply}");
    assert!(
        reply.ends_with("-ERR transaction larger than 100000 bytes (CACHE_MAX_REQUEST_BYTES)\r\n"),
        "{reply}"
    );
    let exec = text(&send_and_read(&mut stream, &command(&[b"EXEC"]), 1).await);
    assert_eq!(
        exec,
        "-EXECABORT Transaction discarded because of previous errors.\r\n"
    );
    assert_eq!(text(&app.exchange(&command(&[b"DBSIZE"])).await), ":0\r\n");
}
