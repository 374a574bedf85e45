//! The update job: one message per pair per scheduler tick, on the durable work queue.

use chrono::{DateTime, Utc};
use messaging::{Envelope, OutgoingMessage, QueueSpec, Topology};
use serde::{Deserialize, Serialize};

/// The `event_type` of an update job.
pub const UPDATE_REQUESTED: &str = "rate_update.requested";

/// Fetch and record one sample of `base/quote` for the tick starting at `tick_at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateJob {
    /// Base currency.
    pub base: String,
    /// Quote currency.
    pub quote: String,
    /// Start of the scheduler tick the job belongs to.
    pub tick_at: DateTime<Utc>,
}

impl UpdateJob {
    /// The persistent message carrying this job to `queue` through the default exchange,
    /// with `correlation_id` naming its tick.
    pub fn to_message(&self, queue: &str) -> serde_json::Result<OutgoingMessage> {
        let correlation = format!("tick-{}", self.tick_at.timestamp());
        Envelope::new(UPDATE_REQUESTED, self.clone(), Some(correlation)).to_message("", queue)
    }
}

/// The work queue (durable, with its dead-letter queue).
pub fn topology(queue: &str, expires_ms: Option<u32>) -> Topology {
    let mut spec = QueueSpec::new(queue);
    if let Some(ms) = expires_ms {
        spec = spec.expires_after_ms(ms);
    }
    Topology::new().queue(spec)
}
