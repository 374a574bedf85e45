//! The `migration` service: applies every database's embedded migrations (SPEC §1), then
//! exits, or with `MIGRATION_SERVE=true` keeps serving `GET /status`.

pub mod config;
pub mod routes;
pub mod runner;
pub mod startup;
