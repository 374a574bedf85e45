//! The event stream over RabbitMQ: a durable topic exchange, and per client a durable RabbitMQ
//! stream that keeps every accepted event for the retention, read by offset like a Kafka topic.
//!
//! `prepare` declares the stream `{exchange}.{client}` (`events.{client}` with the default
//! exchange; `x-queue-type: stream`, `x-max-age` = `EVENT_RETENTION`) bound to the exchange with
//! `{client}.*`. `publish` is mandatory and confirmed (through [`messaging::Publisher`]), so `Ok`
//! means the broker routed the event into at least that stream: a returned event (the stream is
//! gone, or the client registered before streams existed) has its stream declared once more and
//! is published again once; if it is still returned, the event is refused.
//!
//! Declarations go one at a time per process: RabbitMQ 3.10 answers two concurrent
//! declarations of one new stream with a connection-level `541 INTERNAL_ERROR` (fixed upstream
//! only in 4.x), which would also drop the publishes in flight on that connection. One that
//! still fails (another replica declaring the same stream, or the broker's stream coordinator
//! timing out under load, which it also answers with `541`) is tried twice more on a fresh
//! link, 100 ms and then 300 ms later, within the request's own deadline.

use crate::core::{EventStream, OutgoingEvent, PortError};
use async_trait::async_trait;
use messaging::{MessagingError, OutgoingMessage, Publisher, QueueSpec, Topology};
use std::time::Duration;
use tokio::sync::Mutex;

/// The pauses before a declaration the broker failed is tried again.
const DECLARE_RETRIES: [Duration; 2] = [Duration::from_millis(100), Duration::from_millis(300)];

/// Publishes accepted events to `exchange` with routing key `{client}.{event}`.
pub struct RabbitEventStream {
    publisher: Publisher,
    exchange: String,
    retention: String,
    declaring: Mutex<()>,
}

/// The stream that keeps `client`'s events published on `exchange`.
pub fn stream_name(exchange: &str, client: &str) -> String {
    format!("{exchange}.{client}")
}

/// The exchange and `client`'s stream, bound with `{client}.*`, keeping events for `retention`.
pub fn stream_topology(exchange: &str, client: &str, retention: &str) -> Topology {
    Topology::new().topic_exchange(exchange).queue(
        QueueSpec::stream(&stream_name(exchange, client), retention)
            .bind(exchange, &format!("{client}.*")),
    )
}

impl RabbitEventStream {
    /// A stream publishing to the topic `exchange` at `url` (connects on first use). A
    /// publish not confirmed within `timeout` counts as unavailable. Client streams keep
    /// events for `retention` (`x-max-age`, such as `7D`).
    pub fn new(url: &str, exchange: &str, timeout: Duration, retention: &str) -> Self {
        let topology = Topology::new().topic_exchange(exchange);
        Self {
            publisher: Publisher::new(url, "event-gateway", topology).with_confirm_timeout(timeout),
            exchange: exchange.to_owned(),
            retention: retention.to_owned(),
            declaring: Mutex::new(()),
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

fn port_error(error: MessagingError) -> PortError {
    match error {
        MessagingError::Encode(e) => PortError::Failed(e.to_string()),
        e @ (MessagingError::ConfirmTimeout(_) | MessagingError::Unconfirmed(_)) => {
            PortError::Unconfirmed(e.to_string())
        }
        other => PortError::Unavailable(other.to_string()),
    }
}

#[async_trait]
impl EventStream for RabbitEventStream {
    async fn prepare(&self, client: &str) -> Result<(), PortError> {
        let topology = stream_topology(&self.exchange, client, &self.retention);
        let _one_at_a_time = self.declaring.lock().await;
        let mut declared = self.publisher.declare(&topology).await;
        for pause in DECLARE_RETRIES {
            let Err(MessagingError::Unavailable(failure)) = &declared else {
                break;
            };
            tracing::info!(%client, error = %failure, ?pause, "declaring the client's event stream failed; trying again");
            tokio::time::sleep(pause).await;
            declared = self.publisher.declare(&topology).await;
        }
        declared.map_err(|error| {
            tracing::warn!(%client, error = %error, "cannot declare the client's event stream");
            port_error(error)
        })
    }

    async fn publish(&self, event: &OutgoingEvent) -> Result<(), PortError> {
        let message = event_message(&self.exchange, event);
        // A timed-out confirm drops only the link it happened on (inside the publisher).
        match self.publisher.publish(&message).await {
            Err(MessagingError::Returned { .. }) => {
                tracing::warn!(client = %event.client, "event returned unroutable; declaring the client's stream again");
                self.prepare(&event.client).await?;
                self.publisher.publish(&message).await.map_err(port_error)
            }
            outcome => outcome.map_err(port_error),
        }
    }
}
