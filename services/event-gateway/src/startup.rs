//! Wiring: the PostgreSQL and RabbitMQ adapters, the core over them, and the HTTP server
//! (with health, metrics and OpenAPI), stopped by one `CancellationToken`.

use crate::{
    adapters::{PgSchemaStore, RabbitEventStream},
    config::Config,
    core::Gateway,
    routes::{ApiDoc, GatewayMetrics, body::BodyLimit, routes},
};
use actix_web::{dev::Server, web};
use http_kit::{Common, HttpMetrics, Readiness, check_fn};
use std::{sync::Arc, time::Duration};
use store::Database;
use tokio_util::sync::CancellationToken;
use utoipa::OpenApi;

/// A bound, running server.
pub struct Application {
    port: u16,
    server: Server,
    stream: Arc<RabbitEventStream>,
}

impl Application {
    /// Builds the adapters and the core and binds the listener; stops when `shutdown` is
    /// cancelled. Neither the database nor the broker needs to be up yet.
    pub async fn build(config: Config, shutdown: CancellationToken) -> anyhow::Result<Self> {
        // First, so that "access control is off/on" is the service's first log line.
        let access = config.access.load()?;
        config.warn_about_deprecated_names();
        let pool = store::lazy_pool(&config.event_gateway_database_url, config.pool_options());
        let stream = Arc::new(RabbitEventStream::new(
            &config.broker.amqp_url,
            &config.events_exchange,
            config.publish_confirm_timeout(),
            &config.event_retention,
        ));
        // Connect now, inside this runtime, so the broker link does not live on a worker's.
        if let Err(reason) = stream.check().await {
            tracing::warn!(%reason, "broker not reachable at start; will retry on each publish");
        }
        let store = Arc::new(PgSchemaStore::new(pool.clone()));
        let gateway = web::Data::new(
            Gateway::new(store, stream.clone(), config.validator_cache_size)
                .with_version_ttl(Duration::from_millis(config.schema_cache_ttl_ms)),
        );

        let metrics = HttpMetrics::new()?;
        let gateway_metrics = web::Data::new(GatewayMetrics::register(metrics.registry())?);
        let mut common = Common::new(metrics, readiness(pool, stream.clone()), &ApiDoc::openapi())
            .with_access(access)
            .with_request_timeout(config.http.request_timeout());
        common.body_limit_bytes = config.max_body_bytes;
        let limit = web::Data::new(BodyLimit(config.max_body_bytes));

        let listener = http_kit::bind(&config.http.host, config.http.port)?;
        let port = listener.local_addr()?.port();
        let server = http_kit::serve(listener, common, shutdown, move |cfg| {
            cfg.app_data(gateway.clone())
                .app_data(limit.clone())
                .app_data(gateway_metrics.clone())
                .configure(routes);
        })?;
        tracing::info!(port, exchange = %config.events_exchange, "event-gateway listening");
        Ok(Self {
            port,
            server,
            stream,
        })
    }

    /// The bound HTTP port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until the token is cancelled and in-flight requests are drained, then closes
    /// the broker connection.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let served = self.server.await;
        self.stream.close().await;
        Ok(served?)
    }
}

fn readiness(pool: store::PgPool, stream: Arc<RabbitEventStream>) -> Readiness {
    Readiness::new()
        .with(check_fn("database", move || {
            let pool = pool.clone();
            async move { store::check_schema_current(&pool, Database::EventGateway).await }
        }))
        .with(check_fn("broker", move || {
            let stream = stream.clone();
            async move { stream.check().await }
        }))
}
