//! Building the application: the store, the RESP listener and the HTTP server, bound before
//! anything runs (port 0 picks free ports in tests), then run until shutdown.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use actix_web::HttpServer;
use actix_web::dev::Server;
use http_kit::{Common, HttpMetrics, Readiness, SHUTDOWN_TIMEOUT_SECS};
use tokio_util::sync::CancellationToken;
use utoipa::OpenApi;

use crate::config::Config;
use crate::db::Db;
use crate::http::{self, ApiDoc, CacheCollector};
use crate::server::{self, RespServer};
use crate::state::AppState;
use crate::sweeper;

/// HTTP worker threads: the API is secondary to RESP, which has its own threads.
const HTTP_WORKERS: usize = 2;

/// The bound, not yet running, service.
pub struct Application {
    resp: RespServer,
    http: Server,
    state: Arc<AppState>,
    resp_port: u16,
    http_port: u16,
    shutdown: CancellationToken,
}

impl Application {
    /// Creates the store and binds both listeners; cancelling `shutdown` stops everything.
    pub async fn build(config: Config, shutdown: CancellationToken) -> anyhow::Result<Application> {
        // First, so that "access control is off/on" is the service's first log line.
        let access = config.access.load()?;
        let resp_listeners =
            server::bind(config.resp_host(), config.cache_port, config.cache_threads).await?;
        let resp_port = match resp_listeners.first() {
            Some(listener) => listener.local_addr()?.port(),
            None => anyhow::bail!("no RESP listener bound"),
        };
        let http_listener = http_kit::bind(&config.http_host, config.http_port)?;
        let http_port = http_listener.local_addr()?.port();

        let users = crate::conn::load_users(&config)?;
        let state = Arc::new(AppState::new(Db::new(config.capacity()), config).with_users(users));
        state.resp_port.store(resp_port, Ordering::Relaxed);

        let metrics = HttpMetrics::new()?;
        metrics
            .registry()
            .register(Box::new(CacheCollector::new(Arc::clone(&state))?))?;
        let mut common =
            Common::new(metrics, Readiness::new(), &ApiDoc::openapi()).with_access(access);
        common.body_limit_bytes = state.config.cache_max_request_bytes;
        let data = http::data(&state);
        let http = HttpServer::new(move || {
            http_kit::app(&common)
                .app_data(data.clone())
                .configure(http::routes)
        })
        .workers(HTTP_WORKERS)
        .listen(http_listener)?
        .disable_signals()
        .shutdown_timeout(SHUTDOWN_TIMEOUT_SECS)
        .run();
        http_kit::stop_on_cancel(&http, shutdown.clone());

        Ok(Application {
            resp: RespServer::new(resp_listeners, Arc::clone(&state)),
            http,
            state,
            resp_port,
            http_port,
            shutdown,
        })
    }

    /// The RESP port actually bound.
    pub fn resp_port(&self) -> u16 {
        self.resp_port
    }

    /// The HTTP port actually bound.
    pub fn http_port(&self) -> u16 {
        self.http_port
    }

    /// Serves until the shutdown token is cancelled and every connection has drained.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let sweep = tokio::spawn(sweeper::run(self.state.db.clone(), self.shutdown.clone()));
        let resp = self.resp.run(self.shutdown.clone());
        let (http, ()) = tokio::join!(self.http, resp);
        // The sweeper stops on the same token; a join error only means it panicked.
        let _ = sweep.await;
        http?;
        tracing::info!("stopped");
        Ok(())
    }
}
