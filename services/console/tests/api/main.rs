//! The console's API tests: against a real lru-cache-server with access control on, the real
//! RabbitMQ for the live feeds, and services that are not running for the failure paths.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

mod forwarding;
mod helpers;
mod live;
mod pages;
