//! Configuration of event-gateway, from the environment.
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `EVENT_GATEWAY_DATABASE_URL` | `postgres://postgres@127.0.0.1:5432/event_gateway` | the schema store |
//! | `AMQP_URL` | `amqp://guest:guest@127.0.0.1:5672/%2f` | RabbitMQ |
//! | `EVENTS_EXCHANGE` | `events` | durable topic exchange accepted events are published to |
//! | `PUBLISH_CONFIRM_TIMEOUT_MS` | `5000` | wait for the broker's confirm before answering 503 (the event is not accepted); 100 to 600000 |
//! | `PUBLISH_TIMEOUT_MS` | unset | deprecated name of `PUBLISH_CONFIRM_TIMEOUT_MS`, used (with a warning at start) when the new name is unset |
//! | `EVENT_RETENTION` | `7D` | `x-max-age` of each client's stream `{EVENTS_EXCHANGE}.{client}`: a number and `Y`, `M`, `D`, `h`, `m` or `s` |
//! | `VALIDATOR_CACHE_SIZE` | `1024` | compiled validators kept, per (client, event, version) |
//! | `SCHEMA_CACHE_TTL_MS` | `1000` | how long `send_event` uses a latest version read from the database (0: read it per event) |
//! | `MAX_BODY_BYTES` | `262144` | largest schema or event accepted (413 above) |
//! | `DATABASE_POOL_SIZE` | `8` | schema-store connections |
//! | `DATABASE_TIMEOUT_MS` | `2000` | wait for a database connection before answering 503 |
//! | `DATABASE_CONNECT_TIMEOUT_SECS` | `5` | libpq `connect_timeout` of every pooled connection (2 to 600) |
//! | `DATABASE_STATEMENT_TIMEOUT_MS` | `5000` | `statement_timeout` of every pooled connection |
//! | `DATABASE_LOCK_TIMEOUT_MS` | `2000` | `lock_timeout` of every pooled connection |
//! | `DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS` | `10000` | `idle_in_transaction_session_timeout` of every pooled connection |
//! | `HTTP_HOST` | `127.0.0.1` | address to bind |
//! | `HTTP_PORT` | `8784` | port to bind (0: any free port) |
//! | `API_KEYS`, `API_KEYS_FILE`, `RATE_LIMIT_PER_SECOND`, `RATE_LIMIT_BURST` | unset (open, no limit) | access control, SPEC §11: see `http_kit::AccessConfig` |
//! | `REQUEST_TIMEOUT_MS` | `10000` | whole-request deadline: past it, 503 `request_timeout` with `Retry-After` |

use env_config::{
    BrokerSettings, ConfigError, DatabaseSettings, HttpSettings, Validate, require_range,
    require_url,
};
use serde::{Deserialize, Deserializer};
use std::time::Duration;
use store::Database;

/// Settings of event-gateway.
#[derive(Debug, Clone, Deserialize)]
pub struct Config {
    /// `HTTP_HOST`, `HTTP_PORT`, `REQUEST_TIMEOUT_MS`.
    #[serde(flatten)]
    pub http: HttpSettings<8784>,
    /// The pool and its PostgreSQL deadlines.
    #[serde(flatten)]
    pub database: DatabaseSettings<8>,
    /// `AMQP_URL`.
    #[serde(flatten)]
    pub broker: BrokerSettings,
    /// The schema store.
    #[serde(default = "database_url")]
    pub event_gateway_database_url: String,
    /// Exchange accepted events go to.
    #[serde(default = "exchange")]
    pub events_exchange: String,
    /// `PUBLISH_CONFIRM_TIMEOUT_MS`: confirm wait, in ms; read through
    /// [`Config::publish_confirm_timeout`], which falls back to the deprecated name.
    #[serde(default, deserialize_with = "confirm_timeout_from_text")]
    pub publish_confirm_timeout_ms: Option<u64>,
    /// `PUBLISH_TIMEOUT_MS`: the deprecated name of `PUBLISH_CONFIRM_TIMEOUT_MS`.
    #[serde(default, deserialize_with = "deprecated_timeout_from_text")]
    pub publish_timeout_ms: Option<u64>,
    /// Retention of the client streams (`x-max-age`).
    #[serde(default = "event_retention")]
    pub event_retention: String,
    /// Validators cached.
    #[serde(default = "cache_size")]
    pub validator_cache_size: usize,
    /// Latest-version cache time to live, in ms.
    #[serde(default = "schema_cache_ttl_ms")]
    pub schema_cache_ttl_ms: u64,
    /// Body limit, in bytes.
    #[serde(default = "max_body_bytes")]
    pub max_body_bytes: usize,
    /// Access control (SPEC §11): API keys with scopes and per-key rate limits.
    #[serde(flatten)]
    pub access: http_kit::AccessConfig,
}

