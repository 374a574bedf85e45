//! The two schedules, run by every replica; for each tick exactly one replica does the work.
//!
//! Ticks are aligned to wall-clock time: tick `k` of a job with interval `i` starts at
//! `k * i` seconds after the Unix epoch. At each tick every replica calls
//! [`db::claim_tick`]; one wins (advisory lock plus a forward-only `scheduler_ticks` row), so
//! each tick is dispatched once, whichever replicas are alive.
//! - update: the winner publishes one [`jobs::UpdateJob`] per upstream call the tick needs
//!   (one per base currency for Coinbase, one in all for the ECB; confirmed);
//! - trim: the winner deletes, pair by pair under each pair's lock, samples observed before
//!   `now - RATE_RETENTION_DAYS`.

use crate::{
    db,
    jobs::{self, Pair},
    provider::Batching,
};
use chrono::{DateTime, TimeDelta, Utc};
use messaging::Publisher;
use std::{sync::Arc, time::Duration};
use store::PgPool;
use tokio_util::sync::CancellationToken;

/// Start of the tick containing `now` for `interval_secs`.
pub fn tick_start(now: DateTime<Utc>, interval_secs: u64) -> DateTime<Utc> {
    let interval_ms = i64::try_from(interval_secs.saturating_mul(1000))
        .unwrap_or(i64::MAX)
        .max(1);
    let start_ms = now.timestamp_millis().div_euclid(interval_ms) * interval_ms;
    DateTime::from_timestamp_millis(start_ms).unwrap_or(now)
}

/// Waits for each tick start of `interval_secs` and runs `work(tick_at)` until cancelled.
pub async fn every_tick<F, Fut>(interval_secs: u64, shutdown: CancellationToken, mut work: F)
where
    F: FnMut(DateTime<Utc>) -> Fut,
    Fut: Future<Output = ()>,
{
    let interval = TimeDelta::seconds(i64::try_from(interval_secs).unwrap_or(i64::MAX));
    loop {
        let now = Utc::now();
        let next = tick_start(now, interval_secs) + interval;
        let wait = (next - now).to_std().unwrap_or(Duration::ZERO);
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = shutdown.cancelled() => return,
        }
        work(next).await;
    }
}

/// One update tick: claim it, then publish one job per upstream call (`batching`).
pub async fn dispatch_updates(
    pool: &PgPool,
    publisher: &Publisher,
    queue: &str,
    batching: Batching,
    tick_at: DateTime<Utc>,
) {
    let claimed = store::run(pool, move |conn| {
        if db::claim_tick(conn, "update", tick_at)? {
            db::pair_keys(conn).map(Some)
        } else {
            Ok(None)
        }
    })
    .await;
    let pairs = match claimed {
        Ok(Some(pairs)) => pairs,
        Ok(None) => return,
        Err(error) => {
            tracing::warn!(error = %http_kit::chain(&error), "cannot claim the update tick");
            return;
        }
    };
    let pairs = pairs
        .into_iter()
        .map(|(base, quote)| Pair { base, quote })
        .collect();
    let mut published = 0;
    for job in jobs::batch(pairs, batching, tick_at) {
        let sent = match job.to_message(queue) {
            Ok(message) => publisher.publish(&message).await.map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        match sent {
            Ok(()) => published += 1,
            Err(error) => {
                tracing::error!(pairs = ?job.pairs, error = %error, "cannot publish an update job; its pairs skip this tick")
            }
        }
    }
    tracing::info!(tick_at = %tick_at, jobs = published, "update tick dispatched");
}

/// One trim tick: claim it, then trim each pair under its lock. Returns the rows deleted.
pub async fn trim(pool: &PgPool, retention_days: u32, tick_at: DateTime<Utc>) -> usize {
    let cutoff = Utc::now() - TimeDelta::days(i64::from(retention_days));
    let result = store::run(pool, move |conn| {
        if !db::claim_tick(conn, "trim", tick_at)? {
            return Ok(0);
        }
        let mut deleted = 0;
        for (base, quote) in db::pair_keys(conn)? {
            deleted += db::trim_pair(conn, &base, &quote, cutoff)?;
        }
        Ok(deleted)
    })
    .await;
    match result {
        Ok(deleted) => {
            if deleted > 0 {
                tracing::info!(tick_at = %tick_at, deleted, cutoff = %cutoff, "trimmed old samples");
            }
            deleted
        }
        Err(error) => {
            tracing::warn!(error = %http_kit::chain(&error), "trim failed; the next tick will try again");
            0
        }
    }
}

/// Spawns both schedules.
pub fn spawn(
    pool: PgPool,
    publisher: Arc<Publisher>,
    batching: Batching,
    config: &crate::config::Config,
    shutdown: &CancellationToken,
) -> Vec<tokio::task::JoinHandle<()>> {
    let queue = config.rate_jobs_queue.clone();
    let (update_pool, trim_pool) = (pool.clone(), pool);
    let retention = config.rate_retention_days;
    let update = every_tick(
        config.rate_update_interval_secs,
        shutdown.clone(),
        move |tick_at| {
            let (pool, publisher, queue) = (update_pool.clone(), publisher.clone(), queue.clone());
            async move { dispatch_updates(&pool, &publisher, &queue, batching, tick_at).await }
        },
    );
    let trimming = every_tick(
        config.rate_trim_interval_secs,
        shutdown.clone(),
        move |tick_at| {
            let pool = trim_pool.clone();
            async move {
                trim(&pool, retention, tick_at).await;
            }
        },
    );
    vec![tokio::spawn(update), tokio::spawn(trimming)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_align_to_multiples_of_the_interval() {
        let now = DateTime::from_timestamp(1_700_000_123, 456_000_000).unwrap();
        assert_eq!(tick_start(now, 60).timestamp(), 1_700_000_100);
        assert_eq!(tick_start(now, 1).timestamp(), 1_700_000_123);
    }
}
