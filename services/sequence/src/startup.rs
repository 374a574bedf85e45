//! Building and running the HTTP server.

use crate::{
    blocks::{self, Lane},
    config::Config,
    dispenser::Direction,
    routes::{self, ApiDoc, State},
};
use actix_web::{dev::Server, web};
use http_kit::{Common, HttpMetrics, Readiness, check_fn};
use prometheus::{IntCounterVec, Opts};
use std::sync::Arc;
use store::{Database, PgPool, PoolOptions};
use tokio_util::sync::CancellationToken;
use utoipa::OpenApi;

/// A bound, not yet running, service.
pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Binds the listener and builds the server; nothing is served until
    /// [`Application::run_until_stopped`]. Cancelling `shutdown` drains and stops it.
    pub async fn build(config: Config, shutdown: CancellationToken) -> anyhow::Result<Self> {
        // First, so that "access control is off/on" is the service's first log line.
        let access = config.access.load()?;
        let pool = pool(
            &config.sequence_database_url,
            PoolOptions::from(&config.database),
        );
        let metrics = HttpMetrics::new()?;
        let dispensed = IntCounterVec::new(
            Opts::new(
                "sequence_numbers_dispensed_total",
                "Numbers handed out, by sequence",
            ),
            &["direction"],
        )?;
        metrics.registry().register(Box::new(dispensed.clone()))?;
        let blocks = if config.sequence_block_size > 1 {
            Some(Arc::new(lanes(
                &pool,
                config.sequence_block_size,
                &metrics,
            )?))
        } else {
            None
        };
        let common = Common::new(
            metrics,
            readiness(&pool, blocks.is_none()),
            &ApiDoc::openapi(),
        )
        .with_access(access)
        .with_request_timeout(config.http.request_timeout());
        let state = web::Data::new(State {
            pool,
            max_count: config.sequence_max_count,
            dispensed,
            blocks,
        });

        let listener = http_kit::bind(&config.http.host, config.http.port)?;
        let port = listener.local_addr()?.port();
        let server = http_kit::serve(listener, common, shutdown, move |cfg| {
            cfg.app_data(state.clone()).configure(routes::configure);
        })?;
        Ok(Self { port, server })
    }

    /// The port actually bound.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until shutdown.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// The sequence's pool skips the check-out test: that `SELECT 1` would be a second round trip
/// per request (the issue asks for one).
fn pool(url: &str, options: PoolOptions) -> PgPool {
    store::lazy_pool_untested(url, options)
}

/// The forward and reverse lanes of block mode, with `sequence_blocks_fetched_total`.
fn lanes(
    pool: &PgPool,
    block_size: u64,
    metrics: &HttpMetrics,
) -> prometheus::Result<(Arc<Lane>, Arc<Lane>)> {
    let fetched = IntCounterVec::new(
        Opts::new(
            "sequence_blocks_fetched_total",
            "Blocks of numbers reserved from the database, by sequence",
        ),
        &["direction"],
    )?;
    metrics.registry().register(Box::new(fetched.clone()))?;
    let lane = |direction: Direction| {
        let counter = fetched.with_label_values(&[direction.name()]);
        Arc::new(Lane::new(direction, pool.clone(), block_size, counter))
    };
    Ok((lane(Direction::Forward), lane(Direction::Reverse)))
}

/// Ready when the schema is current and, for a one-number replica, the database is not in
/// block mode (its numbers would collide with the blocks').
fn readiness(pool: &PgPool, one_number_mode: bool) -> Readiness {
    let pool = pool.clone();
    Readiness::new().with(check_fn("database", move || {
        let pool = pool.clone();
        async move {
            store::check_schema_current(&pool, Database::Sequence).await?;
            if one_number_mode {
                blocks::check_not_in_block_mode(&pool).await?;
            }
            Ok(())
        }
    }))
}
