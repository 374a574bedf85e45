//! The outbox relay: publishes committed `buy_order.created` events to RabbitMQ.
//!
//! Each round, in one transaction, it claims up to `OUTBOX_BATCH_SIZE` rows with
//! `published_at IS NULL … FOR UPDATE SKIP LOCKED` (never a watermark: ids are not assigned in
//! commit order), publishes them concurrently on a confirm channel, waits for every confirm,
//! sets `published_at` on the confirmed ones and commits. Replicas claim disjoint rows. A
//! crash between confirm and commit republishes the same event id (at-least-once; consumers
//! de-duplicate on it). A broker outage only delays events: nothing is marked, the relay backs
//! off and retries. A new order wakes the relay at once; otherwise it polls.

use chrono::Utc;
use diesel::prelude::*;
use domain::{BUY_ORDER_CREATED, BuyOrderCreated};
use messaging::{Backoff, Envelope, Publisher};
use prometheus::{IntCounter, Registry};
use std::{sync::Arc, time::Duration};
use store::{PgPool, schema::write::outbox};
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
    /// Pause when idle.
    pub poll_interval: Duration,
    /// Woken after each new order.
    pub wake: Arc<Notify>,
    /// Events confirmed by the broker.
    pub published: IntCounter,
}

/// Creates and registers `outbox_events_published_total`.
pub fn published_counter(registry: &Registry) -> prometheus::Result<IntCounter> {
    let counter = IntCounter::new(
        "outbox_events_published_total",
        "Outbox events confirmed by the broker",
    )?;
    registry.register(Box::new(counter.clone()))?;
    Ok(counter)
}

/// One round's result: rows published, and the publish error that cut it short, if any.
struct Round {
    published: usize,
    claimed: usize,
    failure: Option<String>,
}

impl Relay {
    /// Relays until `shutdown` is cancelled; the round in progress completes first. The caller
    /// disconnects the (shared) publisher once every worker has stopped.
    pub async fn run(self, shutdown: CancellationToken) {
        let mut backoff = Backoff::new();
        while !shutdown.is_cancelled() {
            let pause = match self.round().await {
                Ok(round) if round.failure.is_none() => {
                    backoff.reset();
                    if round.claimed as i64 == self.batch_size {
                        continue;
                    }
                    self.poll_interval
                }
                Ok(round) => {
                    let delay = backoff.next_delay();
                    tracing::warn!(
                        published = round.published,
                        error = round.failure.as_deref().unwrap_or(""),
                        retry_in_ms = delay.as_millis() as u64,
                        "outbox relay could not publish"
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

    /// One round. The claiming transaction runs on a blocking thread and waits (on a plain
    /// channel, never `block_on`) for the async side to publish; if this future is dropped
    /// (shutdown), the channel closes and the transaction rolls back.
    async fn round(&self) -> Result<Round, store::StoreError> {
        let (claimed_tx, claimed_rx) =
            tokio::sync::oneshot::channel::<Vec<(i64, serde_json::Value)>>();
        let (done_tx, done_rx) = std::sync::mpsc::channel::<Vec<i64>>();
        let batch_size = self.batch_size;
        let database = store::run(&self.pool, move |conn| {
            conn.transaction(|conn| {
                let rows: Vec<(i64, serde_json::Value)> = outbox::table
                    .filter(outbox::published_at.is_null())
                    .order(outbox::id)
                    .limit(batch_size)
                    .select((outbox::id, outbox::payload))
                    .for_update()
                    .skip_locked()
                    .load(conn)?;
                let claimed = rows.len();
                if claimed == 0 || claimed_tx.send(rows).is_err() {
                    return Ok((claimed, 0));
                }
                let confirmed = done_rx
                    .recv()
                    .map_err(|_| diesel::result::Error::RollbackTransaction)?;
                if !confirmed.is_empty() {
                    diesel::update(outbox::table.filter(outbox::id.eq_any(&confirmed)))
                        .set(outbox::published_at.eq(Some(Utc::now())))
                        .execute(conn)?;
                }
                Ok((claimed, confirmed.len()))
            })
        });
        let publishing = async {
            let Ok(rows) = claimed_rx.await else {
                return None;
            };
            let (confirmed, failure) = self.publish_all(rows).await;
            let _ = done_tx.send(confirmed);
            failure
        };
        let (database, failure) = tokio::join!(database, publishing);
        let (claimed, published) = database?;
        self.published.inc_by(published as u64);
        Ok(Round {
            published,
            claimed,
            failure,
        })
    }

    /// Publishes every row concurrently; the ids confirmed, and the first error.
    async fn publish_all(&self, rows: Vec<(i64, serde_json::Value)>) -> (Vec<i64>, Option<String>) {
        let publishes = rows.into_iter().map(|(id, payload)| async move {
            let envelope: Envelope<BuyOrderCreated> = match serde_json::from_value(payload) {
                Ok(envelope) => envelope,
                Err(e) => {
                    return (
                        id,
                        Err(format!(
                            "outbox row {id} holds no buy_order.created envelope: {e}"
                        )),
                    );
                }
            };
            let outcome = match envelope.to_message(&self.exchange, BUY_ORDER_CREATED) {
                Ok(message) => self
                    .publisher
                    .publish(&message)
                    .await
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            (id, outcome)
        });
        let mut confirmed = Vec::new();
        let mut failure = None;
        for (id, outcome) in futures::future::join_all(publishes).await {
            match outcome {
                Ok(()) => confirmed.push(id),
                Err(error) => {
                    failure.get_or_insert(error);
                }
            }
        }
        (confirmed, failure)
    }
}
