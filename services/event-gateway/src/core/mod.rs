//! The gateway's rules: register a schema version, receive an event, read a schema, list a
//! client's events. It knows only the [`SchemaStore`] and [`EventStream`] ports.

mod error;
mod gateway;
mod latest;
mod names;
mod ports;
mod validation;

#[cfg(test)]
mod stream_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod version_ttl_tests;

pub use error::{CoreError, Violation};
pub use gateway::{Accepted, Gateway, Registration};
pub use names::Name;
pub use ports::{
    EventStream, EventSummary, InsertOutcome, OutgoingEvent, PortError, SchemaStore, StoredSchema,
};
pub use validation::{CompiledSchema, ValidatorCache, check_schema};
