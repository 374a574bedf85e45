//! Hostile input: garbage on many connections never takes the server down.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{command, exchange_on, spawn_app_with, text};

/// A small deterministic generator, so a failure can be replayed.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        const PIECES: [&[u8]; 8] = [
            b"*",
            b"$",
            b"\r\n",
            b"-1",
            b"3",
            b"\"",
            b"SET",
            b"99999999999",
        ];
        let mut out = Vec::with_capacity(len);
        while out.len() < len {
            let r = self.next();
            if r.is_multiple_of(3) {
                out.extend_from_slice(PIECES[(r >> 8) as usize % PIECES.len()]);
            } else {
                out.push((r >> 16) as u8);
            }
        }
        out
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_on_many_connections_never_stops_the_server_serving_others() {
    let app = spawn_app_with(&[("CACHE_MAX_VALUE_BYTES", "4096")]).await;
    let mut healthy = app.connect().await;
    assert_eq!(
        exchange_on(&mut healthy, &command(&[b"SET", b"k", b"v"])).await,
        b"+OK\r\n"
    );

    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    for round in 0..200 {
        let len = 1 + (rng.next() % 2048) as usize;
        let garbage = rng.bytes(len);
        let mut stream = app.connect().await;
        // The server may close mid-write after a protocol error; that is fine.
        let _ = stream.write_all(&garbage).await;
        let _ = stream.shutdown().await;
        let mut sink = Vec::new();
        let read =
            tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut sink)).await;
        assert!(
            read.is_ok(),
            "round {round}: the server neither answered nor closed"
        );
    }

    let reply = exchange_on(&mut healthy, &command(&[b"GET", b"k"])).await;
    assert_eq!(text(&reply), "$1\r\nv\r\n");
    assert!(!app.handle.is_finished(), "the server stopped");
}

#[tokio::test]
async fn a_client_vanishing_mid_request_leaves_the_server_serving() {
    let app = spawn_app_with(&[]).await;
    let mut half = app.connect().await;
    half.write_all(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1000\r\nabc")
        .await
        .unwrap();
    drop(half);
    let mut stream = app.connect().await;
    assert_eq!(
        exchange_on(&mut stream, &command(&[b"PING"])).await,
        b"+PONG\r\n"
    );
}
