//! API tests of the rate-cache service against real PostgreSQL and RabbitMQ, with the
//! upstream providers mocked by wiremock serving recorded responses: one test binary.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod access;
mod batching;
mod ecb;
mod helpers;
mod pairs;
mod rates;
mod replicas;
mod trim;
mod updates;
