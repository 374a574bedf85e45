//! Access control end to end over a real server: 401 without or with an unknown key, 403 without
//! the route's scope, path-parameter scopes, any-key routes, open mode, rate limits, the check
//! coming before the body is read, the OpenAPI additions, and the key's name (never the key) in
//! the request's log lines.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

use actix_web::{HttpResponse, web};
use http_kit::{
    Access, AccessConfig, Common, HttpMetrics, Readiness,
    access::{RateLimit, hash_key},
    require, require_any_of, require_key,
};
use serde_json::Value;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_util::sync::CancellationToken;
use utoipa::OpenApi;

const READER: &str = "reader-secret-0001";
const ADMIN: &str = "admin-secret-0002";
const ACME: &str = "acme-secret-0003";

#[utoipa::path(get, path = "/things", security(("bearer" = ["things:read"])), responses((status = 200)))]
async fn get_things() -> HttpResponse {
    HttpResponse::Ok().body("things")
}

async fn post_things(body: web::Bytes) -> HttpResponse {
    HttpResponse::Created().body(body.len().to_string())
}

#[derive(OpenApi)]
#[openapi(paths(get_things))]
struct Doc;

fn access(limit: Option<RateLimit>) -> Access {
    let keys = format!(
        "reader:{}:things:read;admin:{}:*;acme:{}:events:acme:send",
        hash_key(READER),
        hash_key(ADMIN),
        hash_key(ACME)
    );
    let config = AccessConfig {
        api_keys: Some(keys),
        ..AccessConfig::default()
    };
    let access = config.load().unwrap();
    match limit {
        Some(limit) => Access::new(access.keys().clone(), Some(limit)),
        None => access,
    }
}

/// Starts a server with `access` and returns its base URL.
fn spawn(access: Access) -> String {
    let common = Common::new(
        HttpMetrics::new().unwrap(),
        Readiness::new(),
        &Doc::openapi(),
    )
    .with_access(access);
    let listener = http_kit::bind("127.0.0.1", 0).unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = http_kit::serve(listener, common, CancellationToken::new(), |cfg| {
        cfg.route(
            "/things",
            web::get().to(get_things).wrap(require("things:read")),
        )
        .route(
            "/things",
            web::post().to(post_things).wrap(require("things:write")),
        )
        .route(
            "/{client}/send",
            web::post()
                .to(post_things)
                .wrap(require("events:{client}:send")),
        )
        .route(
            "/{client}/schema",
            web::get().to(get_things).wrap(require_any_of(&[
                "events:{client}:send",
                "events:{client}:admin",
            ])),
        )
        .route("/status", web::get().to(get_things).wrap(require_key()));
    })
    .unwrap();
    tokio::spawn(server);
    format!("http://127.0.0.1:{port}")
}

async fn call(method: reqwest::Method, url: &str, key: Option<&str>) -> reqwest::Response {
    let mut request = reqwest::Client::new().request(method, url).body("{}");
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    request.send().await.unwrap()
}

async fn get(url: &str, key: Option<&str>) -> reqwest::Response {
    call(reqwest::Method::GET, url, key).await
}

async fn envelope(response: reqwest::Response) -> Value {
    response.json::<Value>().await.unwrap()["error"].clone()
}

#[actix_web::test]
async fn no_key_or_an_unknown_key_is_401_with_www_authenticate() {
    let base = spawn(access(None));
    for key in [None, Some("not-a-configured-key")] {
        let response = get(&format!("{base}/things"), key).await;
        assert_eq!(response.status(), 401);
        assert_eq!(response.headers()["www-authenticate"], "Bearer");
        let error = envelope(response).await;
        assert_eq!(error["code"], "unauthorized");
    }
    let basic = reqwest::Client::new()
        .get(format!("{base}/things"))
        .basic_auth("reader", Some(READER))
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), 401);
}

#[actix_web::test]
async fn a_key_without_the_scope_is_403_naming_it_and_the_right_scope_passes() {
    let base = spawn(access(None));
    let refused = call(
        reqwest::Method::POST,
        &format!("{base}/things"),
        Some(READER),
    )
    .await;
    assert_eq!(refused.status(), 403);
    let error = envelope(refused).await;
    assert_eq!(error["code"], "forbidden");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("'things:write'"),
        "{error}"
    );
    let allowed = get(&format!("{base}/things"), Some(READER)).await;
    assert_eq!(allowed.status(), 200);
    let star = call(
        reqwest::Method::POST,
        &format!("{base}/things"),
        Some(ADMIN),
    )
    .await;
    assert_eq!(star.status(), 201);
}

