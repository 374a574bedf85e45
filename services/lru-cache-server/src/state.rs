//! State shared by the RESP server, the HTTP API and the commands.

use std::sync::atomic::{AtomicU16, AtomicU64, AtomicUsize, Ordering};
use std::time::Instant;

use crate::config::Config;
use crate::conn::acl::Users;
use crate::db::Db;

/// The store plus the server-wide facts INFO, CONFIG GET and /metrics report.
#[derive(Debug)]
pub struct AppState {
    /// The store.
    pub db: Db,
    /// The validated configuration.
    pub config: Config,
    /// When the process started serving.
    pub started: Instant,
    /// The RESP port actually bound (differs from the config with port 0).
    pub resp_port: AtomicU16,
    /// Open RESP connections.
    pub connected_clients: AtomicUsize,
    /// RESP connections accepted since start.
    pub total_connections: AtomicU64,
    /// RESP connections refused because `CACHE_MAX_CONNECTIONS` was reached.
    pub rejected_connections: AtomicU64,
    /// ACL users (`CACHE_PASSWORD`, `CACHE_USERS_FILE`).
    pub users: Users,
}

impl AppState {
    /// Fresh state around a store.
    pub fn new(db: Db, config: Config) -> AppState {
        AppState {
            resp_port: AtomicU16::new(config.cache_port),
            db,
            config,
            started: Instant::now(),
            connected_clients: AtomicUsize::new(0),
            total_connections: AtomicU64::new(0),
            rejected_connections: AtomicU64::new(0),
            users: Users::default(),
        }
    }

    /// The same state with these ACL users.
    pub fn with_users(self, users: Users) -> AppState {
        AppState { users, ..self }
    }

    /// Open RESP connections now.
    pub fn clients(&self) -> usize {
        self.connected_clients.load(Ordering::Relaxed)
    }
}

/// Resident set size of this process in bytes, from `/proc/self/status` (0 where unavailable).
pub fn rss_bytes() -> u64 {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return 0;
    };
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .map_or(0, |kib| kib * 1024)
}
