//! Spawning btc-price in-process against mock upstreams.

use btc_price::{config::Config, startup::Application};
use serde_json::Value;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{method, path, query_param},
};

/// A recorded upstream answer.
pub fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// Coinbase's exchange-rates answer.
pub fn coinbase_ok() -> ResponseTemplate {
    ResponseTemplate::new(200)
        .set_body_raw(fixture("coinbase_exchange_rates.json"), "application/json")
}

/// Kraken's Ticker answer for the three pairs.
pub fn kraken_ok() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(fixture("kraken_ticker.json"), "application/json")
}

/// The Coinbase route.
pub fn coinbase_route() -> wiremock::MockBuilder {
    Mock::given(method("GET"))
        .and(path("/v2/exchange-rates"))
        .and(query_param("currency", "BTC"))
}

/// The Kraken route.
pub fn kraken_route() -> wiremock::MockBuilder {
    Mock::given(method("GET"))
        .and(path("/0/public/Ticker"))
        .and(query_param("pair", "XBTEUR,XBTGBP,XBTUSD"))
}

/// A running btc-price and its mock upstreams.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// The mock Coinbase.
    pub coinbase: MockServer,
    /// The mock Kraken.
    pub kraken: MockServer,
    /// HTTP client.
    pub client: reqwest::Client,
    shutdown: CancellationToken,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// Settings a test may change.
pub struct Settings {
    pub ttl_ms: u64,
    pub max_stale_ms: u64,
    pub timeout_ms: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            ttl_ms: 2000,
            max_stale_ms: 60_000,
            timeout_ms: 500,
        }
    }
}

/// btc-price on port 0 with default settings.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(Settings::default()).await
}

/// btc-price on port 0 with `settings`.
pub async fn spawn_app_with(settings: Settings) -> TestApp {
    spawn_app_with_vars(settings, &[]).await
}

/// btc-price on port 0 with `settings` and `extra` variables.
pub async fn spawn_app_with_vars(settings: Settings, extra: &[(&str, &str)]) -> TestApp {
    telemetry::init_for_tests();
    let coinbase = MockServer::start().await;
    let kraken = MockServer::start().await;
    let vars = [
        ("HTTP_PORT", "0".to_owned()),
        ("COINBASE_API_URL", coinbase.uri()),
        ("KRAKEN_API_URL", kraken.uri()),
        ("PRICE_TTL_MS", settings.ttl_ms.to_string()),
        ("PRICE_MAX_STALE_MS", settings.max_stale_ms.to_string()),
        ("UPSTREAM_TIMEOUT_MS", settings.timeout_ms.to_string()),
        ("UPSTREAM_MAX_ATTEMPTS", "2".to_owned()),
    ];
    let extra = extra
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()));
    let vars = vars
        .map(|(k, v)| (k.to_owned(), v))
        .into_iter()
        .chain(extra);
    let config: Config = env_config::from_iter(vars).unwrap();
    let shutdown = CancellationToken::new();
    let app = Application::build(config, shutdown.clone()).await.unwrap();
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        coinbase,
        kraken,
        client: reqwest::Client::new(),
        shutdown,
    }
}

impl TestApp {
    /// Every Coinbase exchange-rates request gets `response`.
    pub async fn coinbase_answers(&self, response: ResponseTemplate) {
        coinbase_route()
            .respond_with(response)
            .mount(&self.coinbase)
            .await;
    }

    /// Every Kraken ticker request gets `response`.
    pub async fn kraken_answers(&self, response: ResponseTemplate) {
        kraken_route()
            .respond_with(response)
            .mount(&self.kraken)
            .await;
    }

    /// `GET /btc_price/{currency}`.
    pub async fn get_price(&self, currency: &str) -> reqwest::Response {
        self.client
            .get(format!("{}/btc_price/{currency}", self.address))
            .send()
            .await
            .unwrap()
    }

    /// `GET /btc_price/{currency}`, expecting 200, as JSON.
    pub async fn price_json(&self, currency: &str) -> Value {
        let response = self.get_price(currency).await;
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    /// `GET /btc_prices`.
    pub async fn get_prices(&self) -> reqwest::Response {
        self.client
            .get(format!("{}/btc_prices", self.address))
            .send()
            .await
            .unwrap()
    }

    /// Requests Coinbase received.
    pub async fn coinbase_calls(&self) -> usize {
        self.coinbase
            .received_requests()
            .await
            .unwrap_or_default()
            .len()
    }

    /// Requests Kraken received.
    pub async fn kraken_calls(&self) -> usize {
        self.kraken
            .received_requests()
            .await
            .unwrap_or_default()
            .len()
    }
}

/// Waits out a TTL (the only way to age a cached price; these tests use short TTLs).
pub async fn wait_ms(ms: u64) {
    tokio::time::sleep(Duration::from_millis(ms)).await;
}
