//! PERSIST, UNLINK, KEYS, TYPE, GETDEL, GETEX, SETNX, STRLEN, APPEND, EXPIREAT, PEXPIREAT,
//! EXPIRETIME, PEXPIRETIME, TOUCH, RENAME and SCAN: byte for byte against redis-server 7 (the
//! shared one at 127.0.0.1:6379, under keys no one else uses), and through the `redis` crate.

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use redis::AsyncCommands;
use tokio::net::TcpStream;

use crate::helpers::{command, exchange_on, spawn_app, spawn_app_with, text};

/// A key prefix no other test or user of the shared redis-server has.
fn unique_prefix() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("lru22-{}-{nanos}", std::process::id())
}

/// The requests, `K` standing for the unique prefix. Times are absolute or whole seconds, so
/// both servers must give the same bytes.
const REQUESTS: &[&str] = &[
    "SET K:a hello",
    "APPEND K:a _world",
    "STRLEN K:a",
    "STRLEN K:none",
    "APPEND K:new x",
    "GETDEL K:new",
    "GETDEL K:new",
    "SETNX K:a other",
    "SETNX K:b v",
    "TYPE K:a",
    "TYPE K:none",
    "TOUCH K:a K:none K:b K:a",
    "PERSIST K:a",
    "EXPIRE K:a 100",
    "PERSIST K:a",
    "TTL K:a",
    "EXPIREAT K:a 4102444800",
    "EXPIRETIME K:a",
    "PEXPIRETIME K:a",
    "PEXPIREAT K:a 4102444800123",
    "PEXPIRETIME K:a",
    "EXPIRETIME K:a",
    "EXPIRETIME K:none",
    "PEXPIRETIME K:b",
    "EXPIRE K:a 10 NX XX",
    "EXPIRE K:a 10 GT LT",
    "EXPIRE K:a abc NX LT",
    "EXPIRE K:a abc",
    "EXPIRE K:a 10 FOO",
    "EXPIREAT K:a 10 nx",
    "EXPIRE K:a 10 XX GT",
    "EXPIRE K:b 10 XX LT",
    "EXPIRE K:b 10 LT",
    "PERSIST K:b",
    "GETEX K:a",
    "GETEX K:a PERSIST",
    "TTL K:a",
    "GETEX K:a EX 100",
    "TTL K:a",
    "GETEX K:a PX 0",
    "GETEX K:a EX -5",
    "GETEX K:a EX abc",
    "GETEX K:none EX abc",
    "GETEX K:a PERSIST EX 10",
    "GETEX K:a EX",
    "GETEX K:a FOO",
    "GETEX K:a EXAT 4102444800",
    "EXPIRETIME K:a",
    "RENAME K:a K:c",
    "GET K:a",
    "GET K:c",
    "EXPIRETIME K:c",
    "RENAME K:none K:d",
    "RENAME K:c K:c",
    "RENAME K:c K:b",
    "GET K:b",
    "TTL K:b",
    "KEYS K:[a-c]*",
    "KEYS K:?",
    "KEYS K:\\b",
    "SCAN abc",
    "SCAN 0 COUNT 0",
    "SCAN 0 COUNT abc",
    "SCAN 0 FOO bar",
    "SCAN 0 MATCH",
    "SCAN 0 TYPE",
    "APPEND K:a",
    "GETEX",
    "RENAME K:a",
    "SET K:e 1",
    "UNLINK K:e K:none K:e",
    "SET K:f 1",
    "GETEX K:f PXAT 1",
    "EXISTS K:f",
    "EXPIREAT K:b -1",
    "EXISTS K:b",
];

async fn run_all(stream: &mut TcpStream, prefix: &str) -> Vec<String> {
    let mut replies = Vec::new();
    for request in REQUESTS {
        let line = request.replace('K', prefix);
        let args: Vec<&[u8]> = line.split(' ').map(str::as_bytes).collect();
        let reply = exchange_on(stream, &command(&args)).await;
        replies.push(format!("{request} -> {}", text(&reply)));
    }
    replies
}

#[tokio::test]
async fn replies_match_redis_server_byte_for_byte() {
    let app = spawn_app().await;
    let prefix = unique_prefix();
    let mut ours = app.connect().await;
    let mut redis = TcpStream::connect("127.0.0.1:6379")
        .await
        .expect("redis-server 7 listens on 127.0.0.1:6379");
    let expected = run_all(&mut redis, &prefix).await;
    let got = run_all(&mut ours, &prefix).await;
    for (want, have) in expected.iter().zip(&got) {
        assert_eq!(have, want);
    }
    // Leave nothing behind on the shared server.
    let keys: Vec<String> = ["a", "b", "c", "d", "e", "f", "new"]
        .iter()
        .map(|k| format!("{prefix}:{k}"))
        .collect();
    let mut del: Vec<&[u8]> = vec![b"DEL"];
    del.extend(keys.iter().map(|k| k.as_bytes()));
    exchange_on(&mut redis, &command(&del)).await;
}

