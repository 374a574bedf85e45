//! The envelope every event travels in, and the AMQP message built from it.

use chrono::{DateTime, Utc};
use lapin::{
    BasicProperties,
    types::{AMQPValue, FieldTable},
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// An event with its id, type, time and the request that caused it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope<T> {
    /// Unique per event; consumers de-duplicate on it.
    pub event_id: Uuid,
    /// `buy_order.created`, …
    pub event_type: String,
    /// When the event happened.
    pub occurred_at: DateTime<Utc>,
    /// The request id that caused it.
    pub correlation_id: Option<String>,
    /// The event itself.
    pub data: T,
}

impl<T: Serialize> Envelope<T> {
    /// A new event, now, with a fresh id.
    pub fn new(event_type: &str, data: T, correlation_id: Option<String>) -> Self {
        Self {
            event_id: Uuid::now_v7(),
            event_type: event_type.to_owned(),
            occurred_at: Utc::now(),
            correlation_id,
            data,
        }
    }

    /// The persistent message carrying this envelope as JSON.
    pub fn to_message(
        &self,
        exchange: &str,
        routing_key: &str,
    ) -> serde_json::Result<OutgoingMessage> {
        Ok(OutgoingMessage {
            exchange: exchange.to_owned(),
            routing_key: routing_key.to_owned(),
            body: serde_json::to_vec(self)?,
            message_id: Some(self.event_id.to_string()),
            kind: Some(self.event_type.clone()),
            correlation_id: self.correlation_id.clone(),
            headers: Vec::new(),
            timestamp: Some(self.occurred_at),
        })
    }
}

/// A message to publish: always persistent and `application/json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMessage {
    /// The exchange.
    pub exchange: String,
    /// The routing key.
    pub routing_key: String,
    /// The JSON body.
    pub body: Vec<u8>,
    /// AMQP `message_id`.
    pub message_id: Option<String>,
    /// AMQP `type`.
    pub kind: Option<String>,
    /// AMQP `correlation_id`.
    pub correlation_id: Option<String>,
    /// String headers.
    pub headers: Vec<(String, String)>,
    /// AMQP `timestamp`.
    pub timestamp: Option<DateTime<Utc>>,
}

impl OutgoingMessage {
    /// Its AMQP properties.
    pub fn properties(&self) -> BasicProperties {
        let mut properties = BasicProperties::default()
            .with_delivery_mode(2)
            .with_content_type("application/json".into());
        if let Some(id) = &self.message_id {
            properties = properties.with_message_id(id.as_str().into());
        }
        if let Some(kind) = &self.kind {
            properties = properties.with_type(kind.as_str().into());
        }
        if let Some(id) = &self.correlation_id {
            properties = properties.with_correlation_id(id.as_str().into());
        }
        if let Some(time) = self.timestamp {
            properties = properties.with_timestamp(u64::try_from(time.timestamp()).unwrap_or(0));
        }
        if !self.headers.is_empty() {
            let mut table = FieldTable::default();
            for (key, value) in &self.headers {
                table.insert(
                    key.as_str().into(),
                    AMQPValue::LongString(value.as_str().into()),
                );
            }
            properties = properties.with_headers(table);
        }
        properties
    }
}
