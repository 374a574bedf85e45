//! `spawn_app()`: the service in-process on port 0 over a fresh database, a unique work
//! queue, and a wiremock upstream; plus direct database helpers.

use diesel::{
    QueryableByName, RunQueryDsl, sql_query,
    sql_types::{Nullable, Numeric, Text, Timestamptz},
};
use rate_cache::{config::Config, startup::Application};
use rust_decimal::Decimal;
use std::{str::FromStr, sync::Arc};
use store::Database;
use test_support::TestDatabase;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{method, path},
};

pub const COINBASE_USD: &str = include_str!("../fixtures/coinbase_exchange_rates_usd.json");
pub const COINBASE_EUR: &str = include_str!("../fixtures/coinbase_exchange_rates_eur.json");
pub const ECB_FEED: &str = include_str!("../fixtures/eurofxref-daily.xml");

/// How a test app is configured.
#[derive(Clone)]
pub struct Options {
    pub provider: &'static str,
    pub upstream: String,
    pub update_secs: u64,
    pub trim_secs: u64,
    pub retention_days: u32,
    pub queue: String,
    /// More variables (access control).
    pub extra: Vec<(String, String)>,
}

impl Options {
    /// Coinbase at `upstream`, schedules that never fire during a test, a fresh queue.
    pub fn new(upstream: &str) -> Self {
        Self {
            provider: "coinbase",
            upstream: upstream.to_owned(),
            update_secs: 3600,
            trim_secs: 3600,
            retention_days: 30,
            queue: test_support::unique_name("rate_cache.jobs"),
            extra: Vec::new(),
        }
    }

    /// The environment of an app with these options on `database_url`.
    pub fn vars(&self, database_url: &str) -> Vec<(String, String)> {
        [
            ("RATE_CACHE_DATABASE_URL", database_url.to_owned()),
            ("AMQP_URL", test_support::amqp_url()),
            ("RATE_JOBS_QUEUE", self.queue.clone()),
            ("RATE_JOBS_QUEUE_EXPIRES_MS", "120000".to_owned()),
            ("RATES_PROVIDER", self.provider.to_owned()),
            ("COINBASE_API_URL", self.upstream.clone()),
            (
                "ECB_RATES_URL",
                format!("{}/stats/eurofxref/eurofxref-daily.xml", self.upstream),
            ),
            ("UPSTREAM_TIMEOUT_MS", "10000".to_owned()),
            ("RATE_UPDATE_INTERVAL_SECS", self.update_secs.to_string()),
            ("RATE_TRIM_INTERVAL_SECS", self.trim_secs.to_string()),
            ("RATE_RETENTION_DAYS", self.retention_days.to_string()),
            ("HTTP_PORT", "0".to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .chain(self.extra.iter().cloned())
        .collect()
    }
}

/// A running instance of the service.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub database: Arc<TestDatabase>,
    shutdown: CancellationToken,
    handle: Option<JoinHandle<std::io::Result<()>>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// A wiremock upstream serving the recorded Coinbase responses for USD and EUR and the ECB feed.
pub async fn recorded_upstream() -> MockServer {
    let server = MockServer::start().await;
    for (currency, body) in [("USD", COINBASE_USD), ("EUR", COINBASE_EUR)] {
        Mock::given(method("GET"))
            .and(path("/v2/exchange-rates"))
            .and(wiremock::matchers::query_param("currency", currency))
            .respond_with(
                ResponseTemplate::new(200).set_body_raw(body, "application/json; charset=utf-8"),
            )
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path("/stats/eurofxref/eurofxref-daily.xml"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(ECB_FEED, "text/xml"))
        .mount(&server)
        .await;
    server
}

/// The app on a fresh database with `options`.
pub async fn spawn_app(options: Options) -> TestApp {
    spawn_app_on(
        Arc::new(TestDatabase::migrated(Database::RateCache)),
        options,
    )
    .await
}

/// The app (another replica) on `database` with `options`.
pub async fn spawn_app_on(database: Arc<TestDatabase>, options: Options) -> TestApp {
    telemetry::init_for_tests();
    let config: Config = env_config::from_iter(options.vars(database.url())).unwrap();
    let shutdown = CancellationToken::new();
    let app = Application::build(config, shutdown.clone()).await.unwrap();
    let address = format!("http://127.0.0.1:{}", app.port());
    let handle = tokio::spawn(app.run_until_stopped());
    let app = TestApp {
        address,
        client: reqwest::Client::new(),
        database,
        shutdown,
        handle: Some(handle),
    };
    test_support::wait_until_ready(&app.address, std::time::Duration::from_secs(20)).await;
    app
}

impl TestApp {
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .unwrap()
    }

    pub async fn post_pair(&self, body: serde_json::Value) -> reqwest::Response {
        self.client
            .post(format!("{}/pairs", self.address))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn delete(&self, path: &str) -> reqwest::Response {
        self.client
            .delete(format!("{}{path}", self.address))
            .send()
            .await
            .unwrap()
    }

    /// Stops the app gracefully and waits until its consumer and schedulers are done.
    pub async fn stop(mut self) {
        self.shutdown.cancel();
        if let Some(handle) = self.handle.take() {
            handle.await.unwrap().unwrap();
        }
    }
}

/// A sample as stored.
#[derive(Debug, Clone, QueryableByName)]
pub struct Sample {
    #[diesel(sql_type = Text)]
    pub base: String,
    #[diesel(sql_type = Text)]
    pub quote: String,
    #[diesel(sql_type = Numeric)]
    pub rate: Decimal,
    #[diesel(sql_type = Text)]
    pub source: String,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub tick_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Every sample, oldest first.
pub fn samples(database: &TestDatabase) -> Vec<Sample> {
    sql_query("SELECT base::text, quote::text, rate, source, tick_at FROM rate_samples ORDER BY observed_at, id")
        .load(&mut database.connect())
        .unwrap()
}

/// Registers a pair directly in the database.
pub fn register(database: &TestDatabase, base: &str, quote: &str) {
    rate_cache::db::insert_pair(&mut database.connect(), base, quote).unwrap();
}

/// Inserts a sample observed at the SQL expression `observed_at` (e.g. `now() - interval '1 day'`).
pub fn insert_sample(
    database: &TestDatabase,
    base: &str,
    quote: &str,
    rate: &str,
    observed_at: &str,
) {
    sql_query(format!(
        "INSERT INTO rate_samples (base, quote, rate, source, observed_at) VALUES ($1, $2, $3, 'test', {observed_at})"
    ))
    .bind::<Text, _>(base)
    .bind::<Text, _>(quote)
    .bind::<Numeric, _>(Decimal::from_str(rate).unwrap())
    .execute(&mut database.connect())
    .unwrap();
}

pub fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

/// One request the upstream mock received: the tick it was made for (the forwarded
/// `X-Request-Id`, `tick-<epoch>`, or `none`), its path and its `currency` parameter.
pub struct UpstreamCall {
    pub tick: String,
    pub path: String,
    pub currency: Option<String>,
}

/// Every request the upstream mock has received so far.
pub async fn upstream_calls(upstream: &MockServer) -> Vec<UpstreamCall> {
    let requests = upstream.received_requests().await.unwrap_or_default();
    requests
        .iter()
        .map(|request| UpstreamCall {
            tick: request
                .headers
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("none")
                .to_owned(),
            path: request.url.path().to_owned(),
            currency: request
                .url
                .query_pairs()
                .find(|(k, _)| k == "currency")
                .map(|(_, v)| v.into_owned()),
        })
        .collect()
}
