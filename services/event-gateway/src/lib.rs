//! event-gateway (SPEC §7): receives events from clients, validates each against the JSON
//! Schema registered for it, and publishes the valid ones to RabbitMQ.
//!
//! Hexagonal: [`core`] holds the rules and knows only its two ports
//! ([`core::SchemaStore`], [`core::EventStream`]); [`adapters`] implement them over
//! PostgreSQL and RabbitMQ (and in memory, for the core's own tests); [`routes`] is the HTTP
//! side.

pub mod adapters;
pub mod config;
pub mod core;
pub mod error;
pub mod routes;
pub mod startup;
