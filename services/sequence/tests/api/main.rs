//! API tests of the sequence service against a real PostgreSQL: one test binary.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod access;
mod blocks;
mod concurrency;
mod health;
mod helpers;
mod v1;
mod v2;
mod wrap;
