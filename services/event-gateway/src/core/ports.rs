//! The two ports the core talks to. Adapters implement them: PostgreSQL and RabbitMQ in
//! production, memory in the core's tests.

use crate::core::Name;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

/// A failure of an adapter, split by whether retrying later may help.
#[derive(Debug, thiserror::Error)]
pub enum PortError {
    /// The backing service is unreachable or timed out (a 503).
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// It was sent but no confirm came back in time: it may or may not have taken effect
    /// (a 503 that says so).
    #[error("unconfirmed: {0}")]
    Unconfirmed(String),
    /// The backing service cannot hold this value (a 422): PostgreSQL's JSONB, for one,
    /// refuses the character U+0000 in strings.
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// Anything else (a 500).
    #[error("failed: {0}")]
    Failed(String),
}

/// One stored version of a schema.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSchema {
    /// Its version, from 1.
    pub version: i32,
    /// The JSON Schema.
    pub schema: Value,
    /// When it was registered.
    pub created_at: DateTime<Utc>,
}

/// An event name with its latest version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventSummary {
    /// The event name.
    pub event: String,
    /// Its latest version.
    pub latest_version: i32,
}

/// What inserting a version did.
#[derive(Debug, Clone, PartialEq)]
pub enum InsertOutcome {
    /// Stored.
    Inserted(StoredSchema),
    /// Another registration took that version first.
    VersionTaken,
}

/// Where schema versions live.
#[async_trait]
pub trait SchemaStore: Send + Sync + 'static {
    /// The latest version number of `client`/`event`, if any.
    async fn latest_version(&self, client: &Name, event: &Name) -> Result<Option<i32>, PortError>;
    /// One version, if it exists.
    async fn get(
        &self,
        client: &Name,
        event: &Name,
        version: i32,
    ) -> Result<Option<StoredSchema>, PortError>;
    /// Stores `schema` as `version`, unless that version already exists.
    async fn insert(
        &self,
        client: &Name,
        event: &Name,
        version: i32,
        schema: &Value,
    ) -> Result<InsertOutcome, PortError>;
    /// Every event of `client` with its latest version, by name.
    async fn list(&self, client: &Name) -> Result<Vec<EventSummary>, PortError>;
}

/// An accepted event on its way to the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingEvent {
    /// Unique id (the AMQP message id).
    pub event_id: Uuid,
    /// The client.
    pub client: String,
    /// The event name.
    pub event: String,
    /// The schema version it was validated against.
    pub schema_version: i32,
    /// `{client}.{event}`.
    pub routing_key: String,
    /// The event JSON, byte for byte as received.
    pub body: Vec<u8>,
    /// The request id that brought it.
    pub correlation_id: Option<String>,
}

/// Where accepted events go.
#[async_trait]
pub trait EventStream: Send + Sync + 'static {
    /// Makes sure `client`'s accepted events are kept from now on, whether or not anyone
    /// subscribes (idempotent; called at each registration).
    async fn prepare(&self, client: &str) -> Result<(), PortError>;
    /// Publishes `event` and returns once the stream has durably taken it.
    async fn publish(&self, event: &OutgoingEvent) -> Result<(), PortError>;
}
