//! btc-price (SPEC §2): the price of 1 BTC in EUR, GBP and USD from Coinbase's exchange
//! rates, with Kraken's Ticker as the fallback, behind a TTL cache with single flight and a
//! bounded stale window.

pub mod cache;
pub mod config;
pub mod routes;
pub mod startup;
pub mod upstream;
