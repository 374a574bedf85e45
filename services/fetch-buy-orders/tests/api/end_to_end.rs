//! The whole order flow in-process: btc-price (in front of a mock Coinbase) → create-buy-order
//! → outbox relay → RabbitMQ → read-model-sync → read model → fetch-buy-orders.

use serde_json::{Value, json};
use std::time::Duration;
use store::Database;
use test_support::{TestDatabase, amqp_url, eventually, unique_name, wait_until_ready};
use tokio_util::sync::CancellationToken;
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{method, path},
};

fn vars(pairs: &[(&str, String)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

/// btc-price on a mock Coinbase with its real response shape; returns its URL.
async fn start_btc_price(
    coinbase: &MockServer,
    kraken: &MockServer,
    shutdown: &CancellationToken,
) -> String {
    let rates = json!({"data": {"currency": "BTC", "rates": {"EUR": "38123.45", "GBP": "32456.78", "USD": "41234.56"}}});
    Mock::given(method("GET"))
        .and(path("/v2/exchange-rates"))
        .respond_with(ResponseTemplate::new(200).set_body_json(rates))
        .mount(coinbase)
        .await;
    let config: btc_price::config::Config = env_config::from_iter(vars(&[
        ("HTTP_PORT", "0".into()),
        ("COINBASE_API_URL", coinbase.uri()),
        ("KRAKEN_API_URL", kraken.uri()),
    ]))
    .unwrap();
    let app = btc_price::startup::Application::build(config, shutdown.clone())
        .await
        .unwrap();
    let url = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    url
}

#[tokio::test(flavor = "multi_thread")]
async fn an_order_created_through_create_buy_order_appears_in_fetch_buy_orders() {
    let shutdown = CancellationToken::new();
    let _stop = shutdown.clone().drop_guard();
    let (write, read) = (
        TestDatabase::migrated(Database::Write),
        TestDatabase::migrated(Database::Read),
    );
    let (exchange, queue) = (
        unique_name("e2e.buy_orders"),
        unique_name("e2e.read_model_sync"),
    );
    let (coinbase, kraken) = (MockServer::start().await, MockServer::start().await);
    let price_url = start_btc_price(&coinbase, &kraken, &shutdown).await;

    let sync_config = read_model_sync::config::Config::from_vars(vars(&[
        ("HTTP_PORT", "0".into()),
        ("READ_DATABASE_URL", read.url().into()),
        ("AMQP_URL", amqp_url()),
        ("BUY_ORDERS_EXCHANGE", exchange.clone()),
        ("READ_MODEL_QUEUE", queue),
        ("READ_MODEL_QUEUE_EXPIRES_MS", "60000".into()),
    ]))
    .unwrap();
    let sync = read_model_sync::startup::Application::build(sync_config, shutdown.clone())
        .await
        .unwrap();
    let sync_url = format!("http://127.0.0.1:{}", sync.port());
    tokio::spawn(sync.run_until_stopped());
    // Ready means its queue is declared and bound, so no event can be published before it.
    wait_until_ready(&sync_url, Duration::from_secs(20)).await;

    let create_config: create_buy_order::config::Config = env_config::from_iter(vars(&[
        ("HTTP_PORT", "0".into()),
        ("WRITE_DATABASE_URL", write.url().into()),
        ("BTC_PRICE_URL", price_url),
        ("AMQP_URL", amqp_url()),
        ("BUY_ORDERS_EXCHANGE", exchange),
        ("OUTBOX_POLL_INTERVAL_MS", "50".into()),
    ]))
    .unwrap();
    let create = create_buy_order::startup::Application::build(create_config, shutdown.clone())
        .await
        .unwrap();
    let create_url = format!("http://127.0.0.1:{}", create.port());
    tokio::spawn(create.run_until_stopped());
    let fetch_config = fetch_buy_orders::config::Config::from_vars(vars(&[
        ("HTTP_PORT", "0".into()),
        ("READ_DATABASE_URL", read.url().into()),
    ]))
    .unwrap();
    let fetch = fetch_buy_orders::startup::Application::build(fetch_config, shutdown.clone())
        .await
        .unwrap();
    let fetch_url = format!("http://127.0.0.1:{}", fetch.port());
    tokio::spawn(fetch.run_until_stopped());
    let client = reqwest::Client::new();

    let created = client
        .put(format!("{create_url}/buy_order"))
        .header("Idempotency-Key", uuid::Uuid::new_v4().to_string())
        .json(&json!({"currency": "EUR", "amount": "100.50"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let order: Value = created.json().await.unwrap();

    let listed = eventually(
        "the order in GET /buy_orders",
        Duration::from_secs(20),
        || {
            let request = client.get(format!("{fetch_url}/buy_orders")).send();
            async move {
                let page: Value = request.await.ok()?.json().await.ok()?;
                page["buy_orders"].as_array()?.first().cloned()
            }
        },
    )
    .await;
    for field in [
        "id",
        "currency",
        "amount",
        "exchange_rate",
        "bitcoin_amount",
    ] {
        assert_eq!(listed[field], order[field], "{field}");
    }
    let time = |value: &Value| {
        value
            .as_str()
            .unwrap()
            .parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap()
    };
    assert_eq!(time(&listed["created_at"]), time(&order["created_at"]));
    assert_eq!(listed["amount"], "100.50");
}
