//! Integration tests: the whole service on free ports, in-process, as one test binary.
#![expect(clippy::expect_used, reason = "test helpers fail loudly")]

mod auth;
mod cache_backends;
mod client_limits;
mod eviction;
mod frame_fuzz;
mod global_lru;
mod helpers;
mod http_access;
mod http_api;
mod http_large_post;
mod limits;
mod redis_client;
mod redis_py;
mod resp3;
mod resp_commands;
mod resp_errors;
mod resp_expiry;
mod resp_pipelining;
mod resp_reader;
mod robustness;
mod shutdown;
mod store_commands;
mod store_model;
mod threads;
mod transactions;
mod twemproxy;
