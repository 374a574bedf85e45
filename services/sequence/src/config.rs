//! Configuration, from the environment only.
//!
//! Variables:
//! - `SEQUENCE_DATABASE_URL`: PostgreSQL database holding the sequences
//!   (default `postgres://postgres@127.0.0.1:5432/sequence`);
//! - `SEQUENCE_MAX_COUNT`: the largest `count` a `/v2` request may ask for (default 100,
//!   1 to 100000);
//! - `DATABASE_POOL_SIZE`: most PostgreSQL connections open at once (default 32, 1 to 1000);
//! - `HTTP_HOST`: address to bind (default `127.0.0.1`);
//! - `HTTP_PORT`: port to bind (default 8783; 0 picks a free one);
//! - `API_KEYS`, `API_KEYS_FILE`, `RATE_LIMIT_PER_SECOND`, `RATE_LIMIT_BURST`: access control,
//!   SPEC §11 (unset: open, no limit); see `http_kit::AccessConfig`.

use env_config::{ConfigError, Validate, require_postgres_url, require_range};
use serde::Deserialize;

/// Every setting of the service.
#[derive(Debug, Clone, Deserialize)]
pub struct Config {
    /// `SEQUENCE_DATABASE_URL`.
    #[serde(default = "default_database_url")]
    pub sequence_database_url: String,
    /// `SEQUENCE_MAX_COUNT`.
    #[serde(default = "default_max_count")]
    pub sequence_max_count: u32,
    /// `DATABASE_POOL_SIZE`.
    #[serde(default = "default_pool_size")]
    pub database_pool_size: u32,
    /// `HTTP_HOST`.
    #[serde(default = "default_host")]
    pub http_host: String,
    /// `HTTP_PORT`.
    #[serde(default = "default_port")]
    pub http_port: u16,
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

fn default_pool_size() -> u32 {
    32
}

fn default_host() -> String {
    "127.0.0.1".to_owned()
}

fn default_port() -> u16 {
    8783
}

impl Validate for Config {
    fn validate(&self) -> Result<(), ConfigError> {
        self.access.validate()?;
        require_postgres_url("SEQUENCE_DATABASE_URL", &self.sequence_database_url)?;
        require_range("SEQUENCE_MAX_COUNT", self.sequence_max_count, 1, 100_000)?;
        require_range("DATABASE_POOL_SIZE", self.database_pool_size, 1, 1000)
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
        assert_eq!(config.http_port, 8783);
        assert_eq!(config.sequence_max_count, 100);
        assert!(config.sequence_database_url.ends_with("/sequence"));
    }

    #[test]
    fn a_zero_max_count_names_the_variable() {
        let error = load(&[("SEQUENCE_MAX_COUNT", "0")]).unwrap_err();
        assert!(error.to_string().contains("SEQUENCE_MAX_COUNT"), "{error}");
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
