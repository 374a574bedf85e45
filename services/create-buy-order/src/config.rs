//! Configuration, from the environment only.
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `HTTP_HOST` | `127.0.0.1` | address to bind |
//! | `HTTP_PORT` | `8777` | HTTP port |
//! | `WRITE_DATABASE_URL` | `postgres://postgres@127.0.0.1:5432/btc_orders_write` | the orders write model |
//! | `DATABASE_POOL_SIZE` | `16` | most database connections |
//! | `BTC_PRICE_URL` | `http://127.0.0.1:8779` | btc-price base URL |
//! | `BTC_PRICE_TIMEOUT_MS` | `5000` | timeout of a call to btc-price |
//! | `AMQP_URL` | `amqp://guest:guest@127.0.0.1:5672/%2f` | RabbitMQ |
//! | `BUY_ORDERS_EXCHANGE` | `buy_orders` | topic exchange events are published to |
//! | `OUTBOX_POLL_INTERVAL_MS` | `200` | relay pause when the outbox is empty |
//! | `OUTBOX_BATCH_SIZE` | `100` | outbox rows claimed per relay transaction |
//! | `ORDER_BATCH_SIZE` | `64` | most concurrent orders committed in one transaction |
//! | `OUTBOX_RELAY_WORKERS` | `4` | relay rounds run at once (each claims its own rows) |
//! | `BTC_PRICE_API_KEY` | unset (no key sent) | the key presented to btc-price; it needs `prices:read` |
//! | `API_KEYS`, `API_KEYS_FILE`, `RATE_LIMIT_PER_SECOND`, `RATE_LIMIT_BURST` | unset (open, no limit) | access control, SPEC §11: see `http_kit::AccessConfig` |

use env_config::{
    ConfigError, Validate, require_amqp_url, require_http_url, require_postgres_url, require_range,
};
use serde::Deserialize;
use std::time::Duration;

/// Every setting of create-buy-order.
#[derive(Debug, Clone, Deserialize)]
pub struct Config {
    /// Address to bind.
    #[serde(default = "default_host")]
    pub http_host: String,
    /// HTTP port.
    #[serde(default = "default_port")]
    pub http_port: u16,
    /// The write model.
    #[serde(default = "default_database")]
    pub write_database_url: String,
    /// Most pooled connections.
    #[serde(default = "default_pool")]
    pub database_pool_size: u32,
    /// btc-price base URL.
    #[serde(default = "default_price_url")]
    pub btc_price_url: String,
    /// Timeout of a call to btc-price, ms.
    #[serde(default = "default_price_timeout")]
    pub btc_price_timeout_ms: u64,
    /// RabbitMQ URL.
    #[serde(default = "default_amqp")]
    pub amqp_url: String,
    /// Exchange events go to.
    #[serde(default = "default_exchange")]
    pub buy_orders_exchange: String,
    /// Relay pause when idle, ms.
    #[serde(default = "default_poll")]
    pub outbox_poll_interval_ms: u64,
    /// Rows per relay transaction.
    #[serde(default = "default_batch")]
    pub outbox_batch_size: u32,
    /// Most orders per group commit.
    #[serde(default = "default_order_batch")]
    pub order_batch_size: u32,
    /// Relay rounds at once.
    #[serde(default = "default_relay_workers")]
    pub outbox_relay_workers: u32,
    /// The key create-buy-order presents to btc-price (`BTC_PRICE_API_KEY`); unset sends none.
    #[serde(default)]
    pub btc_price_api_key: Option<http_kit::access::OutgoingKey>,
    /// Access control (SPEC §11): API keys with scopes and per-key rate limits.
    #[serde(flatten)]
    pub access: http_kit::AccessConfig,
}

fn default_host() -> String {
    "127.0.0.1".to_owned()
}
fn default_port() -> u16 {
    8777
}
fn default_database() -> String {
    store::Database::Write.default_url()
}
fn default_pool() -> u32 {
    16
}
fn default_price_url() -> String {
    "http://127.0.0.1:8779".to_owned()
}
fn default_price_timeout() -> u64 {
    5000
}
fn default_amqp() -> String {
    "amqp://guest:guest@127.0.0.1:5672/%2f".to_owned()
}
fn default_exchange() -> String {
    domain::BUY_ORDERS_EXCHANGE.to_owned()
}
fn default_poll() -> u64 {
    200
}
fn default_batch() -> u32 {
    100
}
fn default_order_batch() -> u32 {
    64
}
fn default_relay_workers() -> u32 {
    4
}

impl Config {
    /// `BTC_PRICE_TIMEOUT_MS` as a duration.
    pub fn price_timeout(&self) -> Duration {
        Duration::from_millis(self.btc_price_timeout_ms)
    }

    /// `OUTBOX_POLL_INTERVAL_MS` as a duration.
    pub fn poll_interval(&self) -> Duration {
        Duration::from_millis(self.outbox_poll_interval_ms)
    }
}

impl Validate for Config {
    fn validate(&self) -> Result<(), ConfigError> {
        self.access.validate()?;
        require_postgres_url("WRITE_DATABASE_URL", &self.write_database_url)?;
        require_range("DATABASE_POOL_SIZE", self.database_pool_size, 1, 1000)?;
        require_http_url("BTC_PRICE_URL", &self.btc_price_url)?;
        require_range(
            "BTC_PRICE_TIMEOUT_MS",
            self.btc_price_timeout_ms,
            1,
            120_000,
        )?;
        require_amqp_url("AMQP_URL", &self.amqp_url)?;
        if self.buy_orders_exchange.is_empty() {
            return Err(ConfigError::invalid(
                "BUY_ORDERS_EXCHANGE",
                "expected a non-empty exchange name",
            ));
        }
        require_range(
            "OUTBOX_POLL_INTERVAL_MS",
            self.outbox_poll_interval_ms,
            1,
            60_000,
        )?;
        require_range("OUTBOX_BATCH_SIZE", self.outbox_batch_size, 1, 10_000)?;
        require_range("ORDER_BATCH_SIZE", self.order_batch_size, 1, 1000)?;
        require_range("OUTBOX_RELAY_WORKERS", self.outbox_relay_workers, 1, 64)?;
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
        assert_eq!(config.http_port, 8777);
        assert_eq!(config.buy_orders_exchange, "buy_orders");
        assert!(config.write_database_url.ends_with("/btc_orders_write"));
    }

    #[test]
    fn a_malformed_price_url_is_refused_naming_the_variable() {
        let error =
            env_config::from_iter::<Config, _>(vars(&[("BTC_PRICE_URL", "localhost:8779")]))
                .unwrap_err();
        assert!(error.to_string().contains("BTC_PRICE_URL"), "{error}");
    }
}
