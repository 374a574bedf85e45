//! Configuration of read-model-sync, from the environment.
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `READ_DATABASE_URL` | `postgres://postgres@127.0.0.1:5432/btc_orders_read` | the read model written to |
//! | `WRITE_DATABASE_URL` | `…/btc_orders_write` | the write model, read only by `rebuild` |
//! | `AMQP_URL` | `amqp://guest:guest@127.0.0.1:5672/%2f` | RabbitMQ |
//! | `BUY_ORDERS_EXCHANGE` | `buy_orders` | topic exchange the orders are published to |
//! | `READ_MODEL_QUEUE` | `read_model_sync.buy_orders` | this service's durable queue (dead letters: `<queue>.dead-letter`) |
//! | `READ_MODEL_QUEUE_EXPIRES_MS` | unset | let the broker delete the queue after this long unused (tests only) |
//! | `CONSUMER_PREFETCH` | `64` | deliveries the broker sends ahead of the acks |
//! | `APPLY_BATCH_MAX` | `128` | most orders written in one statement (group commit; 1 to 1000) |
//! | `RETRY_DELAY_MS` | `500` | pause before a message that failed for a transient reason is requeued |
//! | `DATABASE_POOL_SIZE` | `4` | read-model connections |
//! | `DATABASE_TIMEOUT_MS` | `2000` | wait for a database connection before counting the database as down |
//! | `DATABASE_CONNECT_TIMEOUT_SECS` | `5` | libpq `connect_timeout` of every pooled connection (2 to 600) |
//! | `DATABASE_STATEMENT_TIMEOUT_MS` | `5000` | `statement_timeout` of every pooled connection |
//! | `DATABASE_LOCK_TIMEOUT_MS` | `2000` | `lock_timeout` of every pooled connection |
//! | `DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS` | `10000` | `idle_in_transaction_session_timeout` of every pooled connection |
//! | `HTTP_HOST` | `127.0.0.1` | address to bind |
//! | `HTTP_PORT` | `8780` | port to bind (0: any free port) |
//! | `REQUEST_TIMEOUT_MS` | `10000` | whole-request deadline: past it, 503 `request_timeout` with `Retry-After` |

use env_config::{
    BrokerSettings, ConfigError, DatabaseSettings, HttpSettings, Validate, require_postgres_url,
    require_range,
};
use serde::Deserialize;
use store::Database;

/// Settings of read-model-sync.
#[derive(Debug, Clone, Deserialize)]
pub struct Config {
    /// `HTTP_HOST`, `HTTP_PORT`, `REQUEST_TIMEOUT_MS`.
    #[serde(flatten)]
    pub http: HttpSettings<8780>,
    /// The pool and its PostgreSQL deadlines.
    #[serde(flatten)]
    pub database: DatabaseSettings<4>,
    /// `AMQP_URL`.
    #[serde(flatten)]
    pub broker: BrokerSettings,
    /// The read model.
    #[serde(default = "read_url")]
    pub read_database_url: String,
    /// The write model (rebuild only).
    #[serde(default = "write_url")]
    pub write_database_url: String,
    /// Exchange the orders arrive on.
    #[serde(default = "exchange")]
    pub buy_orders_exchange: String,
    /// This service's queue.
    #[serde(default = "queue")]
    pub read_model_queue: String,
    /// `x-expires` of the queue, for tests.
    #[serde(default)]
    pub read_model_queue_expires_ms: Option<u32>,
    /// Broker prefetch.
    #[serde(default = "prefetch")]
    pub consumer_prefetch: u16,
    /// Most rows in one group-committed insert.
    #[serde(default = "apply_batch_max")]
    pub apply_batch_max: usize,
    /// Pause before requeueing a transient failure, in ms.
    #[serde(default = "retry_delay_ms")]
    pub retry_delay_ms: u64,
}

fn read_url() -> String {
    Database::Read.default_url()
}
fn write_url() -> String {
    Database::Write.default_url()
}
fn exchange() -> String {
    domain::BUY_ORDERS_EXCHANGE.to_owned()
}
fn queue() -> String {
    messaging::DEFAULT_READ_MODEL_QUEUE.to_owned()
}
fn prefetch() -> u16 {
    64
}
fn apply_batch_max() -> usize {
    128
}
fn retry_delay_ms() -> u64 {
    500
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
        self.broker.validate()?;
        require_postgres_url("READ_DATABASE_URL", &self.read_database_url)?;
        require_postgres_url("WRITE_DATABASE_URL", &self.write_database_url)?;
        for (variable, value) in [
            ("BUY_ORDERS_EXCHANGE", &self.buy_orders_exchange),
            ("READ_MODEL_QUEUE", &self.read_model_queue),
        ] {
            if value.is_empty() || value.len() > 200 {
                return Err(ConfigError::invalid(
                    variable,
                    format!("expected a name of 1 to 200 characters, got '{value}'"),
                ));
            }
        }
        require_range("CONSUMER_PREFETCH", self.consumer_prefetch, 1, 10_000)?;
        require_range("APPLY_BATCH_MAX", self.apply_batch_max, 1, 1_000)?;
        require_range("RETRY_DELAY_MS", self.retry_delay_ms, 0, 600_000)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use env_config::vars;

    #[test]
    fn defaults_make_a_local_run_work() {
        let config = Config::from_vars(vars(&[])).unwrap();
        assert_eq!(config.http.port, 8780);
        assert_eq!(config.buy_orders_exchange, "buy_orders");
        assert_eq!(config.read_model_queue, "read_model_sync.buy_orders");
        assert_eq!(config.read_model_queue_expires_ms, None);
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        let error = Config::from_vars(vars(&[("AMQP_URL", "http://x")])).unwrap_err();
        assert!(error.to_string().contains("AMQP_URL"), "{error}");
        let error = Config::from_vars(vars(&[("CONSUMER_PREFETCH", "0")])).unwrap_err();
        assert!(error.to_string().contains("CONSUMER_PREFETCH"), "{error}");
        let error = Config::from_vars(vars(&[("HTTP_PORT", "x")])).unwrap_err();
        assert!(error.to_string().contains("HTTP_PORT"), "{error}");
    }
}
