//! Binding, the common `App`, and graceful shutdown.
//!
//! A service binds with [`bind`] (port 0 in tests) and starts with [`serve`]: every worker's `App`
//! is [`app`] plus the service's routes, and the process-wide `CancellationToken` from
//! [`shutdown_on_signals`] stops it: SIGTERM or SIGINT cancels the token, the server stops
//! accepting, drains in-flight requests, and returns.

use crate::{
    access::{self, Access},
    deadline::{DEFAULT_REQUEST_TIMEOUT, RequestDeadline},
    docs, extractors,
    health::{Readiness, get_live, get_ready},
    metrics::{HttpMetrics, get_metrics},
    openapi::{AllowedMethods, OpenApiDocument, get_openapi},
    request_id::track_request,
};
use actix_web::{
    App, Error, HttpServer,
    body::MessageBody,
    dev::{Server, ServiceFactory, ServiceRequest, ServiceResponse},
    middleware::from_fn,
    web,
};
use std::{net::TcpListener, time::Duration};
use tokio_util::sync::CancellationToken;

/// How long a stopping server waits for in-flight requests.
pub const SHUTDOWN_TIMEOUT_SECS: u64 = 30;

/// What every service's `App` carries: metrics, readiness checks, the OpenAPI document and
/// the body size limit. Cheap to clone into each worker.
#[derive(Clone)]
pub struct Common {
    /// The metrics registry.
    pub metrics: HttpMetrics,
    /// The readiness checks.
    pub readiness: Readiness,
    /// The OpenAPI document.
    pub openapi: OpenApiDocument,
    /// The methods of each documented route, for a 405's `Allow`.
    pub allowed: AllowedMethods,
    /// Limit of JSON and form bodies, in bytes.
    pub body_limit_bytes: usize,
    /// The API keys and rate limits routes wrapped in [`crate::require`] check.
    pub access: Access,
    /// The whole-request deadline (`REQUEST_TIMEOUT_MS`).
    pub request_timeout: Duration,
}

impl Common {
    /// Common parts with the default body limit, running open until [`Common::with_access`].
    /// The document gets the bearer scheme and refusals of [`access::openapi::secured`].
    pub fn new(
        metrics: HttpMetrics,
        readiness: Readiness,
        openapi: &utoipa::openapi::OpenApi,
    ) -> Self {
        Self {
            metrics,
            readiness,
            openapi: OpenApiDocument::new(&access::openapi::secured(openapi)),
            allowed: AllowedMethods::from_openapi(openapi),
            body_limit_bytes: extractors::DEFAULT_BODY_LIMIT_BYTES,
            access: Access::open(),
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
        }
    }

    /// Checks protected routes against `access` (from [`crate::AccessConfig::load`]).
    #[must_use]
    pub fn with_access(mut self, access: Access) -> Self {
        self.access = access;
        self
    }

    /// The same with `timeout` as the whole-request deadline.
    pub fn with_request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }
}

/// The base `App`: request ids and logging, metrics, the whole-request deadline (503
/// `request_timeout` once [`Common::request_timeout`] passes), extractor error handlers, the health,
/// metrics, OpenAPI and API docs (`/docs`) routes, and for a request no route takes a 405 (with `Allow`) when only
/// its method is wrong, else a 404, in the envelope. Add routes to it.
pub fn app(
    common: &Common,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody + use<>>,
        Error = Error,
        InitError = (),
    > + use<>,
> {
    let limit = common.body_limit_bytes;
    App::new()
        .wrap(from_fn(track_request))
        .app_data(web::Data::new(RequestDeadline(common.request_timeout)))
        .app_data(web::Data::new(common.metrics.clone()))
        .app_data(web::Data::new(common.readiness.clone()))
        .app_data(web::Data::new(common.openapi.clone()))
        .app_data(web::Data::new(common.allowed.clone()))
        .app_data(web::Data::new(common.access.clone()))
        .configure(|cfg| extractors::configure(cfg, limit))
        .route("/health/live", web::get().to(get_live))
        .route("/health/ready", web::get().to(get_ready))
        .route("/metrics", web::get().to(get_metrics))
        .route("/openapi.json", web::get().to(get_openapi))
        .route("/docs", web::get().to(docs::get_docs_page))
        .route("/docs/{file}", web::get().to(docs::get_docs_file))
        .default_service(web::to(extractors::no_route))
}

/// Serves `listener` with [`app`] plus what `routes` registers (routes and app data), and stops
/// gracefully (drain, then return) once `shutdown` is cancelled. Await the returned server.
///
/// Register each method of a path with `cfg.route(path, web::get().to(handler))`: a request with
/// another method then reaches [`app`]'s default service, which answers 405 in the envelope with
/// the methods the OpenAPI document gives the path in `Allow`. (A `web::resource` without a
/// default service would answer actix-web's bare 405 instead.)
pub fn serve<F>(
    listener: TcpListener,
    common: Common,
    shutdown: CancellationToken,
    routes: F,
) -> std::io::Result<Server>
where
    F: Fn(&mut web::ServiceConfig) + Clone + Send + 'static,
{
    let server = HttpServer::new(move || app(&common).configure(routes.clone()))
        .listen(listener)?
        .disable_signals()
        .shutdown_timeout(SHUTDOWN_TIMEOUT_SECS)
        .run();
    stop_on_cancel(&server, shutdown);
    Ok(server)
}

/// Binds `host:port` (port 0 picks a free one).
pub fn bind(host: &str, port: u16) -> std::io::Result<TcpListener> {
    TcpListener::bind((host, port))
}

/// Stops `server` gracefully (drain, then return) once `token` is cancelled.
pub fn stop_on_cancel(server: &Server, token: CancellationToken) {
    let handle = server.handle();
    tokio::spawn(async move {
        token.cancelled().await;
        tracing::info!("shutting down: draining in-flight requests");
        handle.stop(true).await;
    });
}

/// A token cancelled on the first SIGTERM or SIGINT. Call inside the tokio runtime.
pub fn shutdown_on_signals() -> CancellationToken {
    let token = CancellationToken::new();
    let cancel = token.clone();
    tokio::spawn(async move {
        wait_for_signal().await;
        tracing::info!("shutdown signal received");
        cancel.cancel();
    });
    token
}

#[cfg(unix)]
async fn wait_for_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut terminate) => {
            tokio::select! {
                _ = terminate.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, "cannot listen for SIGTERM; only SIGINT stops the service");
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

#[cfg(not(unix))]
async fn wait_for_signal() {
    let _ = tokio::signal::ctrl_c().await;
}
