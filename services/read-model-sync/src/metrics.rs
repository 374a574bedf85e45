//! The sync's own Prometheus metrics, registered next to the HTTP ones.
//!
//! - `read_model_events_applied_total`: events that inserted a new row;
//! - `read_model_events_duplicate_total`: events whose order was already there;
//! - `read_model_events_dead_lettered_total`: messages sent to the dead-letter queue;
//! - `read_model_events_retried_total`: messages requeued after a transient failure;
//! - `read_model_apply_batches_total`: statements that wrote a batch of rows (group commit:
//!   fewer than the rows they carried when deliveries arrive together);
//! - `read_model_lag_seconds`: at the last apply, commit time minus the order's `created_at`;
//! - `read_model_last_applied_created_at_seconds`: `created_at` of the last applied order as
//!   a Unix time, so `time() - read_model_last_applied_created_at_seconds` is the lag now.

use chrono::{DateTime, Utc};
use prometheus::{Gauge, IntCounter, Registry};

/// Counters and gauges of the sync.
#[derive(Clone)]
pub struct SyncMetrics {
    applied: IntCounter,
    duplicates: IntCounter,
    dead_lettered: IntCounter,
    retried: IntCounter,
    batches: IntCounter,
    lag_seconds: Gauge,
    last_created_at: Gauge,
}

impl SyncMetrics {
    /// Creates the metrics and registers them on `registry`.
    pub fn register(registry: &Registry) -> Result<Self, prometheus::Error> {
        let metrics = Self {
            applied: IntCounter::new(
                "read_model_events_applied_total",
                "Events that inserted a new order into the read model",
            )?,
            duplicates: IntCounter::new(
                "read_model_events_duplicate_total",
                "Events whose order was already in the read model",
            )?,
            dead_lettered: IntCounter::new(
                "read_model_events_dead_lettered_total",
                "Messages sent to the dead-letter queue",
            )?,
            retried: IntCounter::new(
                "read_model_events_retried_total",
                "Messages requeued after a transient failure",
            )?,
            batches: IntCounter::new(
                "read_model_apply_batches_total",
                "Batches of rows written to the read model, one statement each",
            )?,
            lag_seconds: Gauge::new(
                "read_model_lag_seconds",
                "At the last apply: commit time minus created_at of the applied order, in seconds",
            )?,
            last_created_at: Gauge::new(
                "read_model_last_applied_created_at_seconds",
                "created_at of the last applied order, as a Unix time in seconds",
            )?,
        };
        registry.register(Box::new(metrics.applied.clone()))?;
        registry.register(Box::new(metrics.duplicates.clone()))?;
        registry.register(Box::new(metrics.dead_lettered.clone()))?;
        registry.register(Box::new(metrics.retried.clone()))?;
        registry.register(Box::new(metrics.batches.clone()))?;
        registry.register(Box::new(metrics.lag_seconds.clone()))?;
        registry.register(Box::new(metrics.last_created_at.clone()))?;
        Ok(metrics)
    }

    /// One order inserted at `now`.
    pub fn applied(&self, created_at: DateTime<Utc>, now: DateTime<Utc>) {
        self.applied.inc();
        let lag = (now - created_at).num_microseconds().unwrap_or(i64::MAX);
        self.lag_seconds.set(lag as f64 / 1e6);
        self.last_created_at
            .set(created_at.timestamp_micros() as f64 / 1e6);
    }

    /// One event whose order was already present.
    pub fn duplicate(&self) {
        self.duplicates.inc();
    }

    /// One message dead-lettered.
    pub fn dead_lettered(&self) {
        self.dead_lettered.inc();
    }

    /// The counter of batches written, for the [`crate::batch::Batcher`].
    pub fn batches(&self) -> IntCounter {
        self.batches.clone()
    }

    /// One message requeued.
    pub fn retried(&self) {
        self.retried.inc();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_applied_event_sets_the_counter_and_the_lag() {
        let registry = Registry::new();
        let metrics = SyncMetrics::register(&registry).unwrap();
        let created = DateTime::<Utc>::from_timestamp(1_000, 0).unwrap();
        metrics.applied(created, created + chrono::Duration::milliseconds(250));
        assert_eq!(metrics.applied.get(), 1);
        assert!((metrics.lag_seconds.get() - 0.25).abs() < 1e-9);
        assert!((metrics.last_created_at.get() - 1_000.0).abs() < 1e-9);
    }
}
