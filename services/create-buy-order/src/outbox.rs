//! The outbox relay: publishes committed `buy_order.created` events to RabbitMQ.
//!
//! A round never holds a transaction across broker I/O: it claims up to `OUTBOX_BATCH_SIZE`
//! pending rows with a lease (`OUTBOX_LEASE_MS`, one committed statement with `FOR UPDATE SKIP
//! LOCKED`; never a watermark, since ids are not assigned in commit order), publishes them
//! concurrently with no transaction open (mandatory, confirmed: see `messaging::Publisher`), then
//! marks them in a second short transaction: confirmed rows `published`, rows whose payload does
//! not parse `parked` (logged once, never retried), and the rest released for the next round.
//! The publish phase ends within [`Relay::round_deadline`] (connect + confirm timeouts) and at the
//! first broker-link failure, instead of trying each row in turn; a shutdown ends it at once.
//! A crash or hang between publish and mark republishes the same event id after the lease
//! expires (at least once; consumers de-duplicate on it). A broker outage only delays events.
//! A new order wakes the relay at once; otherwise it polls.

mod claims;

use claims::{Claimed, Settlement};
use domain::{BUY_ORDER_CREATED, BuyOrderCreated};
use futures::{StreamExt, stream::FuturesUnordered};
use messaging::{Backoff, CONNECT_TIMEOUT, Envelope, MessagingError, Publisher};
use prometheus::{IntCounter, Registry};
use std::{sync::Arc, time::Duration};
use store::PgPool;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// The relay and what it needs.
#[derive(Clone)]
pub struct Relay {
    /// The write model.
    pub pool: PgPool,
    /// A confirming publisher.
    pub publisher: Arc<Publisher>,
    /// Exchange to publish to.
    pub exchange: String,
    /// Rows per round.
    pub batch_size: i64,
    /// How long a claim keeps other relays off a row; longer than [`Relay::round_deadline`].
    pub lease: Duration,
    /// Pause when idle.
    pub poll_interval: Duration,
    /// Woken after each new order.
    pub wake: Arc<Notify>,
    /// Its counters.
    pub metrics: RelayMetrics,
}

/// The relay's counters in `/metrics`.
#[derive(Clone)]
pub struct RelayMetrics {
    /// `outbox_events_published_total`: events confirmed and routed by the broker.
    pub published: IntCounter,
    /// `outbox_events_parked_total`: rows parked because their payload cannot be published.
    pub parked: IntCounter,
    /// `outbox_relay_failed_rounds_total`: rounds that left rows unpublished.
    pub failed_rounds: IntCounter,
}

impl RelayMetrics {
    /// Creates and registers the counters.
    pub fn register(registry: &Registry) -> prometheus::Result<Self> {
        let counter = |name: &str, help: &str| -> prometheus::Result<IntCounter> {
            let counter = IntCounter::new(name, help)?;
            registry.register(Box::new(counter.clone()))?;
            Ok(counter)
        };
        Ok(Self {
            published: counter(
                "outbox_events_published_total",
                "Outbox events confirmed and routed by the broker",
            )?,
            parked: counter(
                "outbox_events_parked_total",
                "Outbox rows parked because their payload cannot be published",
            )?,
            failed_rounds: counter(
                "outbox_relay_failed_rounds_total",
                "Relay rounds that left claimed rows unpublished",
            )?,
        })
    }
}

/// One round's result.
struct Round {
    claimed: usize,
    published: usize,
    failure: Option<String>,
}

impl Relay {
    /// The longest a round's publish phase takes: one link opening plus one confirm wait.
    pub fn round_deadline(&self) -> Duration {
        CONNECT_TIMEOUT + self.publisher.confirm_timeout()
    }

