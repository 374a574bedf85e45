//! RabbitMQ over lapin, shared by every service that publishes or consumes:
//! connection with a timeout and backoff, the topology declared in one place (queues and
//! RabbitMQ streams; [`orders_topology`] shared by the orders' publisher and consumer),
//! publishing `mandatory` with publisher confirms and a confirm timeout (a returned message is
//! an error, not a delivery), consuming with manual acks after the work commits, poison
//! messages to a dead-letter queue, reconnection after the broker restarts, and the event
//! [`Envelope`] (event id, type, time, correlation id).

mod connection;
mod consumer;
mod envelope;
mod publisher;
mod topology;

pub use connection::{Backoff, CONNECT_TIMEOUT, MessagingError, connect};
pub use consumer::{ConsumerSettings, ConsumerState, Handler, Outcome, consume};
pub use envelope::{Envelope, OutgoingMessage};
pub use lapin;
pub use publisher::{DEFAULT_CONFIRM_TIMEOUT, Publisher};
pub use topology::{
    DEFAULT_READ_MODEL_QUEUE, ExchangeSpec, QueueSpec, Topology, dead_letter_queue, orders_topology,
};
