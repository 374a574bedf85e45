//! The consumer's handler: one delivery → one idempotent insert → the ack decision.
//!
//! The insert goes through the [`Batcher`], which writes the rows of deliveries handled at
//! the same time in one statement (group commit); each delivery still gets its own answer.
//!
//! - not an `Envelope<BuyOrderCreated>` of type `buy_order.created`, or values the read
//!   model cannot hold: dead letter (logged, counted, never retried);
//! - inserted, or already there: ack, only after the insert committed;
//! - the database is down or the insert failed otherwise: retry (requeued after a pause),
//!   so nothing is acked that was not written.

use crate::{
    apply::ReadOrder,
    batch::{Batcher, WriteError, Written},
    metrics::SyncMetrics,
};
use chrono::Utc;
use domain::{BUY_ORDER_CREATED, BuyOrderCreated};
use futures::future::BoxFuture;
use messaging::{Envelope, Handler, Outcome, lapin::message::Delivery};
use tracing::Instrument;

/// Applies `buy_order.created` deliveries to the read model.
pub struct ApplyHandler {
    batcher: Batcher,
    metrics: SyncMetrics,
}

impl ApplyHandler {
    /// A handler writing through `batcher` and counting in `metrics`.
    pub fn new(batcher: Batcher, metrics: SyncMetrics) -> Self {
        Self { batcher, metrics }
    }

    async fn apply(&self, body: &[u8]) -> Outcome {
        let row = match parse(body) {
            Ok(row) => row,
            Err(reason) => {
                self.metrics.dead_lettered();
                return Outcome::DeadLetter(reason);
            }
        };
        let (id, created_at) = (row.id, row.created_at);
        match self.batcher.write(row).await {
            Ok(Written::Duplicate) => {
                self.metrics.duplicate();
                tracing::info!(order_id = %id, "order already in the read model; duplicate acked");
                Outcome::Ack
            }
            Ok(Written::Inserted) => {
                self.metrics.applied(created_at, Utc::now());
                tracing::debug!(order_id = %id, "order applied");
                Outcome::Ack
            }
            Err(WriteError::Permanent(reason)) => {
                self.metrics.dead_lettered();
                Outcome::DeadLetter(format!("order {id} violates the read model: {reason}"))
            }
            Err(WriteError::Transient(reason)) => {
                self.metrics.retried();
                Outcome::Retry(format!("order {id} not written: {reason}"))
            }
        }
    }
}

impl Handler for ApplyHandler {
    fn handle<'a>(&'a self, delivery: &'a Delivery) -> BoxFuture<'a, Outcome> {
        let text = |value: &Option<messaging::lapin::types::ShortString>| {
            value
                .as_ref()
                .map(|v| v.as_str().to_owned())
                .unwrap_or_default()
        };
        let span = tracing::info_span!(
            "apply_event",
            message_id = %text(delivery.properties.message_id()),
            request_id = %text(delivery.properties.correlation_id()),
            redelivered = delivery.redelivered,
        );
        Box::pin(self.apply(&delivery.data).instrument(span))
    }
}

/// The row carried by `body`, or why it can never be applied.
pub fn parse(body: &[u8]) -> Result<ReadOrder, String> {
    let envelope: Envelope<BuyOrderCreated> = serde_json::from_slice(body).map_err(|e| {
        format!(
            "not a {BUY_ORDER_CREATED} envelope ({} bytes): {e}",
            body.len()
        )
    })?;
    if envelope.event_type != BUY_ORDER_CREATED {
        return Err(format!(
            "unexpected event type '{}', expected {BUY_ORDER_CREATED}",
            envelope.event_type
        ));
    }
    ReadOrder::from_event(&envelope.data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_and_foreign_events_are_refused_with_a_reason() {
        assert!(
            parse(b"not json")
                .unwrap_err()
                .contains("not a buy_order.created envelope")
        );
        assert!(parse(br#"{"event_id":"x"}"#).is_err());
        let other = serde_json::json!({
            "event_id": uuid::Uuid::nil(), "event_type": "buy_order.cancelled",
            "occurred_at": "2026-01-01T00:00:00Z", "correlation_id": null,
            "data": {"id": uuid::Uuid::nil(), "idempotence_key": "k", "currency": "EUR",
                     "amount": "1.00", "exchange_rate": "2", "bitcoin_amount": "0.5",
                     "created_at": "2026-01-01T00:00:00Z"}
        });
        assert!(
            parse(other.to_string().as_bytes())
                .unwrap_err()
                .contains("unexpected event type")
        );
    }
}
