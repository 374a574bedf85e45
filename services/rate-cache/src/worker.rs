//! Consuming update jobs: fetch the pair's rate from the provider (retried with backoff),
//! then record it in one transaction under the pair's lock, then ack.

use crate::{
    db::{self, Recorded},
    jobs::UpdateJob,
    provider::{RateProvider, UpstreamError},
};
use futures::future::BoxFuture;
use messaging::{Backoff, Envelope, Handler, Outcome, lapin::message::Delivery};
use prometheus::IntCounterVec;
use rust_decimal::Decimal;
use std::{sync::Arc, time::Duration};
use store::PgPool;
use tracing::Instrument;

/// Attempts of one upstream call before the job is given back.
pub const UPSTREAM_ATTEMPTS: u32 = 3;

/// Handles update jobs.
pub struct UpdateWorker {
    /// The database.
    pub pool: PgPool,
    /// The rate source.
    pub provider: Arc<dyn RateProvider>,
    /// A job older than this is dropped after a failed fetch (the next tick has a new one).
    pub job_lifetime: Duration,
    /// `rate_cache_jobs_total{outcome}`.
    pub outcomes: IntCounterVec,
}

impl UpdateWorker {
    async fn fetch(&self, job: &UpdateJob, request_id: &str) -> Result<Decimal, UpstreamError> {
        let mut backoff = Backoff::new();
        let mut attempt = 1;
        loop {
            match self.provider.rate(&job.base, &job.quote, request_id).await {
                Ok(rate) => return Ok(rate),
                Err(error) if error.is_retryable() && attempt < UPSTREAM_ATTEMPTS => {
                    let delay = backoff.next_delay();
                    tracing::warn!(error = %error, attempt, retry_in_ms = delay.as_millis() as u64, "upstream failed; retrying");
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
                Err(error) => return Err(error),
            }
        }
    }

    async fn process(&self, job: UpdateJob, request_id: String) -> Outcome {
        let rate = match self.fetch(&job, &request_id).await {
            Ok(rate) => rate,
            Err(error) => return self.upstream_failed(&job, &error),
        };
        let source = self.provider.source();
        let (base, quote, tick_at) = (job.base.clone(), job.quote.clone(), job.tick_at);
        let recorded = store::run(&self.pool, move |conn| {
            db::record_sample(conn, &base, &quote, rate, source, tick_at)
        })
        .await;
        match recorded {
            Ok(outcome) => {
                let label = match outcome {
                    Recorded::Stored => "stored",
                    Recorded::Duplicate => "duplicate",
                    Recorded::PairGone => "pair_gone",
                };
                self.outcomes.with_label_values(&[label]).inc();
                tracing::info!(rate = %rate, outcome = label, "update job done");
                Outcome::Ack
            }
            Err(error) => {
                self.outcomes.with_label_values(&["database_error"]).inc();
                Outcome::Retry(format!(
                    "cannot record the sample: {}",
                    http_kit::chain(&error)
                ))
            }
        }
    }

    fn upstream_failed(&self, job: &UpdateJob, error: &UpstreamError) -> Outcome {
        let age = chrono::Utc::now()
            .signed_duration_since(job.tick_at)
            .to_std()
            .unwrap_or_default();
        if error.is_retryable() && age < self.job_lifetime {
            self.outcomes.with_label_values(&["upstream_retry"]).inc();
            return Outcome::Retry(format!(
                "upstream failed after {UPSTREAM_ATTEMPTS} attempts: {error}"
            ));
        }
        self.outcomes.with_label_values(&["upstream_dropped"]).inc();
        tracing::error!(error = %error, "upstream failed; job dropped, the next tick will try again");
        Outcome::Ack
    }
}

impl Handler for UpdateWorker {
    fn handle<'a>(&'a self, delivery: &'a Delivery) -> BoxFuture<'a, Outcome> {
        Box::pin(async move {
            let envelope: Envelope<UpdateJob> = match serde_json::from_slice(&delivery.data) {
                Ok(envelope) => envelope,
                Err(error) => {
                    self.outcomes.with_label_values(&["poison"]).inc();
                    return Outcome::DeadLetter(format!("not an update job: {error}"));
                }
            };
            let request_id = envelope
                .correlation_id
                .clone()
                .unwrap_or_else(|| envelope.event_id.to_string());
            let job = envelope.data;
            let span = tracing::info_span!("update_job", base = %job.base, quote = %job.quote, tick_at = %job.tick_at, request_id = %request_id);
            self.process(job, request_id).instrument(span).await
        })
    }
}
