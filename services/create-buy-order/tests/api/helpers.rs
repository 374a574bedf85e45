//! Spawning create-buy-order (and the btc-price it calls) in-process.

mod broker;

pub use broker::{Received, bind_queue, collect_events, delete_exchange};

use create_buy_order::{config::Config, startup::Application};
use diesel::{QueryableByName, RunQueryDsl, sql_types::BigInt};
use serde_json::{Value, json};
use std::{sync::Arc, time::Duration};
use store::Database;
use test_support::TestDatabase;
use tokio_util::sync::CancellationToken;
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{method, path},
};

/// A Coinbase exchange-rates answer (the real shape, three of its many codes) with `eur` as
/// the EUR rate.
pub fn coinbase_body(eur: &str) -> Value {
    json!({"data": {"currency": "BTC", "rates": {"AED": "140013.0821", "EUR": eur, "GBP": "32456.78", "JPY": "5923456", "USD": "41234.56"}}})
}

/// A real btc-price in front of a mock Coinbase (and a Kraken that always fails).
pub struct Prices {
    /// btc-price's base URL.
    pub url: String,
    /// The mock Coinbase.
    pub coinbase: MockServer,
    _kraken: MockServer,
    shutdown: CancellationToken,
}

impl Drop for Prices {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

impl Prices {
    /// btc-price with EUR at `eur`; a 1 ms TTL so a new Coinbase answer is seen at once.
    pub async fn start(eur: &str) -> Self {
        Self::start_with(eur, &[]).await
    }

    /// As [`Prices::start`], with `extra` variables (access control) added.
    pub async fn start_with(eur: &str, extra: &[(&str, String)]) -> Self {
        let coinbase = MockServer::start().await;
        let kraken = MockServer::start().await;
        Mock::given(path("/0/public/Ticker"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"error": ["EService:Unavailable"]})),
            )
            .mount(&kraken)
            .await;
        let vars = [
            ("HTTP_PORT", "0".to_owned()),
            ("COINBASE_API_URL", coinbase.uri()),
            ("KRAKEN_API_URL", kraken.uri()),
            ("PRICE_TTL_MS", "1".to_owned()),
            ("PRICE_MAX_STALE_MS", "1".to_owned()),
            ("UPSTREAM_MAX_ATTEMPTS", "1".to_owned()),
        ];
        let vars = vars.into_iter().chain(extra.iter().cloned());
        let config: btc_price::config::Config =
            env_config::from_iter(vars.map(|(k, v)| (k.to_owned(), v))).unwrap();
        let shutdown = CancellationToken::new();
        let app = btc_price::startup::Application::build(config, shutdown.clone())
            .await
            .unwrap();
        let url = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        let prices = Self {
            url,
            coinbase,
            _kraken: kraken,
            shutdown,
        };
        prices.set_eur(eur).await;
        prices
    }

    /// From now on Coinbase answers EUR at `eur`.
    pub async fn set_eur(&self, eur: &str) {
        self.coinbase.reset().await;
        Mock::given(method("GET"))
            .and(path("/v2/exchange-rates"))
            .respond_with(ResponseTemplate::new(200).set_body_json(coinbase_body(eur)))
            .mount(&self.coinbase)
            .await;
    }

    /// From now on Coinbase fails.
    pub async fn fail(&self) {
        self.coinbase.reset().await;
        Mock::given(path("/v2/exchange-rates"))
            .respond_with(ResponseTemplate::new(503))
            .mount(&self.coinbase)
            .await;
    }
}

/// One running create-buy-order.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// Its database (shared by the instances of one test).
    pub db: Arc<TestDatabase>,
    /// HTTP client.
    pub client: reqwest::Client,
    shutdown: CancellationToken,
    running: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// What an instance is wired to.