#[tokio::test]
async fn the_redis_crate_drives_every_new_command() {
    let app = spawn_app().await;
    let mut r = app.redis().await;
    let () = r.set("a", "hello").await.expect("SET");
    assert_eq!(
        r.append::<_, _, usize>("a", " world")
            .await
            .expect("APPEND"),
        11
    );
    assert_eq!(r.strlen::<_, usize>("a").await.expect("STRLEN"), 11);
    assert!(r.set_nx::<_, _, bool>("b", "1").await.expect("SETNX"));
    assert!(!r.set_nx::<_, _, bool>("b", "2").await.expect("SETNX"));
    assert_eq!(r.key_type::<_, String>("a").await.expect("TYPE"), "string");
    assert_eq!(r.key_type::<_, String>("zz").await.expect("TYPE"), "none");
    assert_eq!(
        redis::cmd("TOUCH")
            .arg("a")
            .arg("b")
            .arg("zz")
            .query_async::<usize>(&mut r)
            .await
            .expect("TOUCH"),
        2
    );
    assert!(r.expire::<_, bool>("a", 100).await.expect("EXPIRE"));
    assert!(r.persist::<_, bool>("a").await.expect("PERSIST"));
    assert_eq!(r.ttl::<_, i64>("a").await.expect("TTL"), -1);
    assert!(
        r.expire_at::<_, bool>("a", 4_102_444_800)
            .await
            .expect("EXPIREAT")
    );
    assert_eq!(
        r.expire_time::<_, i64>("a").await.expect("EXPIRETIME"),
        4_102_444_800
    );
    assert!(
        r.pexpire_at::<_, bool>("a", 4_102_444_800_123)
            .await
            .expect("PEXPIREAT")
    );
    let at: i64 = r.pexpire_time("a").await.expect("PEXPIRETIME");
    assert_eq!(at, 4_102_444_800_123);
    let value: Option<String> = r.get_ex("a", redis::Expiry::PERSIST).await.expect("GETEX");
    assert_eq!(value.as_deref(), Some("hello world"));
    assert_eq!(r.ttl::<_, i64>("a").await.expect("TTL"), -1);
    let () = r.rename("a", "c").await.expect("RENAME");
    assert_eq!(
        r.get_del::<_, Option<String>>("c")
            .await
            .expect("GETDEL")
            .as_deref(),
        Some("hello world")
    );
    assert!(!r.exists::<_, bool>("c").await.expect("EXISTS"));
    let keys: Vec<String> = r.keys("*").await.expect("KEYS");
    assert_eq!(keys, ["b"]);
    assert_eq!(r.unlink::<_, usize>(&["b", "zz"]).await.expect("UNLINK"), 1);
    let renamed: redis::RedisResult<()> = r.rename("nothing", "x").await;
    let err = renamed.expect_err("RENAME of a missing key fails");
    assert!(err.to_string().contains("no such key"), "{err}");
}

#[tokio::test]
async fn a_full_scan_returns_every_key_present_throughout_once_while_others_come_and_go() {
    let app = spawn_app_with(&[("CACHE_SHARDS", "4")]).await;
    let mut r = app.redis().await;
    for i in 0..600 {
        let () = r.set(format!("stable:{i}"), i).await.expect("SET");
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut cursor = 0u64;
    let mut round = 0usize;
    loop {
        let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("COUNT")
            .arg(37)
            .query_async(&mut r)
            .await
            .expect("SCAN");
        for key in keys {
            *seen.entry(key).or_default() += 1;
        }
        // Churn between pages: new keys, and deletions that free slots for reuse.
        for j in 0..20 {
            let () = r.set(format!("churn:{round}:{j}"), j).await.expect("SET");
        }
        if round > 0 {
            for j in 0..15 {
                let _: usize = r
                    .del(format!("churn:{}:{j}", round - 1))
                    .await
                    .expect("DEL");
            }
        }
        round += 1;
        if next == 0 {
            break;
        }
        cursor = next;
        assert!(round < 10_000, "the iteration ends");
    }
    for i in 0..600 {
        assert_eq!(seen.get(&format!("stable:{i}")), Some(&1), "stable:{i}");
    }
}

#[tokio::test]
async fn scan_filters_by_match_and_type() {
    let app = spawn_app().await;
    let mut r = app.redis().await;
    for key in ["user:1", "user:2", "session:1"] {
        let () = r.set(key, "v").await.expect("SET");
    }
    let scan = |pattern: &'static str, kind: &'static str| {
        let mut cmd = redis::cmd("SCAN");
        cmd.arg(0)
            .arg("MATCH")
            .arg(pattern)
            .arg("COUNT")
            .arg(1000)
            .arg("TYPE")
            .arg(kind);
        cmd
    };
    let (cursor, mut keys): (u64, Vec<String>) = scan("user:*", "string")
        .query_async(&mut r)
        .await
        .expect("SCAN");
    keys.sort();
    assert_eq!(
        (cursor, keys),
        (0, vec!["user:1".to_owned(), "user:2".to_owned()])
    );
    let (_, keys): (u64, Vec<String>) = scan("*", "list").query_async(&mut r).await.expect("SCAN");
    assert!(keys.is_empty());
}
