//! event-gateway against real PostgreSQL and RabbitMQ, one test binary.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod access;
mod broker;
mod deprecated;
mod health;
mod helpers;
mod json_schema_test_suite;
mod register;
mod schema;
mod send;
mod streams;
