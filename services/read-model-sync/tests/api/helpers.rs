//! Spawning the service in-process against a fresh read database and per-test broker names,
//! publishing events to its exchange, and reading rows, metrics and queue depths.

use chrono::{DateTime, Utc};
use diesel::{PgConnection, QueryDsl, RunQueryDsl};
use domain::{BUY_ORDER_CREATED, BuyOrderCreated, Currency};
use messaging::{Envelope, OutgoingMessage, Publisher, Topology, lapin};
use read_model_sync::{config::Config, startup::Application};
use rust_decimal::Decimal;
use std::{str::FromStr, sync::Arc, time::Duration};
use store::{Database, schema::read::buy_orders};
use test_support::{TestDatabase, amqp_url, eventually, unique_name};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// Exchange and queue names of one test, shared by every app instance it spawns.
#[derive(Debug, Clone)]
pub struct Names {
    pub exchange: String,
    pub queue: String,
}

impl Names {
    pub fn unique() -> Self {
        Self {
            exchange: unique_name("test.buy_orders"),
            queue: unique_name("test.read_model_sync"),
        }
    }
}

/// Where a spawned app connects.
pub struct Target<'a> {
    pub names: &'a Names,
    pub database_url: &'a str,
    pub amqp_url: String,
    pub extra: Vec<(&'static str, String)>,
}

impl<'a> Target<'a> {
    /// `names` on `database_url`, straight to the shared broker, no extra variables.
    pub fn new(names: &'a Names, database_url: &'a str) -> Self {
        Self {
            names,
            database_url,
            amqp_url: amqp_url(),
            extra: vec![],
        }
    }
}

/// A running app.
pub struct TestApp {
    pub base_url: String,
    pub shutdown: CancellationToken,
    pub handle: JoinHandle<anyhow::Result<()>>,
    client: reqwest::Client,
}

/// One test's world: its database, names, a publisher and the first app.
pub struct World {
    pub db: TestDatabase,
    pub names: Names,
    pub publisher: Arc<Publisher>,
    pub app: TestApp,
}

pub async fn spawn_world() -> World {
    let db = TestDatabase::migrated(Database::Read);
    let names = Names::unique();
    let target = Target::new(&names, db.url());
    let app = spawn_app(target).await;
    let publisher = publisher(&names);
    World {
        db,
        names,
        publisher,
        app,
    }
}

pub fn publisher(names: &Names) -> Arc<Publisher> {
    Arc::new(Publisher::new(
        &amqp_url(),
        "read-model-sync-tests",
        Topology::new().topic_exchange(&names.exchange),
    ))
}

/// Starts the service and waits until it is ready (database reachable and consuming).
pub async fn spawn_app(target: Target<'_>) -> TestApp {
    telemetry::init_for_tests();
    let mut vars = vec![
        ("READ_DATABASE_URL", target.database_url.to_owned()),
        ("AMQP_URL", target.amqp_url.clone()),
        ("BUY_ORDERS_EXCHANGE", target.names.exchange.clone()),
        ("READ_MODEL_QUEUE", target.names.queue.clone()),
        ("READ_MODEL_QUEUE_EXPIRES_MS", "60000".to_owned()),
        ("RETRY_DELAY_MS", "50".to_owned()),
        ("DATABASE_TIMEOUT_MS", "500".to_owned()),
        ("HTTP_PORT", "0".to_owned()),
    ];
    vars.extend(target.extra);
    let config =
        Config::from_vars(vars.into_iter().map(|(k, v)| (k.to_owned(), v))).expect("test config");
    let shutdown = CancellationToken::new();
    let app = Application::build(config, shutdown.clone())
        .await
        .expect("build");
    let base_url = format!("http://127.0.0.1:{}", app.port());
    let handle = tokio::spawn(app.run_until_stopped());
    test_support::wait_until_ready(&base_url, Duration::from_secs(20)).await;
    TestApp {
        base_url,
        shutdown,
        handle,
        client: reqwest::Client::new(),
    }
}

