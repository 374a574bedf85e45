//! The event stream over RabbitMQ: a durable topic exchange, persistent messages with
//! publisher confirms, through the shared [`messaging::Publisher`].

use crate::core::{EventStream, OutgoingEvent, PortError};
use async_trait::async_trait;
use messaging::{MessagingError, OutgoingMessage, Publisher, Topology};
use std::time::Duration;

/// Publishes accepted events to `exchange` with routing key `{client}.{event}`.
pub struct RabbitEventStream {
    publisher: Publisher,
    exchange: String,
}

impl RabbitEventStream {
    /// A stream publishing to the topic `exchange` at `url` (connects on first use). A
    /// publish not confirmed within `timeout` counts as unavailable.
    pub fn new(url: &str, exchange: &str, timeout: Duration) -> Self {
        let topology = Topology::new().topic_exchange(exchange);
        Self {
            publisher: Publisher::new(url, "event-gateway", topology).with_confirm_timeout(timeout),
            exchange: exchange.to_owned(),
        }
    }

    /// `Ok` when a confirm channel is open or can be opened now (readiness).
    pub async fn check(&self) -> Result<(), String> {
        self.publisher.check().await
    }

    /// Closes the connection (on shutdown).
    pub async fn close(&self) {
        self.publisher.disconnect().await;
    }
}

/// The AMQP message an accepted `event` is published as on `exchange`: persistent, with its id
/// as the message id, the routing key as its type, the request id as the correlation id, and
/// the client, event and schema_version headers.
pub fn event_message(exchange: &str, event: &OutgoingEvent) -> OutgoingMessage {
    OutgoingMessage {
        exchange: exchange.to_owned(),
        routing_key: event.routing_key.clone(),
        body: event.body.clone(),
        message_id: Some(event.event_id.to_string()),
        kind: Some(event.routing_key.clone()),
        correlation_id: event.correlation_id.clone(),
        headers: vec![
            ("client".to_owned(), event.client.clone()),
            ("event".to_owned(), event.event.clone()),
            (
                "schema_version".to_owned(),
                event.schema_version.to_string(),
            ),
        ],
        timestamp: Some(chrono::Utc::now()),
    }
}

#[async_trait]
impl EventStream for RabbitEventStream {
    async fn publish(&self, event: &OutgoingEvent) -> Result<(), PortError> {
        let message = event_message(&self.exchange, event);
        // A timed-out confirm drops only the link it happened on (inside the publisher).
        match self.publisher.publish(&message).await {
            Ok(()) => Ok(()),
            Err(MessagingError::Encode(e)) => Err(PortError::Failed(e.to_string())),
            Err(e) => Err(PortError::Unavailable(e.to_string())),
        }
    }
}
