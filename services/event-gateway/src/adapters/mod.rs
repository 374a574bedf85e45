//! Implementations of the core's ports: PostgreSQL ([`PgSchemaStore`]), RabbitMQ
//! ([`RabbitEventStream`]) and memory ([`memory`], for the core's tests and local tinkering).

pub mod memory;
mod postgres;
mod rabbitmq;

pub use postgres::PgSchemaStore;
pub use rabbitmq::{RabbitEventStream, event_message, stream_name, stream_topology};
