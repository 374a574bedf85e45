//! `spawn_app()`: the service in-process on port 0 with a fresh database and a unique
//! exchange, a client with one method per endpoint, and a queue to watch the exchange.

use event_gateway::{adapters::stream_topology, config::Config, startup::Application};
use messaging::{
    QueueSpec, Topology,
    lapin::{Channel, options::BasicGetOptions, types::AMQPValue},
};
use reqwest::{Response, StatusCode};
use serde_json::Value;
use std::{collections::BTreeMap, time::Duration};
use store::Database;
use test_support::{TestDatabase, amqp_url, unique_name};
use tokio_util::sync::CancellationToken;

/// A running app and what it runs on.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub exchange: String,
    pub db: std::sync::Arc<TestDatabase>,
    shutdown: CancellationToken,
    _broker: std::sync::Arc<BrokerCleanup>,
}

/// Deletes the test's exchange and every client stream on it when the last instance of a test
/// is dropped (even on a panic): streams take no `x-expires`, so nothing else would.
pub struct BrokerCleanup {
    exchange: String,
    db: std::sync::Arc<TestDatabase>,
}

impl Drop for BrokerCleanup {
    fn drop(&mut self) {
        #[derive(diesel::QueryableByName)]
        struct Client {
            #[diesel(sql_type = diesel::sql_types::Text)]
            client: String,
        }
        let clients: Vec<String> = diesel::RunQueryDsl::load::<Client>(
            diesel::sql_query("SELECT DISTINCT client FROM event_schemas"),
            &mut self.db.connect(),
        )
        .map(|rows| rows.into_iter().map(|row| row.client).collect())
        .unwrap_or_default();
        let exchange = self.exchange.clone();
        // Its own thread and runtime: the test's runtime may be shutting down.
        let deleting = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(delete_broker_objects(&exchange, &clients));
        });
        let _ = deleting.join();
    }
}

async fn delete_broker_objects(exchange: &str, clients: &[String]) {
    let Ok(connection) = messaging::connect(&amqp_url(), "event-gateway-test-cleanup").await else {
        return;
    };
    for client in clients {
        if let Ok(channel) = connection.create_channel().await {
            let _ = stream_topology(exchange, client, "7D")
                .delete(&channel)
                .await;
        }
    }
    if let Ok(channel) = connection.create_channel().await {
        let _ = Topology::new()
            .topic_exchange(exchange)
            .delete(&channel)
            .await;
    }
    let _ = connection.close(200, "bye".into()).await;
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// The app with its own database and exchange, on the local broker.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(&amqp_url()).await
}

/// The app with its own database and exchange, talking to the broker at `amqp`.
pub async fn spawn_app_with(amqp: &str) -> TestApp {
    spawn_app_with_vars(amqp, &[]).await
}

/// As [`spawn_app_with`], with `extra` variables (access control) added.
pub async fn spawn_app_with_vars(amqp: &str, extra: &[(&str, &str)]) -> TestApp {
    telemetry::init_for_tests();
    let db = tokio::task::spawn_blocking(|| TestDatabase::migrated(Database::EventGateway))
        .await
        .unwrap();
    let db = std::sync::Arc::new(db);
    let exchange = unique_name("events");
    let broker = std::sync::Arc::new(BrokerCleanup {
        exchange: exchange.clone(),
        db: db.clone(),
    });
    let (address, shutdown) = start(db.url(), amqp, &exchange, extra).await;
    TestApp {
        address,
        client: reqwest::Client::new(),
        exchange,
        db,
        shutdown,
        _broker: broker,
    }
}

/// A second instance over the same database and exchange as `app`.
pub async fn second_instance(app: &TestApp) -> TestApp {
    let db = app.db.clone();
    let (address, shutdown) = start(db.url(), &amqp_url(), &app.exchange, &[]).await;
    TestApp {
        address,
        client: reqwest::Client::new(),
        exchange: app.exchange.clone(),
        db,
        shutdown,
        _broker: app._broker.clone(),
    }
}