fn database_url() -> String {
    Database::EventGateway.default_url()
}
fn exchange() -> String {
    "events".to_owned()
}
/// Default of `PUBLISH_CONFIRM_TIMEOUT_MS`.
const PUBLISH_CONFIRM_TIMEOUT_MS: u64 = 5000;

fn confirm_timeout_from_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    env_config::optional_number(d, "PUBLISH_CONFIRM_TIMEOUT_MS")
}
fn deprecated_timeout_from_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    env_config::optional_number(d, "PUBLISH_TIMEOUT_MS")
}
fn event_retention() -> String {
    "7D".to_owned()
}
fn cache_size() -> usize {
    1024
}
fn schema_cache_ttl_ms() -> u64 {
    1000
}
fn max_body_bytes() -> usize {
    256 * 1024
}

impl Config {
    /// Defaults plus the given `(NAME, value)` pairs (tests).
    #[expect(
        clippy::should_implement_trait,
        reason = "named like env_config::from_iter, which it wraps"
    )]
    pub fn from_iter<I: IntoIterator<Item = (String, String)>>(
        vars: I,
    ) -> Result<Self, ConfigError> {
        env_config::from_iter(vars)
    }

    /// How long a publish waits for the broker's confirm: `PUBLISH_CONFIRM_TIMEOUT_MS`, else
    /// the deprecated `PUBLISH_TIMEOUT_MS`, else 5000 ms.
    pub fn publish_confirm_timeout(&self) -> Duration {
        Duration::from_millis(self.confirm_timeout_setting().1)
    }

    /// The variable the confirm timeout came from, and its value in ms.
    fn confirm_timeout_setting(&self) -> (&'static str, u64) {
        match (self.publish_confirm_timeout_ms, self.publish_timeout_ms) {
            (Some(ms), _) => ("PUBLISH_CONFIRM_TIMEOUT_MS", ms),
            (None, Some(ms)) => ("PUBLISH_TIMEOUT_MS", ms),
            (None, None) => ("PUBLISH_CONFIRM_TIMEOUT_MS", PUBLISH_CONFIRM_TIMEOUT_MS),
        }
    }

    /// Logs a warning when the deprecated `PUBLISH_TIMEOUT_MS` is set: used when
    /// `PUBLISH_CONFIRM_TIMEOUT_MS` is unset, ignored when both are.
    pub fn warn_about_deprecated_names(&self) {
        let Some(old_ms) = self.publish_timeout_ms else {
            return;
        };
        let used = self.publish_confirm_timeout_ms.is_none();
        tracing::warn!(
            variable = "PUBLISH_TIMEOUT_MS",
            replacement = "PUBLISH_CONFIRM_TIMEOUT_MS",
            value_ms = old_ms,
            used,
            "PUBLISH_TIMEOUT_MS is deprecated; set PUBLISH_CONFIRM_TIMEOUT_MS instead{}",
            if used {
                ""
            } else {
                " (ignored: PUBLISH_CONFIRM_TIMEOUT_MS is set)"
            }
        );
    }

    /// Pool settings for the schema store.
    pub fn pool_options(&self) -> store::PoolOptions {
        store::PoolOptions::from(&self.database)
    }
}

impl Validate for Config {
    fn validate(&self) -> Result<(), ConfigError> {
        self.http.validate()?;
        self.database.validate()?;
        self.broker.validate()?;
        self.access.validate()?;
        require_url(
            "EVENT_GATEWAY_DATABASE_URL",
            &self.event_gateway_database_url,
            &["postgres://", "postgresql://"],
        )?;
        if self.events_exchange.is_empty() || self.events_exchange.len() > 200 {
            return Err(ConfigError::invalid(
                "EVENTS_EXCHANGE",
                format!(
                    "expected a name of 1 to 200 characters, got '{}'",
                    self.events_exchange
                ),
            ));
        }
        let (variable, confirm_ms) = self.confirm_timeout_setting();
        require_range(variable, confirm_ms, 100, 600_000)?;
        require_max_age("EVENT_RETENTION", &self.event_retention)?;
        require_range(
            "VALIDATOR_CACHE_SIZE",
            self.validator_cache_size,
            1,
            1_000_000,
        )?;
        require_range(
            "SCHEMA_CACHE_TTL_MS",
            self.schema_cache_ttl_ms,
            0,
            3_600_000,
        )?;
        require_range(
            "MAX_BODY_BYTES",
            self.max_body_bytes,
            1024,
            64 * 1024 * 1024,
        )?;
        Ok(())
    }
}

