//! Starting the service in-process on free ports, and talking to it.

use std::time::Duration;

use lru_cache_server::config::Config;
use lru_cache_server::startup::Application;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// How long a test waits for a reply before failing.
pub const REPLY_TIMEOUT: Duration = Duration::from_secs(5);
/// Appended to requests so the reader knows where the replies end.
const SENTINEL: &[u8] = b"*2\r\n$4\r\nECHO\r\n$9\r\n__end__!!\r\n";
const SENTINEL_REPLY: &[u8] = b"$9\r\n__end__!!\r\n";

/// A running service.
pub struct TestApp {
    pub resp_port: u16,
    pub http_port: u16,
    pub shutdown: CancellationToken,
    pub handle: JoinHandle<anyhow::Result<()>>,
    pub http: reqwest::Client,
}

/// Starts the service with default settings.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// Starts the service with some variables set (ports are always 0).
pub async fn spawn_app_with(vars: &[(&str, &str)]) -> TestApp {
    let mut pairs = vec![("CACHE_PORT", "0"), ("HTTP_PORT", "0")];
    pairs.extend_from_slice(vars);
    let config = Config::from_iter(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())))
        .expect("test configuration is valid");
    let shutdown = CancellationToken::new();
    let app = Application::build(config, shutdown.clone())
        .await
        .expect("the application builds");
    let (resp_port, http_port) = (app.resp_port(), app.http_port());
    let handle = tokio::spawn(app.run_until_stopped());
    TestApp {
        resp_port,
        http_port,
        shutdown,
        handle,
        http: reqwest::Client::new(),
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

impl TestApp {
    /// A new RESP connection.
    pub async fn connect(&self) -> TcpStream {
        TcpStream::connect(("127.0.0.1", self.resp_port))
            .await
            .expect("the RESP port accepts")
    }

    /// Sends raw bytes on a new connection and returns every reply they caused.
    pub async fn exchange(&self, request: &[u8]) -> Vec<u8> {
        let mut stream = self.connect().await;
        exchange_on(&mut stream, request).await
    }

    /// Sends raw bytes on a new connection and reads until the server closes it.
    pub async fn exchange_until_closed(&self, request: &[u8]) -> Vec<u8> {
        let mut stream = self.connect().await;
        stream.write_all(request).await.expect("request sent");
        let mut reply = Vec::new();
        tokio::time::timeout(REPLY_TIMEOUT, stream.read_to_end(&mut reply))
            .await
            .expect("the server closes the connection in time")
            .expect("the reply is readable");
        reply
    }

    /// The `redis` crate's async connection to the server.
    pub async fn redis(&self) -> redis::aio::MultiplexedConnection {
        let client = redis::Client::open(format!("redis://127.0.0.1:{}/", self.resp_port))
            .expect("valid URL");
        client
            .get_multiplexed_async_connection()
            .await
            .expect("the redis client connects")
    }

    /// `http://127.0.0.1:port` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.http_port)
    }

    /// `/api/storage/?key=...`, the key percent-encoded.
    pub fn key_url(&self, key: &str) -> String {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("key", key)
            .finish();
        self.url(&format!("/api/storage/?{query}"))
    }

    /// `GET /api/storage/?key=...`
    pub async fn get_key(&self, key: &str) -> reqwest::Response {
        self.http
            .get(self.key_url(key))
            .send()
            .await
            .expect("GET sent")
    }

    /// `DELETE /api/storage/?key=...`
    pub async fn delete_key(&self, key: &str) -> reqwest::Response {
        self.http
            .delete(self.key_url(key))
            .send()
            .await
            .expect("DELETE sent")
    }

    /// `POST /api/storage/` with a body and content type.
    pub async fn post_storage(
        &self,
        content_type: &str,
        body: impl Into<String>,
    ) -> reqwest::Response {
        self.http
            .post(self.url("/api/storage/"))
            .header("content-type", content_type)
            .body(body.into())
            .send()
            .await
            .expect("POST sent")
    }
}

/// Sends raw bytes on an open connection and returns every reply they caused.
pub async fn exchange_on(stream: &mut TcpStream, request: &[u8]) -> Vec<u8> {
    let mut bytes = request.to_vec();
    bytes.extend_from_slice(SENTINEL);
    stream.write_all(&bytes).await.expect("request sent");
    let mut reply = Vec::new();
    let read = async {
        let mut chunk = vec![0u8; 64 * 1024];
        while !reply.ends_with(SENTINEL_REPLY) {
            let n = stream.read(&mut chunk).await.expect("reply readable");
            assert!(
                n > 0,
                "connection closed; got {:?}",
                String::from_utf8_lossy(&reply)
            );
            reply.extend_from_slice(&chunk[..n]);
        }
    };
    tokio::time::timeout(REPLY_TIMEOUT, read)
        .await
        .expect("the replies arrive in time");
    reply.truncate(reply.len() - SENTINEL_REPLY.len());
    reply
}

/// A RESP2 multibulk request for these arguments.
pub fn command(args: &[&[u8]]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for arg in args {
        out.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// Shows bytes readably in assertion messages.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Polls `check` until it is true or `deadline` passes.
pub async fn eventually<F, Fut>(deadline: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let start = tokio::time::Instant::now();
    loop {
        if check().await {
            return true;
        }
        if start.elapsed() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
