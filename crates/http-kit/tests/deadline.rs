//! The whole-request deadline: a request past `request_timeout` is answered 503
//! `request_timeout` in the envelope with `Retry-After`, at the deadline, not when the handler
//! would have finished.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

use actix_web::{HttpResponse, http::StatusCode, web};
use http_kit::{Common, HttpMetrics, REQUEST_ID_HEADER, Readiness};
use serde_json::Value;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

async fn slow() -> HttpResponse {
    tokio::time::sleep(Duration::from_secs(10)).await;
    HttpResponse::Ok().body("finally")
}

async fn quick() -> HttpResponse {
    HttpResponse::Ok().body("at once")
}

/// Serves the two routes for real (the deadline's 503 is made where actix turns an error into
/// a response, as in production) and GETs `path`.
async fn call(
    timeout: Option<Duration>,
    path: &str,
) -> (StatusCode, Option<String>, Value, Duration) {
    let doc = utoipa::openapi::OpenApiBuilder::new().build();
    let mut common = Common::new(HttpMetrics::new().unwrap(), Readiness::new(), &doc);
    if let Some(timeout) = timeout {
        common = common.with_request_timeout(timeout);
    }
    let listener = http_kit::bind("127.0.0.1", 0).unwrap();
    let port = listener.local_addr().unwrap().port();
    let shutdown = CancellationToken::new();
    let server = http_kit::serve(listener, common, shutdown.clone(), |cfg| {
        cfg.route("/slow", web::get().to(slow))
            .route("/quick", web::get().to(quick));
    })
    .unwrap();
    tokio::spawn(server);
    let started = Instant::now();
    let response = reqwest::get(format!("http://127.0.0.1:{port}{path}"))
        .await
        .unwrap();
    let took = started.elapsed();
    shutdown.cancel();
    let status = StatusCode::from_u16(response.status().as_u16()).unwrap();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    let retry_after = header("retry-after");
    assert!(
        header(REQUEST_ID_HEADER).is_some(),
        "every answer has its request id"
    );
    let body = response.bytes().await.unwrap();
    let json = serde_json::from_slice(&body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned()));
    (status, retry_after, json, took)
}

#[actix_web::test]
async fn a_request_past_its_deadline_is_503_request_timeout() {
    let (status, retry_after, body, took) = call(Some(Duration::from_millis(200)), "/slow").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["error"]["code"], "request_timeout", "{body}");
    assert_eq!(retry_after.as_deref(), Some("1"));
    assert!(
        took >= Duration::from_millis(200) && took < Duration::from_secs(2),
        "{took:?}"
    );
}

#[actix_web::test]
async fn a_request_within_its_deadline_is_answered() {
    let (status, _, body, _) = call(Some(Duration::from_millis(200)), "/quick").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "at once");
}

#[actix_web::test]
async fn the_default_deadline_is_ten_seconds() {
    assert_eq!(http_kit::DEFAULT_REQUEST_TIMEOUT, Duration::from_secs(10));
    let doc = utoipa::openapi::OpenApiBuilder::new().build();
    let common = Common::new(HttpMetrics::new().unwrap(), Readiness::new(), &doc);
    assert_eq!(common.request_timeout, Duration::from_secs(10));
}
