//! Configuration of the console, from the environment.
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `HTTP_HOST` | `127.0.0.1` | address to bind |
//! | `HTTP_PORT` | `8786` | port to bind (0: any free port) |
//! | `REQUEST_TIMEOUT_MS` | `10000` | whole-request deadline (not the live streams, which stay open) |
//! | `CONSOLE_API_KEY` | unset (no key sent) | the key the console presents to every service (SPEC §11); never sent to a browser |
//! | `CONSOLE_UPSTREAM_TIMEOUT_MS` | `5000` | deadline of one call to a service |
//! | `CONSOLE_MAX_STREAMS` | `64` | live streams (Server-Sent Events) open at once; more: 503 |
//! | `CONSOLE_KEEPALIVE_SECS` | `15` | an idle live stream sends a comment this often, so proxies keep it and a closed tab frees its slot |
//! | `CREATE_BUY_ORDER_URL` | `http://127.0.0.1:8777` | create-buy-order |
//! | `FETCH_BUY_ORDERS_URL` | `http://127.0.0.1:8778` | fetch-buy-orders |
//! | `BTC_PRICE_URL` | `http://127.0.0.1:8779` | btc-price |
//! | `READ_MODEL_SYNC_URL` | `http://127.0.0.1:8780` | read-model-sync (health only) |
//! | `RATE_CACHE_URL` | `http://127.0.0.1:8782` | rate-cache |
//! | `SEQUENCE_URL` | `http://127.0.0.1:8783` | sequence |
//! | `EVENT_GATEWAY_URL` | `http://127.0.0.1:8784` | event-gateway |
//! | `LRU_CACHE_SERVER_URL` | `http://127.0.0.1:8785` | lru-cache-server's HTTP API |
//! | `CACHE_RESP_ADDRESS` | `127.0.0.1:6380` | lru-cache-server's RESP port, for `INFO` |
//! | `CACHE_PASSWORD` | unset | the cache's password (`AUTH` before `INFO`); never logged |
//! | `AMQP_URL` | `amqp://guest:guest@127.0.0.1:5672/%2f` | RabbitMQ |
//! | `BUY_ORDERS_EXCHANGE` | `buy_orders` | the console's own queue is bound here for live orders |
//! | `EVENTS_EXCHANGE` | `events` | a client's stream is `{EVENTS_EXCHANGE}.{client}` |

use crate::upstream::Service;
use env_config::{
    BrokerSettings, ConfigError, HttpSettings, Validate, require_http_url, require_range,
};
use http_kit::access::OutgoingKey;
use serde::Deserialize;
use std::time::Duration;

/// Every setting of the console.
#[derive(Debug, Clone, Deserialize)]
pub struct Config {
    /// `HTTP_HOST`, `HTTP_PORT`, `REQUEST_TIMEOUT_MS`.
    #[serde(flatten)]
    pub http: HttpSettings<8786>,
    /// `AMQP_URL`.
    #[serde(flatten)]
    pub broker: BrokerSettings,
    /// The key presented to the services.
    #[serde(default)]
    pub console_api_key: Option<OutgoingKey>,
    /// Deadline of one call to a service, ms.
    #[serde(default = "default_upstream_timeout")]
    pub console_upstream_timeout_ms: u64,
    /// Live streams open at once.
    #[serde(default = "default_max_streams")]
    pub console_max_streams: usize,
    /// Seconds between keepalive comments on an idle live stream.
    #[serde(default = "default_keepalive")]
    pub console_keepalive_secs: u64,
    /// create-buy-order.
    #[serde(default = "url::<8777>")]
    pub create_buy_order_url: String,
    /// fetch-buy-orders.
    #[serde(default = "url::<8778>")]
    pub fetch_buy_orders_url: String,
    /// btc-price.
    #[serde(default = "url::<8779>")]
    pub btc_price_url: String,
    /// read-model-sync.
    #[serde(default = "url::<8780>")]
    pub read_model_sync_url: String,
    /// rate-cache.
    #[serde(default = "url::<8782>")]
    pub rate_cache_url: String,
    /// sequence.
    #[serde(default = "url::<8783>")]
    pub sequence_url: String,
    /// event-gateway.
    #[serde(default = "url::<8784>")]
    pub event_gateway_url: String,
    /// lru-cache-server's HTTP API.
    #[serde(default = "url::<8785>")]
    pub lru_cache_server_url: String,
    /// lru-cache-server's RESP port.
    #[serde(default = "default_resp_address")]
    pub cache_resp_address: String,
    /// The cache's password.
    #[serde(default)]
    pub cache_password: Option<OutgoingKey>,
    /// Where orders are published.
    #[serde(default = "default_orders_exchange")]
    pub buy_orders_exchange: String,
    /// Where events are published; each client's stream is named after it.
    #[serde(default = "default_events_exchange")]
    pub events_exchange: String,
}

