//! Graceful shutdown: cancelling the token drains connections and stops the service.

use std::time::Duration;

use tokio::io::AsyncReadExt;

use crate::helpers::{command, exchange_on, spawn_app};

#[tokio::test]
async fn shutdown_closes_idle_connections_and_returns_ok() {
    let app = spawn_app().await;
    let mut client = app.connect().await;
    assert_eq!(
        exchange_on(&mut client, &command(&[b"PING"])).await,
        b"+PONG\r\n"
    );

    app.shutdown.cancel();

    let mut rest = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(5), client.read_to_end(&mut rest)).await;
    assert!(closed.is_ok(), "the idle connection was not closed");
    let TestAppParts { handle } = TestAppParts::from(app);
    let result = tokio::time::timeout(Duration::from_secs(10), handle)
        .await
        .expect("the service stops in time")
        .expect("the service task did not panic");
    assert!(result.is_ok(), "{result:?}");
}

#[tokio::test]
async fn after_shutdown_new_connections_are_refused() {
    let app = spawn_app().await;
    let port = app.resp_port;
    app.shutdown.cancel();
    let TestAppParts { handle } = TestAppParts::from(app);
    let _ = tokio::time::timeout(Duration::from_secs(10), handle).await;
    assert!(
        tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
    );
}

/// Takes the join handle out of a test app (which cancels on drop).
struct TestAppParts {
    handle: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl From<crate::helpers::TestApp> for TestAppParts {
    fn from(mut app: crate::helpers::TestApp) -> Self {
        let handle = std::mem::replace(&mut app.handle, tokio::spawn(async { Ok(()) }));
        TestAppParts { handle }
    }
}
