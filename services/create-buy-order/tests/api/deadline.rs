//! The whole-request deadline end to end: with the database link blackholed (packets dropped,
//! no RST, through test_support's proxy), a PUT is answered 503 `request_timeout` within
//! `REQUEST_TIMEOUT_MS` instead of hanging with the query.

use crate::helpers::Prices;
use create_buy_order::{config::Config, startup::Application};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use store::Database;
use test_support::{TcpProxy, TestDatabase, database_address, unique_name, via_port};
use tokio_util::sync::CancellationToken;

const REQUEST_TIMEOUT_MS: u64 = 1000;

/// create-buy-order on port 0 whose database is reached through `proxy`; its base URL.
async fn spawn_behind(proxy: &TcpProxy, db: &TestDatabase, prices: &Prices) -> String {
    telemetry::init_for_tests();
    let vars = [
        ("HTTP_PORT", "0".to_owned()),
        ("WRITE_DATABASE_URL", via_port(db.url(), proxy.port())),
        ("REQUEST_TIMEOUT_MS", REQUEST_TIMEOUT_MS.to_string()),
        // Longer than the request deadline, so the deadline is what answers.
        ("DATABASE_TIMEOUT_MS", "10000".to_owned()),
        ("BTC_PRICE_URL", prices.url.clone()),
        ("AMQP_URL", test_support::amqp_url()),
        ("BUY_ORDERS_EXCHANGE", unique_name("buy_orders")),
    ];
    let config: Config = env_config::from_iter(vars.map(|(k, v)| (k.to_owned(), v))).unwrap();
    let app = Application::build(config, CancellationToken::new())
        .await
        .unwrap();
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    address
}

async fn put(address: &str) -> reqwest::Response {
    reqwest::Client::new()
        .put(format!("{address}/buy_order"))
        .header("Idempotency-Key", uuid::Uuid::new_v4().to_string())
        .json(&json!({"currency": "EUR", "amount": "100.50"}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn with_the_database_blackholed_a_put_is_503_within_the_request_timeout() {
    let prices = Prices::start("38123.45").await;
    let db = TestDatabase::migrated(Database::Write);
    let proxy = TcpProxy::start(&database_address());
    let address = spawn_behind(&proxy, &db, &prices).await;
    assert_eq!(
        put(&address).await.status(),
        StatusCode::CREATED,
        "warm-up order"
    );

    proxy.blackhole();
    let started = Instant::now();
    let response = put(&address).await;
    let took = started.elapsed();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(response.headers().contains_key("retry-after"));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "request_timeout", "{body}");
    let limit = Duration::from_millis(REQUEST_TIMEOUT_MS);
    assert!(
        took >= limit && took < limit + Duration::from_millis(1500),
        "answered after {took:?}"
    );
}
