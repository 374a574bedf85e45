//! Limits on what one client can make the server hold or do, each over real sockets: the
//! cross-protocol guard, the output-buffer limit, the request (query-buffer) limit, the idle
//! timeout, the value limit on inline commands, and a pipeline written whole before reading.
//! In each, the server stays up, its RSS stays bounded and another client is still served.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{TestApp, command, exchange_on, spawn_app, spawn_app_with, text};

const MIB: u64 = 1024 * 1024;

/// The server's RSS in bytes, from `INFO memory` on a fresh connection (which also proves
/// another client is served).
async fn rss(app: &TestApp) -> u64 {
    let info = text(&app.exchange(&command(&[b"INFO", b"memory"])).await);
    info.lines()
        .find_map(|l| l.strip_prefix("used_memory_rss:"))
        .and_then(|v| v.trim().parse().ok())
        .expect("INFO reports used_memory_rss")
}

/// Reads until the server closes the connection (a reset counts), within `deadline`.
async fn read_until_closed(stream: &mut TcpStream, deadline: Duration) -> Vec<u8> {
    let mut out = Vec::new();
    let read = async {
        let mut chunk = vec![0u8; 1 << 20];
        loop {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => out.extend_from_slice(&chunk[..n]),
            }
        }
    };
    tokio::time::timeout(deadline, read)
        .await
        .expect("the server closes the connection in time");
    out
}

#[tokio::test]
async fn an_http_post_to_the_resp_port_closes_the_connection_before_its_body_runs() {
    let app = spawn_app().await;
    app.exchange(&command(&[b"SET", b"keep", b"me"])).await;
    let post = b"POST / HTTP/1.1\r\nHost: cache:6380\r\nContent-Length: 10\r\n\r\nFLUSHALL\r\n";
    let reply = app.exchange_until_closed(post).await;
    assert_eq!(text(&reply), "");
    let size = app.exchange(&command(&[b"DBSIZE"])).await;
    assert_eq!(text(&size), ":1\r\n");
}

#[tokio::test]
async fn a_host_header_line_closes_the_connection_whatever_came_before() {
    let app = spawn_app().await;
    app.exchange(&command(&[b"SET", b"keep", b"me"])).await;
    let get = b"GET / HTTP/1.1\r\nHost: cache:6380\r\n\r\nFLUSHALL\r\n";
    // Replies still pending when the guard trips are dropped with the client, as in Redis.
    let reply = text(&app.exchange_until_closed(get).await);
    assert!(!reply.contains("+OK"), "{reply}");
    let multibulk = app.exchange_until_closed(&command(&[b"host:", b"x"])).await;
    assert_eq!(text(&multibulk), "");
    assert_eq!(text(&app.exchange(&command(&[b"DBSIZE"])).await), ":1\r\n");
}

#[tokio::test]
async fn an_mget_of_a_large_value_2000_times_closes_a_client_that_never_reads() {
    let app = spawn_app().await;
    let value = vec![b'v'; 1024 * 1024];
    app.exchange(&command(&[b"SET", b"big", &value])).await;
    let before = rss(&app).await;
    let mut args: Vec<&[u8]> = vec![b"MGET"];
    args.extend(std::iter::repeat_n(&b"big"[..], 2000));
    let mut greedy = app.connect().await;
    greedy.write_all(&command(&args)).await.expect("sent");
    // The 2 GiB reply stops being built at the 32 MiB default limit and the client is closed.
    let got = read_until_closed(&mut greedy, Duration::from_secs(20)).await;
    let after = rss(&app).await;
    assert!(got.len() as u64 <= 40 * MIB, "{} bytes arrived", got.len());
    assert!(
        after < before + 200 * MIB,
        "RSS grew from {before} to {after} bytes"
    );
}

#[tokio::test]
async fn a_pipeline_of_large_gets_that_is_never_read_closes_the_client_at_its_limit() {
    let app = spawn_app_with(&[("CACHE_CLIENT_OUTPUT_LIMIT_BYTES", "4194304")]).await;
    let value = vec![b'v'; 1024 * 1024];
    app.exchange(&command(&[b"SET", b"big", &value])).await;
    let before = rss(&app).await;
    let mut greedy = app.connect().await;
    let pipeline = command(&[b"GET", b"big"]).repeat(1000);
    // The server may close while this is still being written.
    let _ = greedy.write_all(&pipeline).await;
    let mut other = app.connect().await;
    let pong = exchange_on(&mut other, &command(&[b"PING"])).await;
    assert_eq!(text(&pong), "+PONG\r\n");
    read_until_closed(&mut greedy, Duration::from_secs(20)).await;
    let after = rss(&app).await;
    assert!(
        after < before + 100 * MIB,
        "RSS grew from {before} to {after}"
    );
}

