//! create-buy-order's API tests: one binary, real PostgreSQL (a database per test) and
//! RabbitMQ (an exchange and queue per test), and a real btc-price in-process in front of a
//! wiremock Coinbase serving Coinbase's response shape.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod access;
mod batch;
mod cap;
mod deadline;
mod exponent;
mod helpers;
mod idempotency;
mod outbox;
mod price;
mod relay;
mod start_order;
mod validation;
