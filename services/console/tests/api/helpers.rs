//! Starting the console (and the cache it talks to) in-process on free ports.

use console::{config::Config, startup::Application};
use futures::StreamExt;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// A running console.
pub struct Console {
    /// `http://127.0.0.1:{port}`.
    pub address: String,
    shutdown: CancellationToken,
}

impl Drop for Console {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// A port nothing listens on (bound, then released).
pub fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Every service URL pointed at a closed port, then `vars` on top.
pub async fn spawn_console(vars: &[(&str, String)]) -> Console {
    let dead = format!("http://127.0.0.1:{}", closed_port());
    let mut pairs: Vec<(String, String)> = vec![
        ("HTTP_PORT".into(), "0".into()),
        ("AMQP_URL".into(), test_support::amqp_url()),
        ("CONSOLE_UPSTREAM_TIMEOUT_MS".into(), "2000".into()),
        (
            "CACHE_RESP_ADDRESS".into(),
            format!("127.0.0.1:{}", closed_port()),
        ),
    ];
    for service in console::upstream::Service::ALL {
        pairs.push((service.url_variable().to_owned(), dead.clone()));
    }
    pairs.retain(|(name, _)| !vars.iter().any(|(k, _)| k == name));
    pairs.extend(vars.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
    let config = Config::from_vars(pairs).expect("test configuration is valid");
    let shutdown = CancellationToken::new();
    let app = Application::build(config, shutdown.clone())
        .await
        .expect("the console builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    test_support::wait_until_ready(&address, Duration::from_secs(30)).await;
    Console { address, shutdown }
}

/// A running lru-cache-server.
pub struct Cache {
    /// Its HTTP base URL.
    pub http: String,
    /// Its RESP address.
    pub resp: String,
    shutdown: CancellationToken,
}

impl Drop for Cache {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// lru-cache-server with `vars` (ports always free ones).
pub async fn spawn_cache(vars: &[(&str, String)]) -> Cache {
    let mut pairs: Vec<(String, String)> = vec![
        ("CACHE_PORT".into(), "0".into()),
        ("HTTP_PORT".into(), "0".into()),
    ];
    pairs.extend(vars.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
    let config = lru_cache_server::config::Config::from_iter(pairs).expect("valid cache config");
    let shutdown = CancellationToken::new();
    let app = lru_cache_server::startup::Application::build(config, shutdown.clone())
        .await
        .expect("the cache builds");
    let (http, resp) = (
        format!("http://127.0.0.1:{}", app.http_port()),
        format!("127.0.0.1:{}", app.resp_port()),
    );
    tokio::spawn(app.run_until_stopped());
    Cache {
        http,
        resp,
        shutdown,
    }
}

/// Reads Server-Sent Events from `response` until `wanted` says one is the one, within `limit`;
/// returns that event's `data`.
pub async fn next_event(
    response: &mut futures::stream::BoxStream<'static, reqwest::Result<bytes::Bytes>>,
    buffer: &mut String,
    event: &str,
    limit: Duration,
) -> String {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        while let Some(end) = buffer.find("\n\n") {
            let frame: String = buffer.drain(..end + 2).collect();
            let name = frame.lines().find_map(|l| l.strip_prefix("event: "));
            let data = frame.lines().find_map(|l| l.strip_prefix("data: "));
            if let (Some(name), Some(data)) = (name, data)
                && name == event
            {
                return data.to_owned();
            }
        }
        let chunk = tokio::time::timeout_at(deadline, response.next())
            .await
            .unwrap_or_else(|_| panic!("no '{event}' event within {limit:?}; read: {buffer}"))
            .expect("the stream stays open")
            .expect("the stream reads");
        buffer.push_str(&String::from_utf8_lossy(&chunk));
    }
}
