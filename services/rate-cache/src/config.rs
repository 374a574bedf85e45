//! Configuration, from the environment only.
//!
//! Variables:
//! - `RATE_CACHE_DATABASE_URL`: PostgreSQL database (default `…/rate_cache` on the local server);
//! - `AMQP_URL`: RabbitMQ (default `amqp://guest:guest@127.0.0.1:5672/%2f`);
//! - `RATE_JOBS_QUEUE`: durable work queue of update jobs (default `rate_cache.update_jobs`);
//! - `RATE_JOBS_QUEUE_EXPIRES_MS`: optional `x-expires` of that queue (tests only; unset in
//!   production, and every replica must use the same value);
//! - `RATES_PROVIDER`: `coinbase` (default) or `ecb`;
//! - `COINBASE_API_URL`: Coinbase API base (default `https://api.coinbase.com`);
//! - `ECB_RATES_URL`: the eurofxref daily XML feed
//!   (default `https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml`);
//! - `UPSTREAM_TIMEOUT_MS`: timeout of one upstream call (default 5000);
//! - `RATE_UPDATE_INTERVAL_SECS` (default 60), `RATE_TRIM_INTERVAL_SECS` (default 3600),
//!   `RATE_RETENTION_DAYS` (default 30);
//! - `DATABASE_POOL_SIZE` (default 10), `HTTP_HOST` (default `127.0.0.1`), `HTTP_PORT`
//!   (default 8782);
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
    BrokerSettings, ConfigError, DatabaseSettings, HttpSettings, Validate, require_http_url,
    require_postgres_url, require_range,
};
use serde::Deserialize;

/// Every setting of the service.
#[derive(Debug, Clone, Deserialize)]
pub struct Config {
    /// `HTTP_HOST`, `HTTP_PORT`, `REQUEST_TIMEOUT_MS`.
    #[serde(flatten)]
    pub http: HttpSettings<8782>,
    /// The pool and its PostgreSQL deadlines.
    #[serde(flatten)]
    pub database: DatabaseSettings<10>,
    /// `AMQP_URL`.
    #[serde(flatten)]
    pub broker: BrokerSettings,
    /// `RATE_CACHE_DATABASE_URL`.
    #[serde(default = "default_database_url")]
    pub rate_cache_database_url: String,
    /// `RATE_JOBS_QUEUE`.
    #[serde(default = "default_queue")]
    pub rate_jobs_queue: String,
    /// `RATE_JOBS_QUEUE_EXPIRES_MS`.
    #[serde(default)]
    pub rate_jobs_queue_expires_ms: Option<u32>,
    /// `RATES_PROVIDER`: `coinbase` or `ecb`.
    #[serde(default = "default_provider")]
    pub rates_provider: String,
    /// `COINBASE_API_URL`.
    #[serde(default = "default_coinbase_url")]
    pub coinbase_api_url: String,
    /// `ECB_RATES_URL`.
    #[serde(default = "default_ecb_url")]
    pub ecb_rates_url: String,
    /// `UPSTREAM_TIMEOUT_MS`.
    #[serde(default = "default_upstream_timeout_ms")]
    pub upstream_timeout_ms: u64,
    /// `RATE_UPDATE_INTERVAL_SECS`.
    #[serde(default = "default_update_interval")]
    pub rate_update_interval_secs: u64,
    /// `RATE_TRIM_INTERVAL_SECS`.
    #[serde(default = "default_trim_interval")]
    pub rate_trim_interval_secs: u64,
    /// `RATE_RETENTION_DAYS`.
    #[serde(default = "default_retention_days")]
    pub rate_retention_days: u32,
    /// Access control (SPEC §11): API keys with scopes and per-key rate limits.
    #[serde(flatten)]
    pub access: http_kit::AccessConfig,
}

fn default_database_url() -> String {
    store::Database::RateCache.default_url()
}
fn default_queue() -> String {
    "rate_cache.update_jobs".to_owned()
}
fn default_provider() -> String {
    "coinbase".to_owned()
}
fn default_coinbase_url() -> String {
    "https://api.coinbase.com".to_owned()
}
fn default_ecb_url() -> String {
    "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml".to_owned()
}
fn default_upstream_timeout_ms() -> u64 {
    5000
}
fn default_update_interval() -> u64 {
    60
}
fn default_trim_interval() -> u64 {
    3600
}
fn default_retention_days() -> u32 {
    30
}

impl Validate for Config {
    fn validate(&self) -> Result<(), ConfigError> {
        self.http.validate()?;
        self.database.validate()?;
        self.broker.validate()?;
        self.access.validate()?;
        require_postgres_url("RATE_CACHE_DATABASE_URL", &self.rate_cache_database_url)?;
        if self.rate_jobs_queue.trim().is_empty() || self.rate_jobs_queue.len() > 200 {
            return Err(ConfigError::invalid(
                "RATE_JOBS_QUEUE",
                "expected a queue name of 1 to 200 characters",
            ));
        }
        if !matches!(self.rates_provider.as_str(), "coinbase" | "ecb") {
            return Err(ConfigError::invalid(
                "RATES_PROVIDER",
                format!(
                    "expected 'coinbase' or 'ecb', got '{}'",
                    self.rates_provider
                ),
            ));
        }
        require_http_url("COINBASE_API_URL", &self.coinbase_api_url)?;
        require_http_url("ECB_RATES_URL", &self.ecb_rates_url)?;
        require_range("UPSTREAM_TIMEOUT_MS", self.upstream_timeout_ms, 1, 600_000)?;
        require_range(
            "RATE_UPDATE_INTERVAL_SECS",
            self.rate_update_interval_secs,
            1,
            86_400,
        )?;
        require_range(
            "RATE_TRIM_INTERVAL_SECS",
            self.rate_trim_interval_secs,
            1,
            86_400 * 7,
        )?;
        require_range("RATE_RETENTION_DAYS", self.rate_retention_days, 1, 36_500)?;
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
    fn defaults_follow_the_spec() {
        let config = load(&[]).unwrap();
        assert_eq!(config.http.port, 8782);
        assert_eq!(config.rates_provider, "coinbase");
        assert_eq!(
            (
                config.rate_update_interval_secs,
                config.rate_trim_interval_secs,
                config.rate_retention_days
            ),
            (60, 3600, 30)
        );
    }

    #[test]
    fn an_unknown_provider_names_the_variable() {
        let error = load(&[("RATES_PROVIDER", "kraken")]).unwrap_err();
        assert!(error.to_string().contains("RATES_PROVIDER"), "{error}");
    }

    #[test]
    fn a_zero_interval_is_rejected() {
        let error = load(&[("RATE_UPDATE_INTERVAL_SECS", "0")]).unwrap_err();
        assert!(
            error.to_string().contains("RATE_UPDATE_INTERVAL_SECS"),
            "{error}"
        );
    }
}
