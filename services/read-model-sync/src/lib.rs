//! read-model-sync (SPEC §4): consumes `buy_order.created` from its own durable queue and
//! writes each order into the read model, acking only after the row is committed; a rebuild
//! path refills the read model from the write model's outbox.

pub mod apply;
pub mod batch;
pub mod config;
pub mod handler;
pub mod metrics;
pub mod rebuild;
pub mod startup;
