//! What the core can refuse or fail with; the HTTP side maps each to a status.

use crate::core::PortError;

/// One reason a schema or an event is invalid.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Violation {
    /// JSON pointer into the document that is wrong (the schema or the event).
    pub instance_path: String,
    /// JSON pointer into the schema whose rule failed.
    pub schema_path: String,
    /// What is wrong, in a sentence.
    pub message: String,
}

/// Why a core operation did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// A client or event name is not 1..64 of letters, digits, `_`, `-`.
    #[error("{field} must be 1 to 64 letters, digits, '_' or '-'")]
    InvalidName {
        /// `client` or `event`.
        field: String,
    },
    /// The body is not a valid JSON Schema.
    #[error("the body is not a valid JSON Schema")]
    InvalidSchema(Vec<Violation>),
    /// The event does not match the latest schema.
    #[error("the event does not match schema version {version}")]
    InvalidEvent {
        /// The version it was checked against.
        version: i32,
        /// Every error found.
        violations: Vec<Violation>,
    },
    /// No event is registered for this client.
    #[error("no event is registered for client '{0}'")]
    UnknownClient(String),
    /// This client has no such event.
    #[error("client '{client}' has no event '{event}'")]
    UnknownEvent {
        /// The client.
        client: String,
        /// The event.
        event: String,
    },
    /// The event exists but not in this version.
    #[error("event '{event}' has no version {version}")]
    UnknownVersion {
        /// The event.
        event: String,
        /// The version asked for.
        version: i64,
    },
    /// Concurrent registrations kept taking the next version.
    #[error("too many concurrent registrations of the same event; try again")]
    Contended,
    /// The schema store failed.
    #[error("schema store: {0}")]
    Store(#[source] PortError),
    /// The event stream failed (the event was not accepted).
    #[error("event stream: {0}")]
    Stream(#[source] PortError),
    /// A stored schema no longer compiles (should never happen: it compiled when registered).
    #[error("stored schema {client}/{event} v{version} does not compile: {reason}")]
    Corrupt {
        /// The client.
        client: String,
        /// The event.
        event: String,
        /// The version.
        version: i32,
        /// Why.
        reason: String,
    },
}
