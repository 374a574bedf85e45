//! Wiring: the read-model pool, the consumer task and the HTTP server (health, metrics,
//! OpenAPI), all stopped by one `CancellationToken`.

use crate::{batch::Batcher, config::Config, handler::ApplyHandler, metrics::SyncMetrics};
use actix_web::dev::Server;
use http_kit::{Common, HttpMetrics, Readiness, check_fn};
use messaging::{ConsumerSettings, ConsumerState, Topology};
use std::{sync::Arc, time::Duration};
use store::Database;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(info(
    title = "read-model-sync",
    description = "Applies buy_order.created events to the orders read model. HTTP serves only health, metrics and this document."
))]
struct ApiDoc;

/// The topology the consumer declares: the exchange, its queue bound to
/// `buy_order.created`, and the queue's dead-letter queue. create-buy-order declares the same
/// (one function in `messaging`), so events published before this service ever ran are kept.
pub fn topology(config: &Config) -> Topology {
    messaging::orders_topology(
        &config.buy_orders_exchange,
        &config.read_model_queue,
        config.read_model_queue_expires_ms,
    )
}

/// A bound server with its consumer running.
pub struct Application {
    port: u16,
    server: Server,
    consumer: JoinHandle<()>,
    shutdown: CancellationToken,
}

impl Application {
    /// Binds the HTTP listener and starts consuming; stops when `shutdown` is cancelled.
    pub async fn build(config: Config, shutdown: CancellationToken) -> anyhow::Result<Self> {
        let pool = store::lazy_pool(&config.read_database_url, config.pool_options());
        let metrics = HttpMetrics::new()?;
        let sync_metrics = SyncMetrics::register(metrics.registry())?;
        let state = ConsumerState::default();
        let readiness = readiness(pool.clone(), state.clone(), config.read_model_queue.clone());
        let common = Common::new(metrics, readiness, &ApiDoc::openapi())
            .with_request_timeout(config.http.request_timeout());

        let listener = http_kit::bind(&config.http.host, config.http.port)?;
        let port = listener.local_addr()?.port();
        let server = http_kit::serve(listener, common, shutdown.clone(), |_| {})?;

        let settings = ConsumerSettings {
            url: config.broker.amqp_url.clone(),
            name: "read-model-sync".to_owned(),
            topology: topology(&config),
            queue: config.read_model_queue.clone(),
            prefetch: config.consumer_prefetch,
            retry_delay: Duration::from_millis(config.retry_delay_ms),
        };
        let batcher = Batcher::start(
            pool,
            config.apply_batch_max,
            usize::try_from(config.database.pool_size).unwrap_or(1),
            sync_metrics.batches(),
        );
        let handler = Arc::new(ApplyHandler::new(batcher, sync_metrics));
        let consumer = tokio::spawn(messaging::consume(
            settings,
            handler,
            state,
            shutdown.clone(),
        ));
        Ok(Self {
            port,
            server,
            consumer,
            shutdown,
        })
    }

    /// The bound HTTP port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves and consumes until the token is cancelled, then drains both.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let served = self.server.await;
        // The server also ends on its own failure: stop the consumer with it.
        self.shutdown.cancel();
        self.consumer.await?;
        Ok(served?)
    }
}

/// Runs the process: no `command` consumes and serves until SIGTERM/SIGINT; `rebuild` refills
/// the read model from the outbox and prints its report.
pub async fn run_command(config: Config, command: Option<&str>) -> anyhow::Result<()> {
    match command {
        None => {
            let shutdown = http_kit::shutdown_on_signals();
            Application::build(config, shutdown)
                .await?
                .run_until_stopped()
                .await
        }
        Some("rebuild") => {
            let report = crate::rebuild::run(&config).await?;
            println!("rebuild: {report:?}");
            Ok(())
        }
        Some(other) => Err(anyhow::anyhow!(
            "unknown command '{other}'; expected no argument or 'rebuild'"
        )),
    }
}

fn readiness(pool: store::PgPool, state: ConsumerState, queue: String) -> Readiness {
    Readiness::new()
        .with(check_fn("database", move || {
            let pool = pool.clone();
            async move { store::check_schema_current(&pool, Database::Read).await }
        }))
        .with(check_fn("broker", move || {
            let connected = state.is_connected();
            let queue = queue.clone();
            async move {
                if connected {
                    Ok(())
                } else {
                    Err(format!("not consuming {queue}; reconnecting to the broker"))
                }
            }
        }))
}
