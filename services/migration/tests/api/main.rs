//! The migration service, driven as a binary and in-process, against real PostgreSQL.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

mod access;
mod helpers;
mod migrate;
mod serve;
