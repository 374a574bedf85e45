//! create-buy-order (SPEC §3): idempotent BTC buy orders priced by btc-price, rounded up
//! exactly to 8 decimals, under a 100 BTC cap shared by every replica, each with a
//! `buy_order.created` event written to an outbox in the same transaction and relayed to
//! RabbitMQ with publisher confirms.

pub mod committer;
pub mod config;
pub mod orders;
pub mod outbox;
pub mod price_client;
pub mod request;
pub mod routes;
pub mod startup;
