//! Building and running the HTTP server and the outbox relay.

use crate::{
    committer::Committer,
    config::Config,
    outbox::{Relay, RelayMetrics},
    price_client::PriceClient,
    request::{DecimalInput, RawOrderBody},
    routes::{self, BuyOrder, OrderService},
};
use actix_web::{dev::Server, web};
use http_kit::{Common, HttpMetrics, Readiness, check_fn};
use messaging::Publisher;
use prometheus::{IntCounterVec, Opts};
use std::sync::Arc;
use store::{Database, PoolOptions};
use tokio::{sync::Notify, task::JoinHandle};
use tokio_util::sync::CancellationToken;
use utoipa::OpenApi;

/// The OpenAPI document of create-buy-order.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "create-buy-order",
        description = "Idempotent BTC buy orders under a 100 BTC cap"
    ),
    paths(routes::put_buy_order, routes::get_cap),
    components(schemas(
        RawOrderBody,
        DecimalInput,
        BuyOrder,
        routes::Cap,
        http_kit::ErrorEnvelope
    ))
)]
pub struct ApiDoc;

/// A bound, not yet running, create-buy-order.
pub struct Application {
    port: u16,
    server: Server,
    relays: Vec<JoinHandle<()>>,
    publisher: Arc<Publisher>,
}

impl Application {
    /// Binds the listener (port 0 picks one), builds the server and starts the relay; both
    /// stop when `shutdown` is cancelled.
    pub async fn build(config: Config, shutdown: CancellationToken) -> anyhow::Result<Self> {
        // First, so that "access control is off/on" is the service's first log line.
        let access = config.access.load()?;
        let metrics = HttpMetrics::new()?;
        let pool = store::lazy_pool(
            &config.write_database_url,
            PoolOptions::from(&config.database),
        );
        // The read model's queue too: events relayed before read-model-sync first starts wait
        // there instead of being confirmed into no queue (SPEC §0, §3).
        let topology = messaging::orders_topology(
            &config.buy_orders_exchange,
            &config.read_model_queue,
            config.read_model_queue_expires_ms,
        );
        let publisher = Arc::new(
            Publisher::new(&config.broker.amqp_url, "create-buy-order", topology)
                .with_confirm_timeout(config.confirm_timeout()),
        );
        let relay_wake = Arc::new(Notify::new());
        let relay = Relay {
            pool: pool.clone(),
            publisher: publisher.clone(),
            exchange: config.buy_orders_exchange.clone(),
            batch_size: i64::from(config.outbox_batch_size),
            lease: config.lease(),
            poll_interval: config.poll_interval(),
            wake: relay_wake.clone(),
            metrics: RelayMetrics::register(metrics.registry())?,
        };
        let outcomes = IntCounterVec::new(
            Opts::new(
                "buy_orders_total",
                "PUT /buy_order outcomes, by status or error code",
            ),
            &["outcome"],
        )?;
        metrics.registry().register(Box::new(outcomes.clone()))?;
        let service = web::Data::new(OrderService {
            pool: pool.clone(),
            committer: Committer::start(pool.clone(), config.order_batch_size as usize),
            prices: PriceClient::new(
                &config.btc_price_url,
                config.price_timeout(),
                config.btc_price_api_key.as_ref(),
            )?,
            relay_wake,
            outcomes,
        });
        // The broker is deliberately not a readiness check: orders never need it (SPEC §3).
        let ready_pool = pool.clone();
        let readiness = Readiness::new().with(check_fn("database", move || {
            let pool = ready_pool.clone();
            async move { store::check_schema_current(&pool, Database::Write).await }
        }));
        let common = Common::new(metrics, readiness, &ApiDoc::openapi())
            .with_access(access)
            .with_request_timeout(config.http.request_timeout());
        let listener = http_kit::bind(&config.http.host, config.http.port)?;
        let port = listener.local_addr()?.port();
        let server = http_kit::serve(listener, common, shutdown.clone(), move |cfg| {
            cfg.app_data(service.clone()).configure(routes::configure);
        })?;
        // Several rounds at once (each claims its own rows with SKIP LOCKED): an order committed
        // while a round waits for the broker's confirms is taken by an idle worker at once
        // instead of queueing behind that round.
        let relays = (0..config.outbox_relay_workers)
            .map(|_| tokio::spawn(relay.clone().run(shutdown.clone())))
            .collect();
        Ok(Self {
            port,
            server,
            relays,
            publisher,
        })
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until shutdown, then waits for the relay workers to finish their rounds.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = self.server.await;
        for finished in futures::future::join_all(self.relays).await {
            if let Err(error) = finished {
                tracing::error!(error = %error, "outbox relay task failed");
            }
        }
        self.publisher.disconnect().await;
        tracing::info!("outbox relay stopped");
        served
    }
}