#[tokio::test]
async fn a_whole_pipeline_written_before_reading_is_answered_without_deadlock() {
    let app = spawn_app().await;
    let value = vec![b'x'; 10];
    app.exchange(&command(&[b"SET", b"v", &value])).await;
    let count = 500_000;
    let pipeline = command(&[b"GET", b"v"]).repeat(count);
    let mut stream = app.connect().await;
    let (mut reader, mut writer) = stream.split();
    let expected = [b"$10\r\n".as_slice(), &value, b"\r\n"]
        .concat()
        .repeat(count);
    let exchange = async {
        // 11 MB of requests and 8.5 MB of replies: far more than both socket buffers.
        writer
            .write_all(&pipeline)
            .await
            .expect("the whole pipeline is accepted");
        let mut replies = vec![0u8; expected.len()];
        reader
            .read_exact(&mut replies)
            .await
            .expect("every reply arrives");
        replies
    };
    let replies = tokio::time::timeout(Duration::from_secs(60), exchange)
        .await
        .expect("no deadlock: the server kept reading while its replies waited");
    assert!(
        replies == expected,
        "the replies differ from {count} GET replies"
    );
}

#[tokio::test]
async fn a_request_past_the_request_limit_is_refused_however_slowly_it_arrives() {
    let app = spawn_app_with(&[
        ("CACHE_MAX_VALUE_BYTES", "1024"),
        ("CACHE_MAX_REQUEST_BYTES", "2097152"),
    ])
    .await;
    let before = rss(&app).await;
    let mut stream = app.connect().await;
    stream
        .write_all(b"*200001\r\n$4\r\nMSET\r\n")
        .await
        .expect("sent");
    let pair = [b"$3\r\nkey\r\n$1000\r\n".as_slice(), &[b'v'; 1000], b"\r\n"].concat();
    let mut sent = 0u64;
    for _ in 0..100_000 {
        if stream.write_all(&pair.repeat(10)).await.is_err() {
            break;
        }
        sent += (pair.len() * 10) as u64;
    }
    let reply = read_until_closed(&mut stream, Duration::from_secs(10)).await;
    assert!(
        text(&reply).starts_with("-ERR Protocol error: request is larger than 2097152 bytes"),
        "{}",
        text(&reply)
    );
    assert!(sent < 64 * MIB, "{sent} bytes were accepted");
    assert!(rss(&app).await < before + 64 * MIB);
}

#[tokio::test]
async fn an_idle_client_is_closed_after_the_timeout_and_a_busy_one_is_not() {
    let app = spawn_app_with(&[("CACHE_TIMEOUT_SECS", "1")]).await;
    let mut idle = app.connect().await;
    let mut busy = app.connect().await;
    let config = exchange_on(&mut busy, &command(&[b"CONFIG", b"GET", b"timeout"])).await;
    assert_eq!(text(&config), "*2\r\n$7\r\ntimeout\r\n$1\r\n1\r\n");
    let started = tokio::time::Instant::now();
    let closed = tokio::spawn(async move {
        read_until_closed(&mut idle, Duration::from_secs(5)).await;
        started.elapsed()
    });
    for _ in 0..8 {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let pong = exchange_on(&mut busy, &command(&[b"PING"])).await;
        assert_eq!(text(&pong), "+PONG\r\n");
    }
    let after = closed.await.expect("joined");
    assert!(
        after >= Duration::from_millis(900),
        "closed after {after:?}"
    );
}

#[tokio::test]
async fn the_value_limit_applies_to_inline_commands() {
    let app = spawn_app_with(&[("CACHE_MAX_VALUE_BYTES", "1024")]).await;
    let mut request = b"SET k ".to_vec();
    request.extend_from_slice(&[b'x'; 2000]);
    request.extend_from_slice(b"\r\nSET k small\r\nGET k\r\n");
    let reply = app.exchange(&request).await;
    let expected = "-ERR argument larger than 1024 bytes (CACHE_MAX_VALUE_BYTES)\r\n+OK\r\n\
        $5\r\nsmall\r\n";
    assert_eq!(text(&reply), expected);
}

#[tokio::test]
async fn the_output_limit_must_hold_one_maximal_value() {
    let vars = [("CACHE_CLIENT_OUTPUT_LIMIT_BYTES", "1000")];
    let config = lru_cache_server::config::Config::from_iter(
        vars.iter().map(|(k, v)| (k.to_string(), v.to_string())),
    );
    let error = config
        .expect_err("a limit below one value is refused")
        .to_string();
    assert!(error.contains("CACHE_CLIENT_OUTPUT_LIMIT_BYTES"), "{error}");
}

#[tokio::test]
async fn a_client_pipelining_small_writes_without_reading_is_closed_at_its_limit() {
    let app = spawn_app_with(&[
        ("CACHE_MAX_VALUE_BYTES", "1024"),
        ("CACHE_CLIENT_OUTPUT_LIMIT_BYTES", "1048576"),
    ])
    .await;
    let mut greedy = app.connect().await;
    let batch = command(&[b"SET", b"k", b"v"]).repeat(10_000);
    let mut sent = 0u64;
    // 5 bytes of `+OK` per SET: 1 MiB of replies after about 210,000 SETs.
    for _ in 0..200 {
        if greedy.write_all(&batch).await.is_err() {
            break;
        }
        sent += 10_000;
    }
    read_until_closed(&mut greedy, Duration::from_secs(20)).await;
    assert!(
        sent < 2_000_000,
        "{sent} SETs were taken without the client reading"
    );
    assert_eq!(
        text(&app.exchange(&command(&[b"GET", b"k"])).await),
        "$1\r\nv\r\n"
    );
}
