#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod batch;
mod consume;
mod faults;
mod health;
mod helpers;
mod rebuild;
