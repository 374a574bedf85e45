//! Building and running the HTTP server.

use crate::{
    cache::PriceCache,
    config::Config,
    routes::{self, PriceList, PriceView},
    upstream::Upstreams,
};
use actix_web::{dev::Server, web};
use http_kit::{Common, HttpMetrics, Readiness};
use tokio_util::sync::CancellationToken;
use utoipa::OpenApi;

/// The OpenAPI document of btc-price.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "btc-price",
        description = "The price of 1 BTC in EUR, GBP and USD"
    ),
    paths(routes::get_btc_price, routes::get_btc_prices),
    components(schemas(PriceView, PriceList, http_kit::ErrorEnvelope))
)]
pub struct ApiDoc;

/// A bound, not yet running, btc-price.
pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Binds the listener (port 0 picks one) and builds the server; stops when `shutdown` is cancelled.
    pub async fn build(config: Config, shutdown: CancellationToken) -> anyhow::Result<Self> {
        // First, so that "access control is off/on" is the service's first log line.
        let access = config.access.load()?;
        let metrics = HttpMetrics::new()?;
        let upstreams = Upstreams::new(
            &config.coinbase_api_url,
            &config.kraken_api_url,
            config.upstream_timeout(),
            config.upstream_max_attempts,
            metrics.registry(),
        )?;
        // A caller with no price waits for the upstream at most 9/10 of its request deadline,
        // so it gets 503 price_unavailable rather than request_timeout.
        let wait_limit = config.http.request_timeout() * 9 / 10;
        let cache = web::Data::new(PriceCache::new(
            upstreams,
            config.ttl(),
            config.max_stale(),
            wait_limit,
        ));
        // No database or broker: ready as soon as it serves.
        let common = Common::new(metrics, Readiness::new(), &ApiDoc::openapi())
            .with_access(access)
            .with_request_timeout(config.http.request_timeout());
        let listener = http_kit::bind(&config.http.host, config.http.port)?;
        let port = listener.local_addr()?.port();
        let server = http_kit::serve(listener, common, shutdown, move |cfg| {
            cfg.app_data(cache.clone()).configure(routes::configure);
        })?;
        Ok(Self { port, server })
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until the shutdown token is cancelled and in-flight requests are drained.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
