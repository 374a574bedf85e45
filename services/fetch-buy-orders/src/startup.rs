//! Wiring: the read-model pool and the HTTP server, stopped by one `CancellationToken`.

use crate::routes::{BuyOrdersPage, get_buy_orders};
use actix_web::{dev::Server, web};
use http_kit::{Common, HttpMetrics, Readiness, check_fn};
use store::Database;
use tokio_util::sync::CancellationToken;
use utoipa::OpenApi;

use crate::config::Config;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "fetch-buy-orders",
        description = "BTC buy orders from the read model, newest first, keyset-paged."
    ),
    paths(crate::routes::buy_orders::get_buy_orders),
    components(schemas(
        BuyOrdersPage,
        crate::orders::Order,
        http_kit::ErrorEnvelope,
        http_kit::ErrorBody
    ))
)]
struct ApiDoc;

/// A bound, not yet running, server.
pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Binds the listener; the server stops when `shutdown` is cancelled.
    pub async fn build(config: Config, shutdown: CancellationToken) -> anyhow::Result<Self> {
        // First, so that "access control is off/on" is the service's first log line.
        let access = config.access.load()?;
        let pool = store::lazy_pool(&config.read_database_url, config.pool_options());
        let for_check = pool.clone();
        let readiness = Readiness::new().with(check_fn("database", move || {
            let pool = for_check.clone();
            async move { store::check_schema_current(&pool, Database::Read).await }
        }));
        let common = Common::new(HttpMetrics::new()?, readiness, &ApiDoc::openapi())
            .with_access(access)
            .with_request_timeout(config.http.request_timeout());
        let listener = http_kit::bind(&config.http.host, config.http.port)?;
        let port = listener.local_addr()?.port();
        let pool = web::Data::new(pool);
        let server = http_kit::serve(listener, common, shutdown, move |cfg| {
            cfg.app_data(pool.clone()).route(
                "/buy_orders",
                web::get()
                    .to(get_buy_orders)
                    .wrap(http_kit::require("orders:read")),
            );
        })?;
        Ok(Self { port, server })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until the shutdown token is cancelled.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        Ok(self.server.await?)
    }
}