pub struct Wiring {
    pub db: Arc<TestDatabase>,
    pub price_url: String,
    pub amqp_url: String,
    pub exchange: String,
    /// The read model's queue the relay declares (read-model-sync's, when a test starts one).
    pub read_model_queue: String,
    /// Extra variables for every instance.
    pub extra: Vec<(&'static str, String)>,
}

impl Wiring {
    /// A fresh database, the local broker and a unique exchange.
    pub fn fresh(price_url: &str) -> Self {
        Self {
            db: Arc::new(TestDatabase::migrated(Database::Write)),
            price_url: price_url.to_owned(),
            amqp_url: test_support::amqp_url(),
            exchange: test_support::unique_name("buy_orders"),
            read_model_queue: test_support::unique_name("read_model_sync"),
            extra: Vec::new(),
        }
    }
}

/// `x-expires` of the per-test read-model queue, the same for both services.
pub const READ_MODEL_QUEUE_EXPIRES_MS: u32 = 120_000;

/// create-buy-order on port 0 with `wiring`.
pub async fn spawn_instance(wiring: &Wiring) -> TestApp {
    spawn_instance_with(wiring, &[]).await
}

/// As [`spawn_instance`], with `extra` variables (access control) added.
pub async fn spawn_instance_with(wiring: &Wiring, extra: &[(&str, String)]) -> TestApp {
    telemetry::init_for_tests();
    let mut vars = vec![
        ("HTTP_PORT", "0".to_owned()),
        ("WRITE_DATABASE_URL", wiring.db.url().to_owned()),
        ("DATABASE_POOL_SIZE", "8".to_owned()),
        ("BTC_PRICE_URL", wiring.price_url.clone()),
        ("BTC_PRICE_TIMEOUT_MS", "3000".to_owned()),
        ("AMQP_URL", wiring.amqp_url.clone()),
        ("BUY_ORDERS_EXCHANGE", wiring.exchange.clone()),
        ("OUTBOX_POLL_INTERVAL_MS", "50".to_owned()),
        ("OUTBOX_BATCH_SIZE", "20".to_owned()),
        ("READ_MODEL_QUEUE", wiring.read_model_queue.clone()),
        (
            "READ_MODEL_QUEUE_EXPIRES_MS",
            READ_MODEL_QUEUE_EXPIRES_MS.to_string(),
        ),
    ];
    vars.extend(wiring.extra.iter().cloned());
    vars.extend(extra.iter().cloned());
    let config: Config =
        env_config::from_iter(vars.into_iter().map(|(k, v)| (k.to_owned(), v))).unwrap();
    let shutdown = CancellationToken::new();
    let app = Application::build(config, shutdown.clone()).await.unwrap();
    let address = format!("http://127.0.0.1:{}", app.port());
    let running = Some(tokio::spawn(app.run_until_stopped()));
    TestApp {
        address,
        db: wiring.db.clone(),
        client: reqwest::Client::new(),
        shutdown,
        running,
    }
}

/// A btc-price with EUR at 38123.45 and one create-buy-order on a fresh database.
pub async fn spawn_app() -> (TestApp, Prices) {
    let prices = Prices::start("38123.45").await;
    let app = spawn_instance(&Wiring::fresh(&prices.url)).await;
    (app, prices)
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

impl TestApp {
    /// Cancels its shutdown token (SIGTERM) and waits, at most `limit`, until it has stopped;
    /// how long that took.
    pub async fn stop_within(&mut self, limit: Duration) -> Duration {
        let started = std::time::Instant::now();
        self.shutdown.cancel();
        let running = self.running.take().expect("still running");
        tokio::time::timeout(limit, running)
            .await
            .expect("stopped within the limit")
            .unwrap()
            .unwrap();
        started.elapsed()
    }

    /// The value of the unlabelled metric `name` in `/metrics`, 0 when absent.
    pub async fn metric(&self, name: &str) -> f64 {
        let text = self
            .client
            .get(format!("{}/metrics", self.address))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        text.lines()
            .find_map(|line| {
                line.strip_prefix(name)?
                    .strip_prefix(' ')?
                    .trim()
                    .parse()
                    .ok()
            })
            .unwrap_or(0.0)
    }

    /// `PUT /buy_order` with a JSON text body and an optional `Idempotency-Key`.
    pub async fn put_raw(&self, body: &str, key: Option<&str>) -> reqwest::Response {
        let mut request = self
            .client
            .put(format!("{}/buy_order", self.address))
            .header("content-type", "application/json")
            .body(body.to_owned());
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        request.send().await.unwrap()
    }

    /// `PUT /buy_order` of `amount` `currency` with `key` in the header.
    pub async fn put_order(&self, key: &str, currency: &str, amount: &str) -> reqwest::Response {
        self.put_raw(
            &json!({"currency": currency, "amount": amount}).to_string(),
            Some(key),
        )
        .await
    }

    /// `SELECT count(*)` of `table`.
    pub fn count(&self, table: &str) -> i64 {
        let mut conn = self.db.connect();
        diesel::sql_query(format!("SELECT count(*) AS n FROM {table}"))
            .get_result::<Count>(&mut conn)
            .unwrap()
            .n
    }

    /// Runs `sql` returning one text column `v`.
    pub fn text(&self, sql: &str) -> String {
        #[derive(QueryableByName)]
        struct Text {
            #[diesel(sql_type = diesel::sql_types::Text)]
            v: String,
        }
        let mut conn = self.db.connect();
        diesel::sql_query(sql)
            .get_result::<Text>(&mut conn)
            .unwrap()
            .v
    }
}

/// The JSON body of a response.
pub async fn json_of(response: reqwest::Response) -> Value {
    response.json().await.unwrap()
}
