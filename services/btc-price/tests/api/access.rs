//! Access control: both price routes need `prices:read`; health and the document stay open.

use crate::helpers::{coinbase_ok, coinbase_route};
use btc_price::{config::Config, startup::Application};
use test_support::access::{FULL_KEY, api_keys, assert_refused};
use tokio_util::sync::CancellationToken;
use wiremock::MockServer;

struct Running {
    address: String,
    coinbase: MockServer,
    client: reqwest::Client,
    shutdown: CancellationToken,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

async fn spawn_with_keys(scopes: &str) -> Running {
    telemetry::init_for_tests();
    let coinbase = MockServer::start().await;
    let kraken = MockServer::start().await;
    coinbase_route()
        .respond_with(coinbase_ok())
        .mount(&coinbase)
        .await;
    let vars = [
        ("HTTP_PORT", "0".to_owned()),
        ("COINBASE_API_URL", coinbase.uri()),
        ("KRAKEN_API_URL", kraken.uri()),
        ("API_KEYS", api_keys(scopes)),
    ];
    let config: Config = env_config::from_iter(vars.map(|(k, v)| (k.to_owned(), v))).unwrap();
    let shutdown = CancellationToken::new();
    let app = Application::build(config, shutdown.clone()).await.unwrap();
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    Running {
        address,
        coinbase,
        client: reqwest::Client::new(),
        shutdown,
    }
}

#[tokio::test]
async fn price_routes_refuse_no_key_a_wrong_key_and_a_key_without_prices_read() {
    let app = spawn_with_keys("prices:read").await;
    for path in ["/btc_price/EUR", "/btc_prices"] {
        let url = format!("{}{path}", app.address);
        assert_refused(|| app.client.get(&url), "prices:read").await;
    }
    let asked = app.coinbase.received_requests().await.unwrap_or_default();
    assert!(asked.is_empty(), "a refused request reached the upstream");
}

#[tokio::test]
async fn a_key_with_prices_read_gets_the_price() {
    let app = spawn_with_keys("prices:read").await;
    for path in ["/btc_price/EUR", "/btc_prices"] {
        let response = app
            .client
            .get(format!("{}{path}", app.address))
            .bearer_auth(FULL_KEY)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
    }
}

#[tokio::test]
async fn health_and_the_openapi_document_need_no_key_and_it_declares_the_scope() {
    let app = spawn_with_keys("prices:read").await;
    let ready = app
        .client
        .get(format!("{}/health/ready", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    let doc: serde_json::Value = app
        .client
        .get(format!("{}/openapi.json", app.address))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let security = &doc["paths"]["/btc_price/{currency}"]["get"]["security"];
    assert_eq!(security[0]["bearer"][0], "prices:read", "{security}");
}
