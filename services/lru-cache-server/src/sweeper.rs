//! The background sweep that removes expired keys nobody reads (reads check expiry lazily).

use std::time::Duration;

use tokio::time::MissedTickBehavior;
use tokio_util::sync::CancellationToken;
use tracing::trace;

use crate::db::Db;

/// How often expired keys are swept.
pub const SWEEP_INTERVAL: Duration = Duration::from_millis(100);
/// Most keys removed per shard per sweep, so a shard is never locked for long.
pub const SWEEP_BUDGET: usize = 1000;

/// Sweeps every [`SWEEP_INTERVAL`] until `shutdown` is cancelled.
pub async fn run(db: Db, shutdown: CancellationToken) {
    let mut tick = tokio::time::interval(SWEEP_INTERVAL);
    tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            () = shutdown.cancelled() => break,
            _ = tick.tick() => {}
        }
        let removed = db.sweep_expired(SWEEP_BUDGET);
        if removed > 0 {
            trace!(removed, "swept expired keys");
        }
    }
}