#[actix_web::test]
async fn a_client_scope_opens_that_client_only() {
    let base = spawn(access(None));
    let own = call(
        reqwest::Method::POST,
        &format!("{base}/acme/send"),
        Some(ACME),
    )
    .await;
    assert_eq!(own.status(), 201);
    let other = call(
        reqwest::Method::POST,
        &format!("{base}/other/send"),
        Some(ACME),
    )
    .await;
    assert_eq!(other.status(), 403);
    let error = envelope(other).await;
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("events:other:send"),
        "{error}"
    );
    assert_eq!(
        get(&format!("{base}/acme/schema"), Some(ACME))
            .await
            .status(),
        200
    );
    assert_eq!(
        get(&format!("{base}/other/schema"), Some(ACME))
            .await
            .status(),
        403
    );
}

#[actix_web::test]
async fn an_any_key_route_takes_every_key_but_not_none() {
    let base = spawn(access(None));
    assert_eq!(
        get(&format!("{base}/status"), Some(ACME)).await.status(),
        200
    );
    assert_eq!(get(&format!("{base}/status"), None).await.status(), 401);
}

#[actix_web::test]
async fn health_metrics_and_openapi_stay_open() {
    let base = spawn(access(None));
    for path in ["/health/live", "/health/ready", "/metrics", "/openapi.json"] {
        assert_eq!(
            get(&format!("{base}{path}"), None).await.status(),
            200,
            "{path}"
        );
    }
}

#[actix_web::test]
async fn with_no_keys_every_route_is_open() {
    let base = spawn(Access::open());
    let response = call(reqwest::Method::POST, &format!("{base}/things"), None).await;
    assert_eq!(response.status(), 201);
}

#[actix_web::test]
async fn a_burst_past_the_limit_is_429_with_retry_after_and_another_key_is_unaffected() {
    let limit = RateLimit {
        per_second: 1,
        burst: 2,
    };
    let base = spawn(access(Some(limit)));
    let url = format!("{base}/things");
    for _ in 0..2 {
        assert_eq!(get(&url, Some(READER)).await.status(), 200);
    }
    let limited = get(&url, Some(READER)).await;
    assert_eq!(limited.status(), 429);
    let retry: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=1).contains(&retry), "{retry}");
    assert_eq!(envelope(limited).await["code"], "rate_limited");
    assert_eq!(get(&url, Some(ADMIN)).await.status(), 200);
}

#[actix_web::test]
async fn running_open_the_limit_is_per_peer_address() {
    let limit = RateLimit {
        per_second: 1,
        burst: 1,
    };
    let base = spawn(Access::new(Default::default(), Some(limit)));
    let url = format!("{base}/things");
    assert_eq!(get(&url, None).await.status(), 200);
    assert_eq!(get(&url, None).await.status(), 429);
}

/// Sends headers announcing a 10 MB body but only a few bytes of it: a server that read the
/// body before checking the key would wait for the rest instead of answering.
#[actix_web::test]
async fn the_key_is_checked_before_the_body_is_read() {
    let base = spawn(access(None));
    let address = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let head = format!(
        "POST /things HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/octet-stream\r\n\
         Content-Length: 10000000\r\n\r\n0123456789"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = vec![0u8; 1024];
    let read = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut answer))
        .await
        .expect("the server waited for the body instead of refusing at once")
        .unwrap();
    let text = String::from_utf8_lossy(&answer[..read]);
    assert!(text.starts_with("HTTP/1.1 401"), "{text}");
}

#[actix_web::test]
async fn the_openapi_document_declares_the_bearer_scheme_and_the_refusals() {
    let base = spawn(access(None));
    let doc: Value = get(&format!("{base}/openapi.json"), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    let operation = &doc["paths"]["/things"]["get"];
    assert_eq!(operation["security"][0]["bearer"][0], "things:read");
    for status in ["401", "403", "429"] {
        assert!(operation["responses"][status].is_object(), "{status}");
    }
}
