//! The serve mode's HTTP server: `/status` plus the common health, metrics and OpenAPI routes.

use crate::routes::{StatusResponse, Targets, get_status};
use crate::runner::status_all;
use actix_web::{dev::Server, web};
use http_kit::{Common, HttpMetrics, Readiness, check_fn};
use tokio_util::sync::CancellationToken;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "migration",
        description = "Applies every database's migrations and reports their status."
    ),
    paths(crate::routes::status::get_status),
    components(schemas(StatusResponse, crate::runner::DatabaseStatus))
)]
struct ApiDoc;

/// A bound, not yet running, status server.
pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Binds `HTTP_HOST:HTTP_PORT` (port 0 for any free one) and prepares the server.
    pub fn build(
        http: &env_config::HttpSettings<8781>,
        targets: Vec<(store::Database, String)>,
        access: http_kit::Access,
        shutdown: CancellationToken,
    ) -> anyhow::Result<Self> {
        let listener = http_kit::bind(&http.host, http.port)?;
        let port = listener.local_addr()?.port();
        let targets = Targets(targets);
        let for_check = targets.clone();
        let readiness = Readiness::new().with(check_fn("schema", move || {
            let targets = for_check.0.clone();
            async move {
                let statuses = tokio::task::spawn_blocking(move || status_all(&targets))
                    .await
                    .map_err(|e| e.to_string())?;
                let behind: Vec<String> = statuses
                    .iter()
                    .filter(|s| !s.up_to_date)
                    .map(|s| match &s.error {
                        Some(error) => format!("{}: {error}", s.database),
                        None => format!("{}: {} pending", s.database, s.pending.len()),
                    })
                    .collect();
                if behind.is_empty() {
                    Ok(())
                } else {
                    Err(behind.join(", "))
                }
            }
        }));
        let common = Common::new(HttpMetrics::new()?, readiness, &ApiDoc::openapi())
            .with_access(access)
            .with_request_timeout(http.request_timeout());
        let server = http_kit::serve(listener, common, shutdown, move |cfg| {
            cfg.app_data(web::Data::new(targets.clone())).route(
                "/status",
                web::get().to(get_status).wrap(http_kit::require_key()),
            );
        })?;
        Ok(Self { port, server })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until the shutdown token is cancelled.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
