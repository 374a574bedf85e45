//! The rate-cache service (SPEC §9): tracked currency pairs, rate samples fetched on a
//! schedule through a RabbitMQ work queue, averages per UTC date, and trimming.

pub mod config;
pub mod currency;
pub mod db;
pub mod jobs;
pub mod provider;
pub mod routes;
pub mod scheduler;
pub mod startup;
pub mod worker;
