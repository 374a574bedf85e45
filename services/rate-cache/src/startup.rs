//! Building and running the service: HTTP server, job consumer and schedulers.

use crate::{
    config::Config,
    jobs, provider,
    routes::{self, ApiDoc, State},
    scheduler,
    worker::UpdateWorker,
};
use actix_web::{dev::Server, web};
use http_kit::{Common, HttpMetrics, Readiness, check_fn};
use messaging::{ConsumerSettings, ConsumerState, Publisher};
use prometheus::{IntCounterVec, Opts};
use std::{sync::Arc, time::Duration};
use store::{Database, PgPool, PoolOptions};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use utoipa::OpenApi;

/// A bound service with its background tasks started.
pub struct Application {
    port: u16,
    server: Server,
    tasks: Vec<JoinHandle<()>>,
}

impl Application {
    /// Binds the listener, starts the job consumer and the schedulers. Cancelling `shutdown`
    /// drains requests, finishes the job in hand and stops the schedules.
    pub async fn build(config: Config, shutdown: CancellationToken) -> anyhow::Result<Self> {
        // First, so that "access control is off/on" is the service's first log line.
        let access = config.access.load()?;
        let pool = store::lazy_pool(
            &config.rate_cache_database_url,
            PoolOptions::from(&config.database),
        );
        let metrics = HttpMetrics::new()?;
        let outcomes = IntCounterVec::new(
            Opts::new("rate_cache_jobs_total", "Update jobs handled, by outcome"),
            &["outcome"],
        )?;
        metrics.registry().register(Box::new(outcomes.clone()))?;

        let topology = jobs::topology(&config.rate_jobs_queue, config.rate_jobs_queue_expires_ms);
        let publisher = Arc::new(Publisher::new(
            &config.broker.amqp_url,
            "rate-cache publisher",
            topology.clone(),
        ));
        let consumer_state = ConsumerState::default();
        let provider = provider::from_config(&config)?;
        let batching = provider.batching();
        let worker = UpdateWorker {
            pool: pool.clone(),
            provider,
            job_lifetime: Duration::from_secs(config.rate_update_interval_secs),
            outcomes,
        };
        let settings = ConsumerSettings {
            url: config.broker.amqp_url.clone(),
            name: "rate-cache worker".to_owned(),
            topology,
            queue: config.rate_jobs_queue.clone(),
            prefetch: 1,
            retry_delay: Duration::from_millis(500),
        };
        let mut tasks = vec![tokio::spawn(messaging::consume(
            settings,
            Arc::new(worker),
            consumer_state.clone(),
            shutdown.clone(),
        ))];
        tasks.extend(scheduler::spawn(
            pool.clone(),
            publisher,
            batching,
            &config,
            &shutdown,
        ));

        let common = Common::new(
            metrics,
            readiness(&pool, consumer_state),
            &ApiDoc::openapi(),
        )
        .with_access(access)
        .with_request_timeout(config.http.request_timeout());
        let state = web::Data::new(State { pool });
        let listener = http_kit::bind(&config.http.host, config.http.port)?;
        let port = listener.local_addr()?.port();
        let server = http_kit::serve(listener, common, shutdown, move |cfg| {
            cfg.app_data(state.clone()).configure(routes::configure);
        })?;
        Ok(Self {
            port,
            server,
            tasks,
        })
    }

    /// The port actually bound.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until shutdown, then waits for the consumer and schedulers to stop.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = self.server.await;
        for task in self.tasks {
            if let Err(error) = task.await {
                tracing::error!(error = %error, "a background task failed");
            }
        }
        served
    }
}

fn readiness(pool: &PgPool, consumer: ConsumerState) -> Readiness {
    let pool = pool.clone();
    Readiness::new()
        .with(check_fn("database", move || {
            let pool = pool.clone();
            async move { store::check_schema_current(&pool, Database::RateCache).await }
        }))
        .with(check_fn("broker", move || {
            let connected = consumer.is_connected();
            async move {
                if connected {
                    Ok(())
                } else {
                    Err("not consuming from RabbitMQ (reconnecting)".to_owned())
                }
            }
        }))
}
