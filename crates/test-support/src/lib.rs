//! Test support shared by every crate's tests: a fresh database per test, unique broker
//! names, a cuttable TCP proxy for fault tests, and polling with a deadline.

pub mod access;
mod database;
mod proxy;

pub use database::{LEFTOVER_AGE, TestDatabase, drop_leftovers, server_url};
pub use proxy::TcpProxy;

use std::time::{Duration, Instant};

/// The broker tests use: `TEST_AMQP_URL`, or the local RabbitMQ.
pub fn amqp_url() -> String {
    std::env::var("TEST_AMQP_URL")
        .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".to_owned())
}

/// The broker's `host:port`, for a [`TcpProxy`] in front of it.
pub fn amqp_address() -> String {
    host_port(&amqp_url(), 5672)
}

/// The database server's `host:port`, for a [`TcpProxy`] in front of it.
pub fn database_address() -> String {
    host_port(&server_url(), 5432)
}

fn host_port(url: &str, default_port: u16) -> String {
    let parsed = url::Url::parse(url).unwrap_or_else(|e| panic!("{url}: {e}"));
    format!(
        "{}:{}",
        parsed.host_str().unwrap_or("127.0.0.1"),
        parsed.port().unwrap_or(default_port)
    )
}

/// `url` with its host and port replaced by `127.0.0.1:port` (to route it through a proxy).
pub fn via_port(url: &str, port: u16) -> String {
    let mut parsed = url::Url::parse(url).unwrap_or_else(|e| panic!("{url}: {e}"));
    let _ = parsed.set_host(Some("127.0.0.1"));
    let _ = parsed.set_port(Some(port));
    parsed.to_string()
}

/// A name no other test uses: `<prefix>.<uuid>`.
pub fn unique_name(prefix: &str) -> String {
    format!("{prefix}.{}", uuid::Uuid::new_v4().simple())
}

/// Polls `probe` every 50 ms until it yields `Some`, or panics after `timeout` naming `what`.
pub async fn eventually<T, F, Fut>(what: &str, timeout: Duration, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {timeout:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until `GET {base_url}/health/ready` answers 200.
pub async fn wait_until_ready(base_url: &str, timeout: Duration) {
    let client = reqwest::Client::new();
    let url = format!("{base_url}/health/ready");
    eventually(&format!("{url} to answer 200"), timeout, || {
        let request = client.get(&url).send();
        async move {
            request
                .await
                .ok()
                .filter(|r| r.status().is_success())
                .map(|_| ())
        }
    })
    .await;
}