impl TestApp {
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base_url))
            .send()
            .await
            .expect("request")
    }

    /// The value of an unlabelled metric, 0 when absent.
    pub async fn metric(&self, name: &str) -> f64 {
        let text = self
            .get("/metrics")
            .await
            .text()
            .await
            .expect("metrics body");
        metric_value(&text, name).unwrap_or(0.0)
    }

    /// Waits until `name` reaches at least `at_least`.
    pub async fn wait_for_metric(&self, name: &str, at_least: f64) {
        eventually(
            &format!("{name} >= {at_least}"),
            Duration::from_secs(20),
            || async move { (self.metric(name).await >= at_least).then_some(()) },
        )
        .await;
    }

    /// Cancels the app and waits until it has stopped.
    pub async fn stop(self) {
        self.shutdown.cancel();
        tokio::time::timeout(Duration::from_secs(20), self.handle)
            .await
            .expect("app stops within 20 s")
            .expect("app task")
            .expect("app result");
    }
}

pub fn metric_value(text: &str, name: &str) -> Option<f64> {
    text.lines().find_map(|line| {
        line.strip_prefix(name)?
            .strip_prefix(' ')?
            .trim()
            .parse()
            .ok()
    })
}

/// A valid order event created at `created_at`.
pub fn order_event(created_at: DateTime<Utc>) -> Envelope<BuyOrderCreated> {
    let order = BuyOrderCreated {
        id: Uuid::now_v7(),
        idempotence_key: Uuid::new_v4().to_string(),
        currency: Currency::Eur,
        amount: Decimal::from_str("100.50").unwrap(),
        exchange_rate: Decimal::from_str("38123.45").unwrap(),
        bitcoin_amount: Decimal::from_str("0.00263617").unwrap(),
        created_at,
    };
    Envelope::new(BUY_ORDER_CREATED, order, Some(Uuid::new_v4().to_string()))
}

pub async fn publish(publisher: &Publisher, names: &Names, event: &Envelope<BuyOrderCreated>) {
    let message = event
        .to_message(&names.exchange, BUY_ORDER_CREATED)
        .expect("encode");
    publisher.publish(&message).await.expect("publish");
}

pub async fn publish_raw(publisher: &Publisher, names: &Names, body: &[u8]) {
    let message = OutgoingMessage {
        exchange: names.exchange.clone(),
        routing_key: BUY_ORDER_CREATED.to_owned(),
        body: body.to_vec(),
        message_id: None,
        kind: None,
        correlation_id: None,
        headers: vec![],
        timestamp: None,
    };
    publisher.publish(&message).await.expect("publish");
}

pub fn row_count(conn: &mut PgConnection) -> i64 {
    buy_orders::table.count().get_result(conn).expect("count")
}

pub fn ids(conn: &mut PgConnection) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = buy_orders::table
        .select(buy_orders::id)
        .load(conn)
        .expect("ids");
    ids.sort();
    ids
}

/// Waits until the read model holds exactly `count` rows.
pub async fn wait_for_rows(db: &TestDatabase, count: i64) {
    let url = db.url().to_owned();
    eventually(
        &format!("{count} rows in the read model"),
        Duration::from_secs(30),
        || {
            let url = url.clone();
            async move {
                let found = tokio::task::spawn_blocking(move || {
                    use diesel::Connection;
                    PgConnection::establish(&url)
                        .map(|mut conn| row_count(&mut conn))
                        .unwrap_or(-1)
                })
                .await
                .expect("count task");
                (found == count).then_some(())
            }
        },
    )
    .await;
}

/// Messages ready in `queue` (passive declare).
pub async fn ready_messages(queue: &str) -> u32 {
    let connection = messaging::connect(&amqp_url(), "read-model-sync-tests-inspect")
        .await
        .expect("connect");
    let channel = connection.create_channel().await.expect("channel");
    let options = lapin::options::QueueDeclareOptions {
        passive: true,
        ..Default::default()
    };
    let declared = channel
        .queue_declare(queue.into(), options, lapin::types::FieldTable::default())
        .await
        .expect("passive declare");
    let _ = connection.close(200, "bye".into()).await;
    declared.message_count()
}

/// Deletes the test's exchange (its queues expire on their own).
pub async fn delete_exchange(names: &Names) {
    if let Ok(connection) = messaging::connect(&amqp_url(), "read-model-sync-tests-cleanup").await {
        if let Ok(channel) = connection.create_channel().await {
            let _ = channel
                .exchange_delete(names.exchange.as_str().into(), Default::default())
                .await;
        }
        let _ = connection.close(200, "bye".into()).await;
    }
}