/// RabbitMQ's `x-max-age`: a positive whole number and one unit of `Y`, `M`, `D`, `h`, `m`, `s`.
fn require_max_age(variable: &str, value: &str) -> Result<(), ConfigError> {
    let valid = value
        .char_indices()
        .last()
        .filter(|(_, unit)| "YMDhms".contains(*unit))
        .and_then(|(at, _)| value[..at].parse::<u32>().ok())
        .is_some_and(|n| n > 0);
    if valid {
        Ok(())
    } else {
        Err(ConfigError::invalid(
            variable,
            format!("expected a number and one of Y, M, D, h, m, s (such as 7D), got '{value}'"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use env_config::vars;

    #[test]
    fn defaults_make_a_local_run_work() {
        let config = Config::from_iter(vars(&[])).unwrap();
        assert_eq!(config.http.port, 8784);
        assert_eq!(config.events_exchange, "events");
        assert_eq!(config.event_retention, "7D");
        assert!(
            config
                .event_gateway_database_url
                .ends_with("/event_gateway")
        );
    }

    #[test]
    fn a_bad_variable_is_named_in_the_error() {
        let error = Config::from_iter(vars(&[("AMQP_URL", "http://x")])).unwrap_err();
        assert!(error.to_string().contains("AMQP_URL"), "{error}");
        let error = Config::from_iter(vars(&[("HTTP_PORT", "nope")])).unwrap_err();
        assert!(error.to_string().contains("HTTP_PORT"), "{error}");
        let error = Config::from_iter(vars(&[("PUBLISH_CONFIRM_TIMEOUT_MS", "1")])).unwrap_err();
        assert!(
            error.to_string().contains("PUBLISH_CONFIRM_TIMEOUT_MS"),
            "{error}"
        );
        let error = Config::from_iter(vars(&[("PUBLISH_CONFIRM_TIMEOUT_MS", "soon")])).unwrap_err();
        assert!(
            error.to_string().contains("PUBLISH_CONFIRM_TIMEOUT_MS"),
            "{error}"
        );
        let error = Config::from_iter(vars(&[("PUBLISH_TIMEOUT_MS", "1")])).unwrap_err();
        assert!(error.to_string().contains("PUBLISH_TIMEOUT_MS"), "{error}");
        for bad in ["7", "D", "0D", "7d", "-1D", "1.5h", ""] {
            let error = Config::from_iter(vars(&[("EVENT_RETENTION", bad)])).unwrap_err();
            assert!(
                error.to_string().contains("EVENT_RETENTION"),
                "{bad}: {error}"
            );
        }
        let config = Config::from_iter(vars(&[("EVENT_RETENTION", "36h")])).unwrap();
        assert_eq!(config.event_retention, "36h");
    }

    #[test]
    fn the_confirm_timeout_defaults_to_5000_ms_and_is_set_by_publish_confirm_timeout_ms() {
        let config = Config::from_iter(vars(&[])).unwrap();
        assert_eq!(
            config.publish_confirm_timeout(),
            Duration::from_millis(5000)
        );
        let config = Config::from_iter(vars(&[("PUBLISH_CONFIRM_TIMEOUT_MS", "2500")])).unwrap();
        assert_eq!(
            config.publish_confirm_timeout(),
            Duration::from_millis(2500)
        );
    }

    #[test]
    fn the_deprecated_publish_timeout_ms_is_used_only_when_the_new_name_is_unset() {
        let config = Config::from_iter(vars(&[("PUBLISH_TIMEOUT_MS", "1500")])).unwrap();
        assert_eq!(
            config.publish_confirm_timeout(),
            Duration::from_millis(1500)
        );
        let config = Config::from_iter(vars(&[
            ("PUBLISH_TIMEOUT_MS", "1500"),
            ("PUBLISH_CONFIRM_TIMEOUT_MS", "2500"),
        ]))
        .unwrap();
        assert_eq!(
            config.publish_confirm_timeout(),
            Duration::from_millis(2500)
        );
        // An out-of-range old value is ignored, not an error, when the new name is set.
        let config = Config::from_iter(vars(&[
            ("PUBLISH_TIMEOUT_MS", "1"),
            ("PUBLISH_CONFIRM_TIMEOUT_MS", "2500"),
        ]))
        .unwrap();
        assert_eq!(
            config.publish_confirm_timeout(),
            Duration::from_millis(2500)
        );
    }
}
