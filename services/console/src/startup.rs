//! Wiring: the service clients, the live feeds and the HTTP server, stopped by one token.

use crate::{config::Config, live::Live, routes, upstream::Upstreams};
use actix_web::{dev::Server, web};
use http_kit::{Common, HttpMetrics, Readiness, check_fn};
use std::sync::Arc;
use tokio_util::sync::CancellationToken;
use utoipa::OpenApi;

/// The console's own document: its pages and API are for its page, so it documents the
/// common routes only (every other service documents its API; the console forwards to them).
#[derive(OpenApi)]
#[openapi(info(
    title = "console",
    description = "The web console: the page at /, and /api/... routes that forward to the \
                   platform's services with the console's own key."
))]
struct ApiDoc;

/// A bound, not yet running, server.
pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Binds the listener and starts the live feeds; everything stops when `shutdown` is
    /// cancelled.
    pub async fn build(config: Config, shutdown: CancellationToken) -> anyhow::Result<Self> {
        let key = config
            .console_api_key
            .as_ref()
            .is_some_and(|k| !k.expose().is_empty());
        tracing::info!(
            key_set = key,
            "console calls the services with its key when one is set"
        );
        let config = Arc::new(config);
        let upstreams = Upstreams::new(config.clone())?;
        let live = Live::start(&config, shutdown.clone());
        let state = live.orders_state.clone();
        // Ready when the console can do its own part (the live orders feed); the services'
        // health is what its health page shows, not a reason for the console to be unready.
        let readiness = Readiness::new().with(check_fn("broker", move || {
            let connected = state.is_connected();
            async move {
                if connected {
                    Ok(())
                } else {
                    Err("not connected to RabbitMQ: live orders are off".to_owned())
                }
            }
        }));
        let common = Common::new(HttpMetrics::new()?, readiness, &ApiDoc::openapi())
            .with_request_timeout(config.http.request_timeout());
        let listener = http_kit::bind(&config.http.host, config.http.port)?;
        let port = listener.local_addr()?.port();
        let upstreams = web::Data::new(upstreams);
        let live = web::Data::new(live);
        let server = http_kit::serve(listener, common, shutdown, move |cfg| {
            cfg.app_data(upstreams.clone())
                .app_data(live.clone())
                .configure(routes::configure);
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
