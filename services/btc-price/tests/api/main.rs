//! btc-price's API tests: one binary; the upstreams are local wiremock servers serving the
//! recorded Coinbase and Kraken response shapes from `tests/fixtures/`.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod access;
mod btc_price;
mod helpers;
mod resilience;
mod stale_while_revalidate;
