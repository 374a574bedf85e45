//! The settings every service repeats, defined and validated once: a service's `Config`
//! flattens the sections it needs (`#[serde(flatten)] pub http: HttpSettings<8777>`) and calls
//! each section's `validate` from its own.
//!
//! | variable | default | range | meaning |
//! |---|---|---|---|
//! | `HTTP_HOST` | `127.0.0.1` | | address to bind |
//! | `HTTP_PORT` | the service's | 0 to 65535 | port to bind (0: any free port) |
//! | `REQUEST_TIMEOUT_MS` | `10000` | 1 to 600000 | whole-request deadline; past it, 503 `request_timeout` |
//! | `DATABASE_POOL_SIZE` | the service's | 1 to 1000 | most pooled connections |
//! | `DATABASE_TIMEOUT_MS` | `2000` | 1 to 600000 | wait for a pooled connection before the database counts as down |
//! | `DATABASE_CONNECT_TIMEOUT_SECS` | `5` | 2 to 600 | libpq `connect_timeout` (libpq's minimum is 2) |
//! | `DATABASE_STATEMENT_TIMEOUT_MS` | `5000` | 1 to 3600000 | `statement_timeout` of every pooled connection; a call with no answer for `DATABASE_TIMEOUT_MS` plus twice this plus 1 s fails as unavailable (a hung link) |
//! | `DATABASE_LOCK_TIMEOUT_MS` | `2000` | 1 to 3600000 | `lock_timeout` of every pooled connection |
//! | `DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS` | `10000` | 1 to 3600000 | `idle_in_transaction_session_timeout` of every pooled connection |
//! | `AMQP_URL` | `amqp://guest:guest@127.0.0.1:5672/%2f` | | RabbitMQ |
//!
//! None of the deadlines can be 0 (PostgreSQL's "no limit"): every wait has an end.

use crate::{ConfigError, number, require_amqp_url, require_range};
use serde::Deserialize;
use std::time::Duration;

/// `HTTP_HOST`, `HTTP_PORT` (default `PORT`) and `REQUEST_TIMEOUT_MS`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct HttpSettings<const PORT: u16> {
    /// `HTTP_HOST`: address to bind.
    #[serde(rename = "http_host", default = "default_host")]
    pub host: String,
    /// `HTTP_PORT`: port to bind, 0 for any free port.
    #[serde(
        rename = "http_port",
        default = "default_port::<PORT>",
        deserialize_with = "number::http_port"
    )]
    pub port: u16,
    /// `REQUEST_TIMEOUT_MS`: the whole-request deadline.
    #[serde(
        rename = "request_timeout_ms",
        default = "default_request_timeout",
        deserialize_with = "number::request_timeout_ms"
    )]
    pub request_timeout_ms: u64,
}

impl<const PORT: u16> HttpSettings<PORT> {
    /// `REQUEST_TIMEOUT_MS` as a duration.
    pub fn request_timeout(&self) -> Duration {
        Duration::from_millis(self.request_timeout_ms)
    }

    /// Checks every field's range.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.host.trim().is_empty() {
            return Err(ConfigError::invalid("HTTP_HOST", "expected an address"));
        }
        require_range("REQUEST_TIMEOUT_MS", self.request_timeout_ms, 1, 600_000)
    }
}

impl<const PORT: u16> Default for HttpSettings<PORT> {
    fn default() -> Self {
        Self {
            host: default_host(),
            port: PORT,
            request_timeout_ms: default_request_timeout(),
        }
    }
}

