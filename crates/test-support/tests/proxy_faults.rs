//! Each fault of `TcpProxy`, against a small TCP server the test runs itself.

use std::{io::ErrorKind, time::Duration};
use test_support::TcpProxy;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    time::{Instant, timeout},
};

/// An echo server; with `farewell`, it instead writes `farewell` and closes each connection.
async fn server(farewell: Option<&'static [u8]>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                if let Some(bytes) = farewell {
                    let _ = stream.write_all(bytes).await;
                    return;
                }
                let mut buffer = [0u8; 1024];
                while let Ok(n @ 1..) = stream.read(&mut buffer).await {
                    if stream.write_all(&buffer[..n]).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    address
}

/// Reads exactly `expected` from `stream` within 5 s.
async fn receive(stream: &mut TcpStream, expected: &[u8]) {
    let mut buffer = vec![0u8; expected.len()];
    timeout(Duration::from_secs(5), stream.read_exact(&mut buffer))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(buffer, expected);
}

async fn connect(proxy: &TcpProxy) -> TcpStream {
    TcpStream::connect(proxy.address()).await.unwrap()
}

/// Sends `ping` and reads the echo, failing after two seconds.
async fn round_trip(stream: &mut TcpStream) -> std::io::Result<Vec<u8>> {
    stream.write_all(b"ping").await?;
    let mut echo = vec![0u8; 4];
    timeout(Duration::from_secs(2), stream.read_exact(&mut echo))
        .await
        .map_err(|_| std::io::Error::from(ErrorKind::TimedOut))??;
    Ok(echo)
}

#[tokio::test]
async fn blackhole_passes_nothing_until_restored_then_everything_in_order() {
    let proxy = TcpProxy::start(&server(None).await);
    let mut open = connect(&proxy).await;
    assert_eq!(round_trip(&mut open).await.unwrap(), b"ping");

    proxy.blackhole();
    let mut fresh = connect(&proxy).await; // still accepted
    for stream in [&mut open, &mut fresh] {
        stream.write_all(b"ping").await.unwrap();
        let mut buffer = [0u8; 4];
        let read = timeout(Duration::from_millis(500), stream.read(&mut buffer)).await;
        assert!(
            read.is_err(),
            "no byte and no close through a blackhole: {read:?}"
        );
    }

    // Once it heals, what was sent into the hole arrives, in order, on the same connections.
    proxy.restore();
    for stream in [&mut open, &mut fresh] {
        receive(stream, b"ping").await;
    }
    let mut after = connect(&proxy).await;
    assert_eq!(round_trip(&mut after).await.unwrap(), b"ping");
}

#[tokio::test]
async fn blackhole_holds_a_close_back_until_restored() {
    let proxy = TcpProxy::start(&server(Some(b"bye")).await);
    proxy.blackhole();
    let mut stream = connect(&proxy).await;
    let mut buffer = [0u8; 3];
    let read = timeout(Duration::from_millis(500), stream.read(&mut buffer)).await;
    assert!(
        read.is_err(),
        "the server's bytes and close stay in the hole: {read:?}"
    );
    // Once the hole is gone the held-back bytes arrive, then the close.
    proxy.restore();
    receive(&mut stream, b"bye").await;
    let read = timeout(Duration::from_secs(5), stream.read(&mut buffer)).await;
    assert!(
        matches!(read, Ok(Ok(0))),
        "the close is passed on after the bytes: {read:?}"
    );
}

#[tokio::test]
async fn latency_delays_each_direction() {
    let proxy = TcpProxy::start(&server(None).await);
    let mut stream = connect(&proxy).await;
    let started = Instant::now();
    round_trip(&mut stream).await.unwrap();
    let baseline = started.elapsed();
    assert!(
        baseline < Duration::from_millis(200),
        "baseline {baseline:?}"
    );

    proxy.set_latency(Duration::from_millis(200));
    let started = Instant::now();
    assert_eq!(round_trip(&mut stream).await.unwrap(), b"ping");
    let delayed = started.elapsed();
    assert!(
        delayed >= Duration::from_millis(400),
        "200 ms each way, took {delayed:?}"
    );
}

#[tokio::test]
async fn reset_peer_resets_open_and_new_connections() {
    let proxy = TcpProxy::start(&server(None).await);
    let mut open = connect(&proxy).await;
    assert_eq!(round_trip(&mut open).await.unwrap(), b"ping");

    proxy.reset_peer();
    let mut buffer = [0u8; 4];
    let read = timeout(Duration::from_secs(2), open.read(&mut buffer))
        .await
        .unwrap();
    assert_eq!(read.map_err(|e| e.kind()), Err(ErrorKind::ConnectionReset));

    // The RST may beat the client's connect() to its end, so either step may see it.
    let fresh = async {
        let mut stream = TcpStream::connect(proxy.address()).await?;
        stream.read(&mut buffer).await
    };
    let read = timeout(Duration::from_secs(2), fresh).await.unwrap();
    assert_eq!(read.map_err(|e| e.kind()), Err(ErrorKind::ConnectionReset));

    proxy.restore();
    let mut after = connect(&proxy).await;
    assert_eq!(round_trip(&mut after).await.unwrap(), b"ping");
}

/// The server writes `bye` and closes: the bytes come at once, the close `delay` later.
async fn farewell_then_close(proxy: &TcpProxy) -> Duration {
    let mut stream = connect(proxy).await;
    receive(&mut stream, b"bye").await;
    let started = Instant::now();
    let mut rest = Vec::new();
    timeout(Duration::from_secs(5), stream.read_to_end(&mut rest))
        .await
        .unwrap()
        .unwrap();
    assert!(rest.is_empty());
    started.elapsed()
}

#[tokio::test]
async fn slow_close_delays_the_close_not_the_data() {
    let proxy = TcpProxy::start(&server(Some(b"bye")).await);
    let prompt = farewell_then_close(&proxy).await;
    assert!(
        prompt < Duration::from_millis(300),
        "without the fault: {prompt:?}"
    );

    proxy.slow_close(Duration::from_millis(600));
    let slow = farewell_then_close(&proxy).await;
    assert!(
        slow >= Duration::from_millis(500),
        "with the fault: {slow:?}"
    );
}
