//! Several RESP threads (`CACHE_THREADS`): one port, one store, one connection limit.

use std::time::Duration;

use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

use crate::helpers::{TestApp, command, exchange_on, spawn_app_with, text};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_spread_over_threads_share_one_store_and_each_sees_the_others_writes() {
    let app = spawn_app_with(&[("CACHE_THREADS", "4")]).await;
    let mut clients = Vec::new();
    for _ in 0..16 {
        clients.push(app.connect().await);
    }

    for (i, client) in clients.iter_mut().enumerate() {
        let key = format!("k{i}");
        let set = command(&[b"SET", key.as_bytes(), format!("v{i}").as_bytes()]);
        assert_eq!(exchange_on(client, &set).await, b"+OK\r\n");
    }
    for (i, client) in clients.iter_mut().enumerate() {
        // Each client reads the key the next one wrote (likely through another thread).
        let other = (i + 1) % 16;
        let get = command(&[b"GET", format!("k{other}").as_bytes()]);
        let expected = format!("v{other}");
        assert_eq!(
            text(&exchange_on(client, &get).await),
            format!("${}\r\n{expected}\r\n", expected.len())
        );
    }
    let info = text(&exchange_on(&mut clients[0], &command(&[b"INFO", b"clients"])).await);
    assert!(info.contains("connected_clients:16"), "{info}");
    assert_eq!(
        text(&exchange_on(&mut clients[3], &command(&[b"DBSIZE"])).await),
        ":16\r\n"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_connection_limit_holds_across_threads() {
    let app = spawn_app_with(&[("CACHE_THREADS", "3"), ("CACHE_MAX_CONNECTIONS", "4")]).await;
    let _admitted = answered_clients(&app, 4).await;

    for _ in 0..3 {
        let mut refused = app.connect().await;
        let mut reply = Vec::new();
        tokio::time::timeout(Duration::from_secs(5), refused.read_to_end(&mut reply))
            .await
            .expect("the refused client is disconnected")
            .unwrap();
        assert_eq!(text(&reply), "-ERR max number of clients reached\r\n");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_drains_and_closes_connections_on_every_thread() {
    let app = spawn_app_with(&[("CACHE_THREADS", "3")]).await;
    let mut clients = answered_clients(&app, 9).await;

    app.shutdown.cancel();

    for client in &mut clients {
        let mut rest = Vec::new();
        let closed =
            tokio::time::timeout(Duration::from_secs(5), client.read_to_end(&mut rest)).await;
        assert!(closed.is_ok(), "a connection was left open");
    }
}

/// `count` new connections, each of which has answered a PING.
async fn answered_clients(app: &TestApp, count: usize) -> Vec<TcpStream> {
    let mut clients = Vec::with_capacity(count);
    for _ in 0..count {
        let mut client = app.connect().await;
        assert_eq!(
            exchange_on(&mut client, &command(&[b"PING"])).await,
            b"+PONG\r\n"
        );
        clients.push(client);
    }
    clients
}
