//! Value size, request size and connection limits.

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{command, exchange_on, spawn_app_with, text};

#[tokio::test]
async fn a_value_over_the_limit_is_refused_and_the_connection_goes_on() {
    let app = spawn_app_with(&[("CACHE_MAX_VALUE_BYTES", "1024")]).await;
    let big = vec![b'x'; 5000];
    let request = [
        command(&[b"SET", b"k", &big]),
        command(&[b"GET", b"k"]),
        command(&[b"SET", b"k", &big[..1024]]),
        command(&[b"STRLEN-ISH-UNKNOWN"]),
    ]
    .concat();
    let reply = text(&app.exchange(&request).await);
    let expected = "-ERR argument larger than 1024 bytes (CACHE_MAX_VALUE_BYTES)\r\n$-1\r\n+OK\r\n\
        -ERR unknown command 'STRLEN-ISH-UNKNOWN', with args beginning with: \r\n";
    assert_eq!(reply, expected);
}

#[tokio::test]
async fn an_oversized_value_arriving_in_pieces_is_dropped_as_it_arrives() {
    let app = spawn_app_with(&[("CACHE_MAX_VALUE_BYTES", "1024")]).await;
    let mut stream = app.connect().await;
    stream
        .write_all(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100000\r\n")
        .await
        .unwrap();
    for _ in 0..10 {
        stream.write_all(&[b'y'; 10_000]).await.unwrap();
    }
    stream.write_all(b"\r\n").await.unwrap();
    let reply = exchange_on(&mut stream, &command(&[b"DBSIZE"])).await;
    let expected = "-ERR argument larger than 1024 bytes (CACHE_MAX_VALUE_BYTES)\r\n:0\r\n";
    assert_eq!(text(&reply), expected);
}

#[tokio::test]
async fn a_request_over_the_request_limit_is_a_protocol_error() {
    let app = spawn_app_with(&[
        ("CACHE_MAX_VALUE_BYTES", "1024"),
        ("CACHE_MAX_REQUEST_BYTES", "70000"),
    ])
    .await;
    let value = vec![b'v'; 1000];
    let mut args: Vec<&[u8]> = vec![b"MSET"];
    let keys: Vec<String> = (0..100).map(|i| format!("key{i}")).collect();
    for key in &keys {
        args.push(key.as_bytes());
        args.push(&value);
    }
    let reply = app.exchange_until_closed(&command(&args)).await;
    let expected =
        "-ERR Protocol error: request is larger than 70000 bytes (CACHE_MAX_REQUEST_BYTES)\r\n";
    assert_eq!(text(&reply), expected);
}

#[tokio::test]
async fn a_client_over_the_connection_limit_is_told_and_disconnected() {
    let app = spawn_app_with(&[("CACHE_MAX_CONNECTIONS", "1")]).await;
    let mut first = app.connect().await;
    assert_eq!(
        exchange_on(&mut first, &command(&[b"PING"])).await,
        b"+PONG\r\n"
    );
    let mut second = app.connect().await;
    let mut reply = Vec::new();
    second.read_to_end(&mut reply).await.unwrap();
    assert_eq!(text(&reply), "-ERR max number of clients reached\r\n");
    assert_eq!(
        exchange_on(&mut first, &command(&[b"PING"])).await,
        b"+PONG\r\n"
    );
}
