//! Prometheus counters of the gateway: events by outcome, schema registrations by outcome.

use prometheus::{IntCounterVec, Opts, Registry};

/// The gateway's own counters.
#[derive(Clone)]
pub struct GatewayMetrics {
    events: IntCounterVec,
    registrations: IntCounterVec,
}

impl GatewayMetrics {
    /// Creates the counters and registers them on `registry`.
    pub fn register(registry: &Registry) -> Result<Self, prometheus::Error> {
        let events = IntCounterVec::new(
            Opts::new("event_gateway_events_total", "Events received, by outcome"),
            &["outcome"],
        )?;
        let registrations = IntCounterVec::new(
            Opts::new(
                "event_gateway_registrations_total",
                "Schema registrations, by outcome",
            ),
            &["outcome"],
        )?;
        registry.register(Box::new(events.clone()))?;
        registry.register(Box::new(registrations.clone()))?;
        Ok(Self {
            events,
            registrations,
        })
    }

    /// Counts one event with `outcome` (`accepted`, `invalid`, `unknown`, `unavailable`, ...).
    pub fn event(&self, outcome: &str) {
        self.events.with_label_values(&[outcome]).inc();
    }

    /// Counts one registration with `outcome` (`created`, `unchanged`, `invalid`, ...).
    pub fn registration(&self, outcome: &str) {
        self.registrations.with_label_values(&[outcome]).inc();
    }
}

/// A label for a failed operation.
pub fn outcome(error: &crate::core::CoreError) -> &'static str {
    use crate::core::CoreError as E;
    match error {
        E::InvalidName { .. } | E::InvalidSchema(_) | E::InvalidEvent { .. } => "invalid",
        E::UnknownClient(_) | E::UnknownEvent { .. } | E::UnknownVersion { .. } => "unknown",
        E::Contended => "contended",
        E::Store(_) | E::Stream(_) | E::Corrupt { .. } => "failed",
    }
}