fn url<const PORT: u16>() -> String {
    format!("http://127.0.0.1:{PORT}")
}
fn default_upstream_timeout() -> u64 {
    5000
}
fn default_max_streams() -> usize {
    64
}
fn default_keepalive() -> u64 {
    15
}
fn default_resp_address() -> String {
    "127.0.0.1:6380".to_owned()
}
fn default_orders_exchange() -> String {
    "buy_orders".to_owned()
}
fn default_events_exchange() -> String {
    "events".to_owned()
}

impl Config {
    /// Defaults plus the given `(NAME, value)` pairs (tests).
    pub fn from_vars<I: IntoIterator<Item = (String, String)>>(
        vars: I,
    ) -> Result<Self, ConfigError> {
        env_config::from_iter(vars)
    }

    /// Deadline of one call to a service.
    pub fn upstream_timeout(&self) -> Duration {
        Duration::from_millis(self.console_upstream_timeout_ms)
    }

    /// How often an idle live stream sends a keepalive comment.
    pub fn keepalive(&self) -> Duration {
        Duration::from_secs(self.console_keepalive_secs)
    }

    /// The base URL of `service`.
    pub fn url_of(&self, service: Service) -> &str {
        match service {
            Service::CreateBuyOrder => &self.create_buy_order_url,
            Service::FetchBuyOrders => &self.fetch_buy_orders_url,
            Service::BtcPrice => &self.btc_price_url,
            Service::ReadModelSync => &self.read_model_sync_url,
            Service::RateCache => &self.rate_cache_url,
            Service::Sequence => &self.sequence_url,
            Service::EventGateway => &self.event_gateway_url,
            Service::LruCacheServer => &self.lru_cache_server_url,
        }
    }
}

impl Validate for Config {
    fn validate(&self) -> Result<(), ConfigError> {
        self.http.validate()?;
        self.broker.validate()?;
        require_range(
            "CONSOLE_UPSTREAM_TIMEOUT_MS",
            self.console_upstream_timeout_ms,
            1,
            600_000,
        )?;
        require_range(
            "CONSOLE_KEEPALIVE_SECS",
            self.console_keepalive_secs,
            1,
            3600,
        )?;
        require_range("CONSOLE_MAX_STREAMS", self.console_max_streams, 1, 10_000)?;
        for service in Service::ALL {
            require_http_url(service.url_variable(), self.url_of(service))?;
        }
        let port = self
            .cache_resp_address
            .rsplit_once(':')
            .map(|(_, port)| port);
        if port.and_then(|p| p.parse::<u16>().ok()).is_none() {
            return Err(ConfigError::invalid(
                "CACHE_RESP_ADDRESS",
                format!("expected host:port, got '{}'", self.cache_resp_address),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_make_a_local_run_work_and_bad_values_name_their_variable() {
        let config = Config::from_vars(Vec::new()).unwrap();
        assert_eq!(config.http.port, 8786);
        assert_eq!(config.url_of(Service::Sequence), "http://127.0.0.1:8783");
        assert!(config.console_api_key.is_none());
        for (variable, value) in [
            ("SEQUENCE_URL", "ftp://x"),
            ("CONSOLE_MAX_STREAMS", "0"),
            ("CACHE_RESP_ADDRESS", "nowhere"),
        ] {
            let error = Config::from_vars([(variable.to_owned(), value.to_owned())]).unwrap_err();
            assert!(error.to_string().contains(variable), "{error}");
        }
    }

    #[test]
    fn debug_never_shows_the_key_or_the_cache_password() {
        let config = Config::from_vars([
            ("CONSOLE_API_KEY".to_owned(), "key-s3cret".to_owned()),
            ("CACHE_PASSWORD".to_owned(), "pass-s3cret".to_owned()),
        ])
        .unwrap();
        let shown = format!("{config:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
    }
}
