//! Consuming update jobs: one upstream call for the job's pairs (retried with backoff), then
//! each pair's sample recorded in its own transaction under that pair's lock, then ack.

use crate::{
    db::{self, Recorded},
    jobs::{Pair, UpdateJob},
    provider::{RateProvider, UpstreamError},
};
use chrono::{DateTime, Utc};
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
    /// One upstream call for the whole job, tried [`UPSTREAM_ATTEMPTS`] times.
    async fn fetch(
        &self,
        job: &UpdateJob,
        request_id: &str,
    ) -> Result<Vec<Result<Decimal, UpstreamError>>, UpstreamError> {
        let mut backoff = Backoff::new();
        let mut attempt = 1;
        loop {
            match self.provider.rates(&job.pairs, request_id).await {
                Ok(rates) => return Ok(rates),
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
        let rates = match self.fetch(&job, &request_id).await {
            Ok(rates) => rates,
            Err(error) => return self.upstream_failed(&job, &error),
        };
        let mut failed = None;
        for (pair, rate) in job.pairs.iter().zip(rates) {
            let span = tracing::info_span!("pair", base = %pair.base, quote = %pair.quote);
            let outcome = match rate {
                Ok(rate) => self.record(pair, rate, job.tick_at).instrument(span).await,
                Err(error) => {
                    // The upstream answered but not for this pair: asking again this tick
                    // would get the same answer, so the pair waits for the next tick.
                    self.outcomes.with_label_values(&["upstream_dropped"]).inc();
                    span.in_scope(|| tracing::error!(error = %error, "no rate for this pair in the upstream's answer; the next tick will try again"));
                    Ok(())
                }
            };
            if let Err(reason) = outcome {
                failed.get_or_insert(reason);
            }
        }
        match failed {
            // Pairs recorded before the failure are duplicates on redelivery: recorded once.
            Some(reason) => Outcome::Retry(reason),
            None => Outcome::Ack,
        }
    }

    async fn record(
        &self,
        pair: &Pair,
        rate: Decimal,
        tick_at: DateTime<Utc>,
    ) -> Result<(), String> {
        let source = self.provider.source();
        let (base, quote) = (pair.base.clone(), pair.quote.clone());
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
                tracing::info!(rate = %rate, outcome = label, "sample recorded");
                Ok(())
            }
            Err(error) => {
                self.outcomes.with_label_values(&["database_error"]).inc();
                Err(format!(
                    "cannot record the sample: {}",
                    http_kit::chain(&error)
                ))
            }
        }
    }

    fn upstream_failed(&self, job: &UpdateJob, error: &UpstreamError) -> Outcome {
        let age = Utc::now()
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
        tracing::error!(error = %error, pairs = job.pairs.len(), "upstream failed; job dropped, the next tick will try again");
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
            let base = job
                .pairs
                .first()
                .map(|p| p.base.as_str())
                .unwrap_or_default();
            let span = tracing::info_span!("update_job", base = %base, pairs = job.pairs.len(), tick_at = %job.tick_at, request_id = %request_id);
            self.process(job, request_id).instrument(span).await
        })
    }
}