async fn start(
    db_url: &str,
    amqp: &str,
    exchange: &str,
    extra: &[(&str, &str)],
) -> (String, CancellationToken) {
    let vars = [
        ("EVENT_GATEWAY_DATABASE_URL", db_url),
        ("AMQP_URL", amqp),
        ("EVENTS_EXCHANGE", exchange),
        ("PUBLISH_CONFIRM_TIMEOUT_MS", "3000"),
        ("HTTP_PORT", "0"),
    ];
    let config = Config::from_iter(
        vars.iter()
            .chain(extra)
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    )
    .unwrap();
    let shutdown = CancellationToken::new();
    let app = Application::build(config, shutdown.clone()).await.unwrap();
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    (address, shutdown)
}

/// A fresh valid name.
pub fn name(prefix: &str) -> String {
    format!(
        "{prefix}-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    )
}

impl TestApp {
    pub async fn register(&self, client: &str, event: &str, schema: &Value) -> Response {
        self.post(&format!("/{client}/{event}/register_event"), schema)
            .await
    }

    pub async fn send(&self, client: &str, event: &str, body: &Value) -> Response {
        self.post(&format!("/{client}/{event}/send_event"), body)
            .await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Response {
        self.client
            .post(format!("{}{path}", self.address))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn post_raw(&self, path: &str, content_type: &str, body: &'static str) -> Response {
        self.client
            .post(format!("{}{path}", self.address))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .unwrap()
    }

    /// Registers `schema` and checks it was created.
    pub async fn registered(&self, client: &str, event: &str, schema: &Value) {
        let response = self.register(client, event, schema).await;
        assert_eq!(
            response.status(),
            StatusCode::CREATED,
            "{}",
            response.text().await.unwrap()
        );
    }

    /// A queue on this app's exchange bound with `routing_key`.
    pub async fn watch(&self, routing_key: &str) -> Watcher {
        let connection = messaging::connect(&amqp_url(), "event-gateway-test")
            .await
            .unwrap();
        let channel = connection.create_channel().await.unwrap();
        let queue = unique_name("event-gateway-test");
        let spec = QueueSpec::new(&queue)
            .bind(&self.exchange, routing_key)
            .expires_after_ms(60_000);
        Topology::new()
            .topic_exchange(&self.exchange)
            .queue(spec)
            .declare(&channel)
            .await
            .unwrap();
        Watcher {
            _connection: connection,
            channel,
            queue,
        }
    }
}

/// Status and JSON body of a response.
pub async fn status_json(response: Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}")),
    )
}

/// A message received from the exchange.
#[derive(Debug)]
pub struct Received {
    pub routing_key: String,
    pub body: Vec<u8>,
    pub message_id: Option<String>,
    pub correlation_id: Option<String>,
    pub content_type: Option<String>,
    pub persistent: bool,
    pub headers: BTreeMap<String, String>,
}

/// A test queue bound to the app's exchange.
pub struct Watcher {
    _connection: messaging::lapin::Connection,
    channel: Channel,
    queue: String,
}

impl Watcher {
    /// The next message, if one is waiting.
    pub async fn next(&self) -> Option<Received> {
        let message = self
            .channel
            .basic_get(self.queue.as_str().into(), BasicGetOptions { no_ack: true })
            .await
            .unwrap()?;
        let delivery = message.delivery;
        let properties = &delivery.properties;
        let headers = properties
            .headers()
            .as_ref()
            .map(|table| {
                table
                    .inner()
                    .iter()
                    .map(|(k, v)| {
                        let value = match v {
                            AMQPValue::LongString(s) => s.to_string(),
                            other => format!("{other:?}"),
                        };
                        (k.to_string(), value)
                    })
                    .collect()
            })
            .unwrap_or_default();
        Some(Received {
            routing_key: delivery.routing_key.to_string(),
            body: delivery.data.clone(),
            message_id: properties.message_id().as_ref().map(ToString::to_string),
            correlation_id: properties
                .correlation_id()
                .as_ref()
                .map(ToString::to_string),
            content_type: properties.content_type().as_ref().map(ToString::to_string),
            persistent: properties.delivery_mode() == &Some(2),
            headers,
        })
    }

    /// Waits for `count` messages, polling with a deadline.
    pub async fn receive(&self, count: usize) -> Vec<Received> {
        let mut received = Vec::new();
        for i in 0..count {
            let what = format!("message {} of {count} on {}", i + 1, self.queue);
            received.push(
                test_support::eventually(&what, Duration::from_secs(10), || self.next()).await,
            );
        }
        received
    }
}