    /// Relays until `shutdown` is cancelled; a round in progress stops publishing at once and
    /// releases what it did not publish. The caller disconnects the (shared) publisher once
    /// every worker has stopped.
    pub async fn run(self, shutdown: CancellationToken) {
        let mut backoff = Backoff::new();
        while !shutdown.is_cancelled() {
            let pause = match self.round(&shutdown).await {
                Ok(round) if round.failure.is_none() => {
                    backoff.reset();
                    if round.claimed as i64 == self.batch_size {
                        continue;
                    }
                    self.poll_interval
                }
                Ok(round) => {
                    self.metrics.failed_rounds.inc();
                    let delay = backoff.next_delay();
                    tracing::warn!(
                        claimed = round.claimed,
                        published = round.published,
                        error = round.failure.as_deref().unwrap_or(""),
                        retry_in_ms = delay.as_millis() as u64,
                        "outbox relay could not publish every claimed row"
                    );
                    delay
                }
                Err(error) => {
                    let delay = backoff.next_delay();
                    tracing::warn!(error = %http_kit::chain(&error), retry_in_ms = delay.as_millis() as u64, "outbox relay database error");
                    delay
                }
            };
            tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                _ = self.wake.notified() => {}
                _ = shutdown.cancelled() => {}
            }
        }
        tracing::info!("outbox relay worker stopped");
    }

    /// Claim (committed), publish (no transaction), settle (committed).
    async fn round(&self, shutdown: &CancellationToken) -> Result<Round, store::StoreError> {
        let rows = claims::claim(&self.pool, self.batch_size, self.lease).await?;
        let claimed = rows.len();
        if claimed == 0 {
            return Ok(Round {
                claimed,
                published: 0,
                failure: None,
            });
        }
        let (settlement, failure) = self.publish_claimed(rows, shutdown).await;
        let published = settlement.published.len();
        self.metrics.published.inc_by(published as u64);
        self.metrics.parked.inc_by(settlement.parked.len() as u64);
        claims::settle(&self.pool, settlement).await?;
        Ok(Round {
            claimed,
            published,
            failure,
        })
    }

    /// Publishes every parseable row concurrently, until done, the first link failure, the
    /// round deadline or shutdown; what became of each row, and the first failure.
    async fn publish_claimed(
        &self,
        rows: Vec<Claimed>,
        shutdown: &CancellationToken,
    ) -> (Settlement, Option<String>) {
        let mut settlement = Settlement::default();
        let claimed: Vec<i64> = rows.iter().map(|row| row.id).collect();
        let in_flight = FuturesUnordered::new();
        for row in rows {
            match serde_json::from_value::<Envelope<BuyOrderCreated>>(row.payload) {
                Ok(envelope) => in_flight.push(self.publish_one(row.id, envelope)),
                Err(error) => {
                    tracing::error!(outbox_id = row.id, error = %error, "outbox row holds no buy_order.created envelope; parked, never retried");
                    settlement.parked.push(row.id);
                }
            }
        }
        let (published, failure) = self.drive(in_flight, shutdown).await;
        settlement.published = published;
        // Whatever failed, was still in flight or never started goes back to the pool now.
        settlement.released = claimed
            .into_iter()
            .filter(|id| !settlement.published.contains(id) && !settlement.parked.contains(id))
            .collect();
        (settlement, failure)
    }

    /// Collects confirmations until every publish is done or the round must stop; the ids
    /// published, and the first failure. A return (a queue the topology declares is gone)
    /// declares the topology again for the next round.
    async fn drive(
        &self,
        mut in_flight: FuturesUnordered<impl Future<Output = (i64, Result<(), MessagingError>)>>,
        shutdown: &CancellationToken,
    ) -> (Vec<i64>, Option<String>) {
        let mut published = Vec::new();
        let mut failure = None;
        let mut returned = false;
        let deadline = tokio::time::Instant::now() + self.round_deadline();
        loop {
            let next = tokio::select! {
                biased;
                _ = shutdown.cancelled() => Err("shutting down".to_owned()),
                next = tokio::time::timeout_at(deadline, in_flight.next()) => next
                    .map_err(|_| format!("round deadline of {:?} passed", self.round_deadline())),
            };
            match next {
                Ok(None) => break,
                Ok(Some((id, Ok(())))) => published.push(id),
                Ok(Some((_, Err(error)))) => {
                    returned |= matches!(error, MessagingError::Returned { .. });
                    let stop = error.is_link_failure();
                    failure.get_or_insert_with(|| error.to_string());
                    if stop {
                        break;
                    }
                }
                Err(reason) => {
                    failure.get_or_insert(reason);
                    break;
                }
            }
        }
        drop(in_flight);
        if returned && let Err(error) = self.publisher.declare_topology().await {
            tracing::warn!(error = %error, "cannot declare the topology again after a return");
        }
        (published, failure)
    }

    /// Publishes one row's event.
    async fn publish_one(
        &self,
        id: i64,
        envelope: Envelope<BuyOrderCreated>,
    ) -> (i64, Result<(), MessagingError>) {
        let outcome = match envelope.to_message(&self.exchange, BUY_ORDER_CREATED) {
            Ok(message) => self.publisher.publish(&message).await,
            Err(error) => Err(MessagingError::Encode(error)),
        };
        (id, outcome)
    }
}
