#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod access;
mod end_to_end;
mod health;
mod helpers;
mod pagination;
mod validation;
