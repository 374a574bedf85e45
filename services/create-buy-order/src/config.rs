//! Configuration, from the environment only.
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `HTTP_HOST` | `127.0.0.1` | address to bind |
//! | `HTTP_PORT` | `8777` | HTTP port |
//! | `REQUEST_TIMEOUT_MS` | `10000` | whole-request deadline: past it, 503 `request_timeout` with `Retry-After` |
//! | `WRITE_DATABASE_URL` | `postgres://postgres@127.0.0.1:5432/btc_orders_write` | the orders write model |
//! | `DATABASE_POOL_SIZE` | `16` | most database connections |
//! | `DATABASE_TIMEOUT_MS` | `2000` | wait for a pooled connection before the database counts as down |
//! | `DATABASE_CONNECT_TIMEOUT_SECS` | `5` | libpq `connect_timeout` of every pooled connection (2 to 600) |
//! | `DATABASE_STATEMENT_TIMEOUT_MS` | `5000` | `statement_timeout` of every pooled connection |
//! | `DATABASE_LOCK_TIMEOUT_MS` | `2000` | `lock_timeout` of every pooled connection |
//! | `DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS` | `10000` | `idle_in_transaction_session_timeout` of every pooled connection |
//! | `BTC_PRICE_URL` | `http://127.0.0.1:8779` | btc-price base URL |
//! | `BTC_PRICE_TIMEOUT_MS` | `5000` | timeout of a call to btc-price |
//! | `AMQP_URL` | `amqp://guest:guest@127.0.0.1:5672/%2f` | RabbitMQ |
//! | `BUY_ORDERS_EXCHANGE` | `buy_orders` | topic exchange events are published to |
//! | `OUTBOX_POLL_INTERVAL_MS` | `200` | relay pause when the outbox is empty |
//! | `OUTBOX_BATCH_SIZE` | `100` | outbox rows claimed per relay round |
//! | `ORDER_BATCH_SIZE` | `64` | most concurrent orders committed in one transaction |
//! | `OUTBOX_RELAY_WORKERS` | `4` | relay rounds run at once (each claims its own rows) |
//! | `READ_MODEL_QUEUE` | `read_model_sync.buy_orders` | read-model-sync's durable queue, declared here too so no start order loses an event |
//! | `READ_MODEL_QUEUE_EXPIRES_MS` | unset | `x-expires` of that queue (tests only; must match read-model-sync's) |
//! | `OUTBOX_LEASE_MS` | `30000` | how long a relay's claim keeps other relays off a row; more than 5 s + the confirm timeout |
//! | `PUBLISH_CONFIRM_TIMEOUT_MS` | `5000` | wait for a publisher confirm; later, the publish failed and the row is retried |
//! | `BTC_PRICE_API_KEY` | unset (no key sent) | the key presented to btc-price; it needs `prices:read` |
//! | `API_KEYS`, `API_KEYS_FILE`, `RATE_LIMIT_PER_SECOND`, `RATE_LIMIT_BURST` | unset (open, no limit) | access control, SPEC §11: see `http_kit::AccessConfig` |

use env_config::{
    BrokerSettings, ConfigError, DatabaseSettings, HttpSettings, Validate, require_http_url,
    require_postgres_url, require_range,
};
use serde::Deserialize;
use std::time::Duration;

/// Every setting of create-buy-order.
#[derive(Debug, Clone, Deserialize)]
pub struct Config {
    /// `HTTP_HOST`, `HTTP_PORT`, `REQUEST_TIMEOUT_MS`.
    #[serde(flatten)]
    pub http: HttpSettings<8777>,
    /// The pool and its PostgreSQL deadlines.
    #[serde(flatten)]
    pub database: DatabaseSettings<16>,
    /// `AMQP_URL`.
    #[serde(flatten)]
    pub broker: BrokerSettings,
    /// The write model.
    #[serde(default = "default_database")]
    pub write_database_url: String,
    /// btc-price base URL.
    #[serde(default = "default_price_url")]
    pub btc_price_url: String,
    /// Timeout of a call to btc-price, ms.
    #[serde(default = "default_price_timeout")]
    pub btc_price_timeout_ms: u64,
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
    /// read-model-sync's queue, declared by the relay too.
    #[serde(default = "default_read_model_queue")]
    pub read_model_queue: String,
    /// `x-expires` of that queue, for tests.
    #[serde(default)]
    pub read_model_queue_expires_ms: Option<u32>,
    /// Claim lease, ms.
    #[serde(default = "default_lease")]
    pub outbox_lease_ms: u64,
    /// Wait for one publisher confirm, ms.
    #[serde(default = "default_confirm_timeout")]
    pub publish_confirm_timeout_ms: u64,
    /// The key create-buy-order presents to btc-price (`BTC_PRICE_API_KEY`); unset sends none.
    #[serde(default)]
    pub btc_price_api_key: Option<http_kit::access::OutgoingKey>,
    /// Access control (SPEC §11): API keys with scopes and per-key rate limits.
    #[serde(flatten)]
    pub access: http_kit::AccessConfig,
}

