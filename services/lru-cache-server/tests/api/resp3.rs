//! HELLO and RESP3: reply bytes against redis-server 7 (the shared one at 127.0.0.1:6379,
//! touched only through unique key names), the `redis` crate in RESP3 mode and `redis-cli -3`.

use redis::AsyncCommands;
use tokio::net::TcpStream;

use crate::helpers::{command, exchange_on, spawn_app, text};
use crate::resp_reader::send_and_read;

/// The reference server; shared, so never flushed.
const REDIS: (&str, u16) = ("127.0.0.1", 6379);

/// A key name no other test or user of the shared server has.
pub fn unique_key(name: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_nanos();
    format!("lru-cache-proto:{}:{nanos}:{name}", std::process::id())
}

/// Blanks the fields that differ between the servers by nature: the version and client id in
/// HELLO's reply (`$7 version $6 7.0.15`, `$2 id :6`).
fn normalise(reply: &[u8]) -> String {
    let text = text(reply);
    let mut out = Vec::new();
    let mut lines = text.split("\r\n").peekable();
    while let Some(line) = lines.next() {
        out.push(line.to_owned());
        if line == "version" || line == "id" {
            lines.next();
            out.push("<value>".into());
            if line == "version" {
                out.pop();
                lines.next();
                out.push("<value>".into());
            }
        }
    }
    out.join("\r\n")
}

/// Sends the same requests, one at a time on one connection, to ours and to redis-server.
pub async fn both(requests: &[Vec<u8>]) -> Vec<(String, String, String)> {
    let app = spawn_app().await;
    let mut ours = app.connect().await;
    let mut theirs = TcpStream::connect(REDIS)
        .await
        .expect("redis-server 7 listens on 127.0.0.1:6379 (the reference for these tests)");
    let mut out = Vec::new();
    for request in requests {
        let a = send_and_read(&mut ours, request, 1).await;
        let b = send_and_read(&mut theirs, request, 1).await;
        out.push((text(request), normalise(&a), normalise(&b)));
    }
    out
}

#[tokio::test]
async fn resp3_replies_match_redis_server_byte_for_byte() {
    let (k1, k2) = (unique_key("a"), unique_key("b"));
    let (k1, k2) = (k1.as_bytes(), k2.as_bytes());
    let requests = [
        command(&[b"HELLO", b"3"]),
        command(&[b"GET", k1]),
        command(&[b"SET", k1, b"v"]),
        command(&[b"MGET", k1, k2, k1]),
        command(&[b"SET", k1, b"w", b"NX"]),
        command(&[b"SET", k2, b"w", b"XX", b"GET"]),
        command(&[b"CONFIG", b"GET", b"appendonly"]),
        command(&[b"CLIENT", b"GETNAME"]),
        command(&[b"CLIENT", b"SETNAME", b"proto-test"]),
        command(&[b"CLIENT", b"GETNAME"]),
        command(&[b"INCR", k2]),
        command(&[b"DEL", k1, k2]),
        command(&[b"HELLO", b"2"]),
        command(&[b"GET", k1]),
        command(&[b"CONFIG", b"GET", b"appendonly"]),
        command(&[b"HELLO"]),
        command(&[b"HELLO", b"4"]),
        command(&[b"HELLO", b"abc"]),
        command(&[b"HELLO", b"3", b"FOO"]),
        command(&[b"HELLO", b"3", b"SETNAME"]),
        command(&[b"HELLO", b"3", b"SETNAME", b"bad name"]),
        command(&[
            b"HELLO", b"3", b"SETNAME", b"good", b"AUTH", b"default", b"any",
        ]),
        command(&[b"GET", k1]),
    ];
    for (request, ours, redis) in both(&requests).await {
        assert_eq!(ours, redis, "reply to {request:?}");
    }
}

#[tokio::test]
async fn info_is_a_verbatim_string_and_config_get_a_map_in_resp3() {
    let app = spawn_app().await;
    let mut stream = app.connect().await;
    exchange_on(&mut stream, &command(&[b"HELLO", b"3"])).await;
    let info = text(&exchange_on(&mut stream, &command(&[b"INFO", b"keyspace"])).await);
    assert_eq!(info, "=16\r\ntxt:# Keyspace\r\n\r\n");
    let config = exchange_on(&mut stream, &command(&[b"CONFIG", b"GET", b"timeout"])).await;
    assert_eq!(text(&config), "%1\r\n$7\r\ntimeout\r\n$3\r\n300\r\n");
    let docs = exchange_on(&mut stream, &command(&[b"COMMAND", b"DOCS", b"get"])).await;
    assert_eq!(text(&docs), "%0\r\n");
}

#[tokio::test]
async fn the_redis_crate_works_in_resp3_mode() {
    let app = spawn_app().await;
    let url = format!("redis://127.0.0.1:{}/?protocol=resp3", app.resp_port);
    let client = redis::Client::open(url).expect("valid URL");
    let mut con = client
        .get_multiplexed_async_connection()
        .await
        .expect("the redis crate connects with HELLO 3");
    let () = con.set("a", "1").await.expect("SET");
    let a: Option<String> = con.get("a").await.expect("GET");
    let missing: Option<String> = con.get("nope").await.expect("GET of a missing key");
    let all: Vec<Option<String>> = con.mget(&["a", "nope"]).await.expect("MGET");
    let (n,): (i64,) = redis::pipe()
        .atomic()
        .incr("n", 5)
        .query_async(&mut con)
        .await
        .expect("MULTI/EXEC");
    let config: std::collections::HashMap<String, String> = redis::cmd("CONFIG")
        .arg("GET")
        .arg("maxmemory-policy")
        .query_async(&mut con)
        .await
        .expect("CONFIG GET as a map");
    assert_eq!(a.as_deref(), Some("1"));
    assert_eq!(missing, None);
    assert_eq!(all, [Some("1".into()), None]);
    assert_eq!(n, 5);
    assert_eq!(config["maxmemory-policy"], "allkeys-lru");
}

#[tokio::test]
async fn redis_cli_connects_with_resp3() {
    let app = spawn_app().await;
    let port = app.resp_port.to_string();
    let run = |args: &[&str]| {
        let mut cmd = std::process::Command::new("redis-cli");
        cmd.args(["-3", "-p", &port]).args(args);
        async move {
            let out = tokio::task::spawn_blocking(move || cmd.output())
                .await
                .expect("joined")
                .expect("redis-cli runs (redis-tools is installed)");
            assert!(out.status.success(), "{out:?}");
            text(&out.stdout)
        }
    };
    assert_eq!(run(&["SET", "k", "v"]).await, "OK\n");
    assert_eq!(run(&["GET", "k"]).await, "v\n");
    let hello = run(&["HELLO", "3"]).await;
    assert!(hello.starts_with("server redis\nversion "), "{hello}");
    assert!(hello.contains("\nproto 3\n"), "{hello}");
    let config = run(&["CONFIG", "GET", "maxmemory-policy"]).await;
    assert_eq!(config, "maxmemory-policy allkeys-lru\n");
}
