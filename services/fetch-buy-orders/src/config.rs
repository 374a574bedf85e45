//! Configuration of fetch-buy-orders, from the environment.
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `READ_DATABASE_URL` | `postgres://postgres@127.0.0.1:5432/btc_orders_read` | the read model |
//! | `DATABASE_POOL_SIZE` | `10` | read-model connections |
//! | `DATABASE_TIMEOUT_MS` | `2000` | wait for a connection before answering 503 |
//! | `DATABASE_CONNECT_TIMEOUT_SECS` | `5` | libpq `connect_timeout` of every pooled connection (2 to 600) |
//! | `DATABASE_STATEMENT_TIMEOUT_MS` | `5000` | `statement_timeout` of every pooled connection |
//! | `DATABASE_LOCK_TIMEOUT_MS` | `2000` | `lock_timeout` of every pooled connection |
//! | `DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS` | `10000` | `idle_in_transaction_session_timeout` of every pooled connection |
//! | `HTTP_HOST` | `127.0.0.1` | address to bind |
//! | `HTTP_PORT` | `8778` | port to bind (0: any free port) |
//! | `API_KEYS`, `API_KEYS_FILE`, `RATE_LIMIT_PER_SECOND`, `RATE_LIMIT_BURST` | unset (open, no limit) | access control, SPEC §11: see `http_kit::AccessConfig` |
//! | `REQUEST_TIMEOUT_MS` | `10000` | whole-request deadline: past it, 503 `request_timeout` with `Retry-After` |

use env_config::{ConfigError, DatabaseSettings, HttpSettings, Validate, require_postgres_url};
use serde::Deserialize;
use store::Database;

/// Settings of fetch-buy-orders.
#[derive(Debug, Clone, Deserialize)]
pub struct Config {
    /// `HTTP_HOST`, `HTTP_PORT`, `REQUEST_TIMEOUT_MS`.
    #[serde(flatten)]
    pub http: HttpSettings<8778>,
    /// The pool and its PostgreSQL deadlines.
    #[serde(flatten)]
    pub database: DatabaseSettings<10>,
    /// The read model.
    #[serde(default = "read_url")]
    pub read_database_url: String,
    /// Access control (SPEC §11): API keys with scopes and per-key rate limits.
    #[serde(flatten)]
    pub access: http_kit::AccessConfig,
}

fn read_url() -> String {
    Database::Read.default_url()
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
        store::PoolOptions::from(&self.database)
    }
}

impl Validate for Config {
    fn validate(&self) -> Result<(), ConfigError> {
        self.http.validate()?;
        self.database.validate()?;
        self.access.validate()?;
        require_postgres_url("READ_DATABASE_URL", &self.read_database_url)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_make_a_local_run_work_and_bad_values_name_their_variable() {
        let config = Config::from_vars(Vec::new()).unwrap();
        assert_eq!(config.http.port, 8778);
        assert!(config.read_database_url.ends_with("/btc_orders_read"));
        let error = Config::from_vars([("READ_DATABASE_URL".to_owned(), "mysql://x".to_owned())])
            .unwrap_err();
        assert!(error.to_string().contains("READ_DATABASE_URL"), "{error}");
        let error =
            Config::from_vars([("DATABASE_POOL_SIZE".to_owned(), "0".to_owned())]).unwrap_err();
        assert!(error.to_string().contains("DATABASE_POOL_SIZE"), "{error}");
    }
}