fn default_database() -> String {
    store::Database::Write.default_url()
}
fn default_price_url() -> String {
    "http://127.0.0.1:8779".to_owned()
}
fn default_price_timeout() -> u64 {
    5000
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
fn default_read_model_queue() -> String {
    messaging::DEFAULT_READ_MODEL_QUEUE.to_owned()
}
fn default_lease() -> u64 {
    30_000
}
fn default_confirm_timeout() -> u64 {
    5000
}

impl Config {
    /// `BTC_PRICE_TIMEOUT_MS` as a duration.
    pub fn price_timeout(&self) -> Duration {
        Duration::from_millis(self.btc_price_timeout_ms)
    }

    /// `PUBLISH_CONFIRM_TIMEOUT_MS` as a duration.
    pub fn confirm_timeout(&self) -> Duration {
        Duration::from_millis(self.publish_confirm_timeout_ms)
    }

    /// `OUTBOX_LEASE_MS` as a duration.
    pub fn lease(&self) -> Duration {
        Duration::from_millis(self.outbox_lease_ms)
    }

    /// `OUTBOX_POLL_INTERVAL_MS` as a duration.
    pub fn poll_interval(&self) -> Duration {
        Duration::from_millis(self.outbox_poll_interval_ms)
    }
}

impl Validate for Config {
    fn validate(&self) -> Result<(), ConfigError> {
        self.http.validate()?;
        self.database.validate()?;
        self.broker.validate()?;
        self.access.validate()?;
        require_postgres_url("WRITE_DATABASE_URL", &self.write_database_url)?;
        require_http_url("BTC_PRICE_URL", &self.btc_price_url)?;
        require_range(
            "BTC_PRICE_TIMEOUT_MS",
            self.btc_price_timeout_ms,
            1,
            120_000,
        )?;
        if self.buy_orders_exchange.is_empty() {
            return Err(ConfigError::invalid(
                "BUY_ORDERS_EXCHANGE",
                "expected a non-empty exchange name",
            ));
        }
        if self.read_model_queue.is_empty() || self.read_model_queue.len() > 200 {
            return Err(ConfigError::invalid(
                "READ_MODEL_QUEUE",
                format!(
                    "expected a name of 1 to 200 characters, got '{}'",
                    self.read_model_queue
                ),
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
        require_range(
            "PUBLISH_CONFIRM_TIMEOUT_MS",
            self.publish_confirm_timeout_ms,
            10,
            600_000,
        )?;
        // A round's publish phase lasts at most one connect (5 s) plus one confirm wait; a
        // shorter lease would let another relay take rows still being published.
        let round_ms =
            messaging::CONNECT_TIMEOUT.as_millis() as u64 + self.publish_confirm_timeout_ms;
        if self.outbox_lease_ms <= round_ms || self.outbox_lease_ms > 3_600_000 {
            return Err(ConfigError::invalid(
                "OUTBOX_LEASE_MS",
                format!(
                    "expected more than {round_ms} ms (5000 + PUBLISH_CONFIRM_TIMEOUT_MS) and at most 3600000, got {}",
                    self.outbox_lease_ms
                ),
            ));
        }
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
        assert_eq!(config.http.port, 8777);
        assert_eq!(config.buy_orders_exchange, "buy_orders");
        assert_eq!(config.read_model_queue, "read_model_sync.buy_orders");
        assert_eq!(config.read_model_queue_expires_ms, None);
        assert!(config.write_database_url.ends_with("/btc_orders_write"));
    }

    #[test]
    fn a_lease_no_longer_than_a_round_is_refused_naming_the_variable() {
        let error = env_config::from_iter::<Config, _>(vars(&[
            ("PUBLISH_CONFIRM_TIMEOUT_MS", "5000"),
            ("OUTBOX_LEASE_MS", "10000"),
        ]))
        .unwrap_err();
        assert!(error.to_string().contains("OUTBOX_LEASE_MS"), "{error}");
        let config: Config = env_config::from_iter(vars(&[("OUTBOX_LEASE_MS", "10001")])).unwrap();
        assert_eq!(config.lease(), Duration::from_millis(10_001));
    }

    #[test]
    fn a_malformed_price_url_is_refused_naming_the_variable() {
        let error =
            env_config::from_iter::<Config, _>(vars(&[("BTC_PRICE_URL", "localhost:8779")]))
                .unwrap_err();
        assert!(error.to_string().contains("BTC_PRICE_URL"), "{error}");
    }
}
