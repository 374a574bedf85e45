//! Pipelined requests: many requests in one write, answered in order.

use tokio::io::AsyncWriteExt;

use crate::helpers::{command, exchange_on, spawn_app, text};

#[tokio::test]
async fn a_pipeline_is_answered_in_order() {
    let app = spawn_app().await;
    let mut request = Vec::new();
    let mut expected = String::new();
    for i in 0..100 {
        let value = format!("value-{i}");
        request.extend(command(&[
            b"SET",
            format!("k{i}").as_bytes(),
            value.as_bytes(),
        ]));
        request.extend(command(&[b"GET", format!("k{i}").as_bytes()]));
        expected.push_str(&format!("+OK\r\n${}\r\n{value}\r\n", value.len()));
    }
    assert_eq!(text(&app.exchange(&request).await), expected);
}

#[tokio::test]
async fn a_pipeline_whose_replies_exceed_the_flush_threshold_is_answered_completely() {
    let app = spawn_app().await;
    let value = vec![b'v'; 10_000];
    let mut request = command(&[b"SET", b"big", &value]);
    for _ in 0..200 {
        request.extend(command(&[b"GET", b"big"]));
    }
    let reply = app.exchange(&request).await;
    let one = [b"$10000\r\n".as_slice(), &value, b"\r\n"].concat();
    assert_eq!(reply.len(), 5 + 200 * one.len());
    assert!(reply.ends_with(&one));
}

#[tokio::test]
async fn requests_split_at_every_byte_are_still_understood() {
    let app = spawn_app().await;
    let mut stream = app.connect().await;
    let request = [command(&[b"SET", b"key", b"value"]), b"PING\r\n".to_vec()].concat();
    for byte in &request {
        stream.write_all(&[*byte]).await.unwrap();
        stream.flush().await.unwrap();
    }
    let reply = exchange_on(&mut stream, &command(&[b"GET", b"key"])).await;
    assert_eq!(text(&reply), "+OK\r\n+PONG\r\n$5\r\nvalue\r\n");
}

#[tokio::test]
async fn mixed_inline_and_multibulk_requests_pipeline_together() {
    let app = spawn_app().await;
    let request = [
        b"SET a 1\r\n".to_vec(),
        command(&[b"INCR", b"a"]),
        b"GET a\r\n".to_vec(),
    ]
    .concat();
    assert_eq!(
        text(&app.exchange(&request).await),
        "+OK\r\n:2\r\n$1\r\n2\r\n"
    );
}

#[tokio::test]
async fn large_values_from_concurrent_clients_arrive_byte_for_byte() {
    // Each value is larger than the first read (16 KiB), so the read buffers grow while the
    // connections, all on one RESP thread, take turns reading.
    let app = spawn_app().await;
    let mut clients = tokio::task::JoinSet::new();
    for client in 0..4u8 {
        let mut stream = app.connect().await;
        clients.spawn(async move {
            let value: Vec<u8> = (0..1_000_000u32)
                .map(|i| b'a' + ((i * 7 + u32::from(client)) % 26) as u8)
                .collect();
            let key = format!("large-{client}");
            let request = [
                command(&[b"SET", key.as_bytes(), &value]),
                command(&[b"GET", key.as_bytes()]),
            ]
            .concat();
            let reply = exchange_on(&mut stream, &request).await;
            let expected = [b"+OK\r\n$1000000\r\n".as_slice(), &value, b"\r\n"].concat();
            assert!(
                reply.starts_with(&expected),
                "client {client}: {} bytes back, expected {} first",
                reply.len(),
                expected.len()
            );
        });
    }
    while let Some(done) = clients.join_next().await {
        done.unwrap();
    }
}
