//! lru-cache-server: an in-memory key-value store with exact LRU eviction, served over RESP2 and
//! RESP3 (the Redis protocol) and a small HTTP API.

pub mod cmd;
pub mod config;
pub mod conn;
pub mod db;
pub mod http;
pub mod resp;
pub mod server;
pub mod startup;
pub mod state;
pub mod sweeper;