/// The pool and the per-connection PostgreSQL deadlines; `POOL_SIZE` is the service's default
/// `DATABASE_POOL_SIZE`. The database URL is not here: each service names its own.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DatabaseSettings<const POOL_SIZE: u32> {
    /// `DATABASE_POOL_SIZE`: most pooled connections.
    #[serde(
        rename = "database_pool_size",
        default = "default_pool_size::<POOL_SIZE>",
        deserialize_with = "number::pool_size"
    )]
    pub pool_size: u32,
    /// `DATABASE_TIMEOUT_MS`: wait for a pooled connection.
    #[serde(
        rename = "database_timeout_ms",
        default = "default_pool_timeout",
        deserialize_with = "number::pool_timeout_ms"
    )]
    pub pool_timeout_ms: u64,
    /// `DATABASE_CONNECT_TIMEOUT_SECS`: libpq `connect_timeout`.
    #[serde(
        rename = "database_connect_timeout_secs",
        default = "default_connect_timeout",
        deserialize_with = "number::connect_timeout_secs"
    )]
    pub connect_timeout_secs: u64,
    /// `DATABASE_STATEMENT_TIMEOUT_MS`.
    #[serde(
        rename = "database_statement_timeout_ms",
        default = "default_statement_timeout",
        deserialize_with = "number::statement_timeout_ms"
    )]
    pub statement_timeout_ms: u64,
    /// `DATABASE_LOCK_TIMEOUT_MS`.
    #[serde(
        rename = "database_lock_timeout_ms",
        default = "default_lock_timeout",
        deserialize_with = "number::lock_timeout_ms"
    )]
    pub lock_timeout_ms: u64,
    /// `DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS`.
    #[serde(
        rename = "database_idle_in_transaction_timeout_ms",
        default = "default_idle_in_transaction_timeout",
        deserialize_with = "number::idle_in_transaction_timeout_ms"
    )]
    pub idle_in_transaction_timeout_ms: u64,
}

impl<const POOL_SIZE: u32> DatabaseSettings<POOL_SIZE> {
    /// Checks every field's range.
    pub fn validate(&self) -> Result<(), ConfigError> {
        require_range("DATABASE_POOL_SIZE", self.pool_size, 1, 1000)?;
        require_range("DATABASE_TIMEOUT_MS", self.pool_timeout_ms, 1, 600_000)?;
        require_range(
            "DATABASE_CONNECT_TIMEOUT_SECS",
            self.connect_timeout_secs,
            2,
            600,
        )?;
        for (variable, value) in [
            ("DATABASE_STATEMENT_TIMEOUT_MS", self.statement_timeout_ms),
            ("DATABASE_LOCK_TIMEOUT_MS", self.lock_timeout_ms),
            (
                "DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS",
                self.idle_in_transaction_timeout_ms,
            ),
        ] {
            require_range(variable, value, 1, 3_600_000)?;
        }
        Ok(())
    }
}

impl<const POOL_SIZE: u32> Default for DatabaseSettings<POOL_SIZE> {
    fn default() -> Self {
        Self {
            pool_size: POOL_SIZE,
            pool_timeout_ms: default_pool_timeout(),
            connect_timeout_secs: default_connect_timeout(),
            statement_timeout_ms: default_statement_timeout(),
            lock_timeout_ms: default_lock_timeout(),
            idle_in_transaction_timeout_ms: default_idle_in_transaction_timeout(),
        }
    }
}

/// `AMQP_URL`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct BrokerSettings {
    /// `AMQP_URL`: RabbitMQ.
    #[serde(rename = "amqp_url", default = "default_amqp_url")]
    pub amqp_url: String,
}

impl BrokerSettings {
    /// Checks the URL's scheme.
    pub fn validate(&self) -> Result<(), ConfigError> {
        require_amqp_url("AMQP_URL", &self.amqp_url)
    }
}

impl Default for BrokerSettings {
    fn default() -> Self {
        Self {
            amqp_url: default_amqp_url(),
        }
    }
}

fn default_host() -> String {
    "127.0.0.1".to_owned()
}
fn default_port<const PORT: u16>() -> u16 {
    PORT
}
fn default_request_timeout() -> u64 {
    10_000
}
fn default_pool_size<const POOL_SIZE: u32>() -> u32 {
    POOL_SIZE
}
fn default_pool_timeout() -> u64 {
    2000
}
fn default_connect_timeout() -> u64 {
    5
}
fn default_statement_timeout() -> u64 {
    5000
}
fn default_lock_timeout() -> u64 {
    2000
}
fn default_idle_in_transaction_timeout() -> u64 {
    10_000
}
fn default_amqp_url() -> String {
    "amqp://guest:guest@127.0.0.1:5672/%2f".to_owned()
}
