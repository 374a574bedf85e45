//! The name of the key that authorised a request is on the request's log lines; the key itself
//! is on none. (Its own test binary: it installs the process-wide subscriber.)

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

use actix_web::{HttpResponse, web};
use http_kit::{AccessConfig, Common, HttpMetrics, Readiness, access::hash_key, require};
use std::sync::{Arc, Mutex};
use tokio_util::sync::CancellationToken;

const KEY: &str = "log-test-secret-key-7f3a";

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[actix_web::test]
async fn the_key_name_is_logged_on_the_request_line_and_the_key_never() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_current_span(true)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();
    let access = AccessConfig {
        api_keys: Some(format!("orders-bot:{}:things:read", hash_key(KEY))),
        ..AccessConfig::default()
    }
    .load()
    .unwrap();
    let common = Common::new(
        HttpMetrics::new().unwrap(),
        Readiness::new(),
        &utoipa::openapi::OpenApi::default(),
    )
    .with_access(access);
    let listener = http_kit::bind("127.0.0.1", 0).unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = http_kit::serve(listener, common, CancellationToken::new(), |cfg| {
        cfg.route(
            "/things",
            web::get()
                .to(|| async { HttpResponse::Ok().finish() })
                .wrap(require("things:read")),
        );
    })
    .unwrap();
    tokio::spawn(server);
    let url = format!("http://127.0.0.1:{port}/things");
    let client = reqwest::Client::new();
    assert_eq!(
        client
            .get(&url)
            .bearer_auth(KEY)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let wrong = format!("{KEY}-wrong");
    assert_eq!(
        client
            .get(&url)
            .bearer_auth(&wrong)
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    let logs = test_support_poll(&captured).await;
    let done = logs
        .lines()
        .find(|l| l.contains("request done") && l.contains("\"status\":200"))
        .unwrap_or_else(|| panic!("no request line in {logs}"));
    assert!(done.contains(r#""key_name":"orders-bot""#), "{done}");
    assert!(!logs.contains(KEY), "a key reached the logs: {logs}");
}

/// The captured text once both request lines are in (the server logs after answering).
async fn test_support_poll(captured: &Captured) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        if text.matches("request done").count() >= 2 || std::time::Instant::now() > deadline {
            return text;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
