//! Configuration of fetch-buy-orders, from the environment.
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `READ_DATABASE_URL` | `postgres://postgres@127.0.0.1:5432/btc_orders_read` | the read model |
//! | `DATABASE_POOL_SIZE` | `10` | read-model connections |
//! | `DATABASE_TIMEOUT_MS` | `2000` | wait for a connection before answering 503 |
//! | `HTTP_HOST` | `127.0.0.1` | address to bind |
//! | `HTTP_PORT` | `8778` | port to bind (0: any free port) |
//! | `API_KEYS`, `API_KEYS_FILE`, `RATE_LIMIT_PER_SECOND`, `RATE_LIMIT_BURST` | unset (open, no limit) | access control, SPEC §11: see `http_kit::AccessConfig` |

use env_config::{ConfigError, Validate, require_postgres_url, require_range};
use serde::Deserialize;
use store::Database;

/// Settings of fetch-buy-orders.
#[derive(Debug, Clone, Deserialize)]
pub struct Config {
    /// The read model.
    #[serde(default = "read_url")]
    pub read_database_url: String,
    /// Pool size.
    #[serde(default = "pool_size")]
    pub database_pool_size: u32,
    /// Connection wait, in ms.
    #[serde(default = "database_timeout_ms")]
    pub database_timeout_ms: u64,
    /// Bind address.
    #[serde(default = "host")]
    pub http_host: String,
    /// Bind port.
    #[serde(default = "port")]
    pub http_port: u16,
    /// Access control (SPEC §11): API keys with scopes and per-key rate limits.
    #[serde(flatten)]
    pub access: http_kit::AccessConfig,
}

fn read_url() -> String {
    Database::Read.default_url()
}
fn pool_size() -> u32 {
    10
}
fn database_timeout_ms() -> u64 {
    2000
}
fn host() -> String {
    "127.0.0.1".to_owned()
}
fn port() -> u16 {
    8778
}

impl Config {
    /// Defaults plus the given `(NAME, value)` pairs (tests).
    pub fn from_vars<I: IntoIterator<Item = (String, String)>>(
        vars: I,
    ) -> Result<Self, ConfigError> {
        env_config::from_iter(vars)
    }

    /// Pool settings for the read model.
    pub fn pool_options(&self) -> store::PoolOptions {
        store::PoolOptions::from_settings(self.database_pool_size, self.database_timeout_ms)
    }
}

impl Validate for Config {
    fn validate(&self) -> Result<(), ConfigError> {
        self.access.validate()?;
        require_postgres_url("READ_DATABASE_URL", &self.read_database_url)?;
        require_range("DATABASE_POOL_SIZE", self.database_pool_size, 1, 200)?;
        require_range(
            "DATABASE_TIMEOUT_MS",
            self.database_timeout_ms,
            100,
            600_000,
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_make_a_local_run_work_and_bad_values_name_their_variable() {
        let config = Config::from_vars(Vec::new()).unwrap();
        assert_eq!(config.http_port, 8778);
        assert!(config.read_database_url.ends_with("/btc_orders_read"));
        let error = Config::from_vars([("READ_DATABASE_URL".to_owned(), "mysql://x".to_owned())])
            .unwrap_err();
        assert!(error.to_string().contains("READ_DATABASE_URL"), "{error}");
        let error =
            Config::from_vars([("DATABASE_POOL_SIZE".to_owned(), "0".to_owned())]).unwrap_err();
        assert!(error.to_string().contains("DATABASE_POOL_SIZE"), "{error}");
    }
}
