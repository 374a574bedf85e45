//! Configuration, from the environment only.
//!
//! Variables:
//! - `SEQUENCE_DATABASE_URL`: PostgreSQL database holding the sequences
//!   (default `postgres://postgres@127.0.0.1:5432/sequence`);
//! - `SEQUENCE_MAX_COUNT`: the largest `count` a `/v2` request may ask for (default 100,
//!   1 to 100000);
//! - `SEQUENCE_BLOCK_SIZE`: numbers reserved per database write and direction (default 1:
//!   every number is one `nextval`; above 1, block mode; 1 to 1000000000, the same on every
//!   replica of a database);
//! - `DATABASE_POOL_SIZE`: most PostgreSQL connections open at once (default 32, 1 to 1000);
//! - `HTTP_HOST`: address to bind (default `127.0.0.1`);
//! - `HTTP_PORT`: port to bind (default 8783; 0 picks a free one);
//! - `DATABASE_TIMEOUT_MS` (default 2000): wait for a pooled connection;
//! - PostgreSQL deadlines of every pooled connection: `DATABASE_CONNECT_TIMEOUT_SECS` (default
//!   5), `DATABASE_STATEMENT_TIMEOUT_MS` (5000), `DATABASE_LOCK_TIMEOUT_MS` (2000),
//!   `DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS` (10000);
//! - `REQUEST_TIMEOUT_MS` (default 10000): whole-request deadline, 503 `request_timeout` past it.
//!
//! The shared ones are `env_config`'s sections; see there for their ranges.
//! - `API_KEYS`, `API_KEYS_FILE`, `RATE_LIMIT_PER_SECOND`, `RATE_LIMIT_BURST`: access control,
//!   SPEC §11 (unset: open, no limit); see `http_kit::AccessConfig`.

use env_config::{
    ConfigError, DatabaseSettings, HttpSettings, Validate, require_postgres_url, require_range,
};
use serde::Deserialize;

/// Every setting of the service.
#[derive(Debug, Clone, Deserialize)]
pub struct Config {
    /// `HTTP_HOST`, `HTTP_PORT`, `REQUEST_TIMEOUT_MS`.
    #[serde(flatten)]
    pub http: HttpSettings<8783>,
    /// The pool and its PostgreSQL deadlines.
    #[serde(flatten)]
    pub database: DatabaseSettings<32>,
    /// `SEQUENCE_DATABASE_URL`.
    #[serde(default = "default_database_url")]
    pub sequence_database_url: String,
    /// `SEQUENCE_MAX_COUNT`.
    #[serde(default = "default_max_count")]
    pub sequence_max_count: u32,
    /// `SEQUENCE_BLOCK_SIZE`.
    #[serde(default = "default_block_size")]
    pub sequence_block_size: u64,
    /// Access control (SPEC §11): API keys with scopes and per-key rate limits.
    #[serde(flatten)]
    pub access: http_kit::AccessConfig,
}

fn default_database_url() -> String {
    store::Database::Sequence.default_url()
}

fn default_max_count() -> u32 {
    100
}

fn default_block_size() -> u64 {
    1
}

impl Validate for Config {
    fn validate(&self) -> Result<(), ConfigError> {
        self.http.validate()?;
        self.database.validate()?;
        self.access.validate()?;
        require_postgres_url("SEQUENCE_DATABASE_URL", &self.sequence_database_url)?;
        require_range("SEQUENCE_MAX_COUNT", self.sequence_max_count, 1, 100_000)?;
        require_range(
            "SEQUENCE_BLOCK_SIZE",
            self.sequence_block_size,
            1,
            1_000_000_000,
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        env_config::from_iter(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        )
    }

    #[test]
    fn defaults_make_a_local_run_work() {
        let config = load(&[]).unwrap();
        assert_eq!(config.http.port, 8783);
        assert_eq!(config.sequence_max_count, 100);
        assert!(config.sequence_database_url.ends_with("/sequence"));
    }

    #[test]
    fn a_zero_max_count_names_the_variable() {
        let error = load(&[("SEQUENCE_MAX_COUNT", "0")]).unwrap_err();
        assert!(error.to_string().contains("SEQUENCE_MAX_COUNT"), "{error}");
    }

    #[test]
    fn block_mode_is_off_by_default_and_bounded() {
        assert_eq!(load(&[]).unwrap().sequence_block_size, 1);
        for bad in ["0", "1000000001", "-1", "ten"] {
            let error = load(&[("SEQUENCE_BLOCK_SIZE", bad)]).unwrap_err();
            assert!(error.to_string().contains("SEQUENCE_BLOCK_SIZE"), "{error}");
        }
    }

    #[test]
    fn a_non_postgres_url_is_rejected() {
        let error = load(&[("SEQUENCE_DATABASE_URL", "mysql://x/y")]).unwrap_err();
        assert!(
            error.to_string().contains("SEQUENCE_DATABASE_URL"),
            "{error}"
        );
    }
}
