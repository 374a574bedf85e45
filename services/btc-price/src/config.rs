//! Configuration, from the environment only.
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `HTTP_HOST` | `127.0.0.1` | address to bind |
//! | `HTTP_PORT` | `8779` | HTTP port |
//! | `REQUEST_TIMEOUT_MS` | `10000` | whole-request deadline: past it, 503 `request_timeout` with `Retry-After` |
//! | `COINBASE_API_URL` | `https://api.coinbase.com` | Coinbase API base (primary source) |
//! | `KRAKEN_API_URL` | `https://api.kraken.com` | Kraken API base (fallback source) |
//! | `PRICE_TTL_MS` | `2000` | how long a fetched price is fresh |
//! | `PRICE_MAX_STALE_MS` | `60000` | how old a price may be served (flagged stale) while upstreams fail |
//! | `UPSTREAM_TIMEOUT_MS` | `1500` | timeout of one upstream HTTP call |
//! | `UPSTREAM_MAX_ATTEMPTS` | `2` | attempts per source for retryable failures |
//! | `API_KEYS`, `API_KEYS_FILE`, `RATE_LIMIT_PER_SECOND`, `RATE_LIMIT_BURST` | unset (open, no limit) | access control, SPEC §11: see `http_kit::AccessConfig` |

use env_config::{ConfigError, HttpSettings, Validate, require_http_url, require_range};
use serde::Deserialize;
use std::time::Duration;

/// Every setting of btc-price.
#[derive(Debug, Clone, Deserialize)]
pub struct Config {
    /// `HTTP_HOST`, `HTTP_PORT`, `REQUEST_TIMEOUT_MS`.
    #[serde(flatten)]
    pub http: HttpSettings<8779>,
    /// Coinbase API base URL.
    #[serde(default = "default_coinbase")]
    pub coinbase_api_url: String,
    /// Kraken API base URL.
    #[serde(default = "default_kraken")]
    pub kraken_api_url: String,
    /// Freshness of a fetched price, ms.
    #[serde(default = "default_ttl")]
    pub price_ttl_ms: u64,
    /// Oldest price served while upstreams fail, ms.
    #[serde(default = "default_max_stale")]
    pub price_max_stale_ms: u64,
    /// Timeout of one upstream call, ms.
    #[serde(default = "default_timeout")]
    pub upstream_timeout_ms: u64,
    /// Attempts per source.
    #[serde(default = "default_attempts")]
    pub upstream_max_attempts: u32,
    /// Access control (SPEC §11): API keys with scopes and per-key rate limits.
    #[serde(flatten)]
    pub access: http_kit::AccessConfig,
}

fn default_coinbase() -> String {
    "https://api.coinbase.com".to_owned()
}
fn default_kraken() -> String {
    "https://api.kraken.com".to_owned()
}
fn default_ttl() -> u64 {
    2000
}
fn default_max_stale() -> u64 {
    60_000
}
fn default_timeout() -> u64 {
    1500
}
fn default_attempts() -> u32 {
    2
}

impl Config {
    /// `PRICE_TTL_MS` as a duration.
    pub fn ttl(&self) -> Duration {
        Duration::from_millis(self.price_ttl_ms)
    }

    /// `PRICE_MAX_STALE_MS` as a duration.
    pub fn max_stale(&self) -> Duration {
        Duration::from_millis(self.price_max_stale_ms)
    }

    /// `UPSTREAM_TIMEOUT_MS` as a duration.
    pub fn upstream_timeout(&self) -> Duration {
        Duration::from_millis(self.upstream_timeout_ms)
    }
}

impl Validate for Config {
    fn validate(&self) -> Result<(), ConfigError> {
        self.http.validate()?;
        self.access.validate()?;
        require_http_url("COINBASE_API_URL", &self.coinbase_api_url)?;
        require_http_url("KRAKEN_API_URL", &self.kraken_api_url)?;
        require_range("PRICE_TTL_MS", self.price_ttl_ms, 1, 3_600_000)?;
        require_range(
            "PRICE_MAX_STALE_MS",
            self.price_max_stale_ms,
            self.price_ttl_ms,
            86_400_000,
        )?;
        require_range("UPSTREAM_TIMEOUT_MS", self.upstream_timeout_ms, 1, 60_000)?;
        require_range("UPSTREAM_MAX_ATTEMPTS", self.upstream_max_attempts, 1, 10)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use env_config::vars;

    #[test]
    fn defaults_make_a_local_run_work() {
        let config: Config = env_config::from_iter(vars(&[])).unwrap();
        assert_eq!(config.http.port, 8779);
        assert_eq!(config.price_ttl_ms, 2000);
        assert_eq!(config.price_max_stale_ms, 60_000);
    }

    #[test]
    fn a_max_stale_below_the_ttl_is_refused_naming_the_variable() {
        let error = env_config::from_iter::<Config, _>(vars(&[
            ("PRICE_TTL_MS", "5000"),
            ("PRICE_MAX_STALE_MS", "10"),
        ]))
        .unwrap_err();
        assert!(error.to_string().contains("PRICE_MAX_STALE_MS"), "{error}");
    }

    #[test]
    fn a_non_http_upstream_is_refused() {
        let error =
            env_config::from_iter::<Config, _>(vars(&[("KRAKEN_API_URL", "ftp://x")])).unwrap_err();
        assert!(error.to_string().contains("KRAKEN_API_URL"), "{error}");
    }
}
