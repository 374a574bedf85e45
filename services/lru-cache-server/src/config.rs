//! Configuration, read only from the environment into one struct and validated at start.
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `HTTP_HOST` | `127.0.0.1` | address (or host name) the HTTP listener binds |
//! | `CACHE_HOST` | `HTTP_HOST` | address (or host name) the RESP listener binds |
//! | `CACHE_PORT` | `6380` | RESP2 (Redis protocol) port; 0 picks a free one |
//! | `HTTP_PORT` | `8785` | HTTP API port; 0 picks a free one |
//! | `CACHE_MAX_ENTRIES` | `1000000` | most keys held |
//! | `CACHE_MAX_BYTES` | `268435456` | most bytes held: keys + values + per-entry overhead |
//! | `CACHE_MAX_VALUE_BYTES` | `1048576` | longest value (and any argument) accepted |
//! | `CACHE_MAX_REQUEST_BYTES` | `67108864` | longest single request (RESP command or HTTP body) |
//! | `CACHE_MAX_CONNECTIONS` | `10000` | most RESP clients connected at once |
//! | `CACHE_SHARDS` | `16` | store shards (locks); eviction is exact global LRU with any number |
//! | `CACHE_THREADS` | `1` | RESP threads, each a single-threaded event loop on its own socket |
//! | `API_KEYS`, `API_KEYS_FILE`, `RATE_LIMIT_PER_SECOND`, `RATE_LIMIT_BURST` | unset (open, no limit) | access control, SPEC §11: see `http_kit::AccessConfig` |
//! | `CACHE_CLIENT_OUTPUT_LIMIT_BYTES` | `33554432` | most reply bytes pending for one client before it is closed |
//! | `CACHE_TIMEOUT_SECS` | `300` | close a RESP client idle this long; 0 never (Redis' `timeout`) |
//! | `CACHE_PASSWORD` | unset | password of the default user (Redis' `requirepass`) |
//! | `CACHE_USERS_FILE` | unset | file of ACL users (`conn/users_file.rs`) |

use env_config::{ConfigError, Validate, require_range};
use serde::Deserialize;

use crate::db::{Capacity, ENTRY_OVERHEAD};
use crate::resp::frame::PROTO_MAX_BULK_LEN;

/// Every setting of the service.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct Config {
    /// `HTTP_HOST`
    #[serde(default = "default_host")]
    pub http_host: String,
    /// `CACHE_HOST`; `None` means the same as `HTTP_HOST`.
    #[serde(default)]
    pub cache_host: Option<String>,
    /// `CACHE_PORT`
    #[serde(default = "default_cache_port")]
    pub cache_port: u16,
    /// `HTTP_PORT`
    #[serde(default = "default_http_port")]
    pub http_port: u16,
    /// `CACHE_MAX_ENTRIES`
    #[serde(default = "default_max_entries")]
    pub cache_max_entries: usize,
    /// `CACHE_MAX_BYTES`
    #[serde(default = "default_max_bytes")]
    pub cache_max_bytes: usize,
    /// `CACHE_MAX_VALUE_BYTES`
    #[serde(default = "default_max_value_bytes")]
    pub cache_max_value_bytes: usize,
    /// `CACHE_MAX_REQUEST_BYTES`
    #[serde(default = "default_max_request_bytes")]
    pub cache_max_request_bytes: usize,
    /// `CACHE_MAX_CONNECTIONS`
    #[serde(default = "default_max_connections")]
    pub cache_max_connections: usize,
    /// `CACHE_SHARDS`
    #[serde(default = "default_shards")]
    pub cache_shards: usize,
    /// `CACHE_THREADS`
    #[serde(default = "default_threads")]
    pub cache_threads: usize,
    /// Access control (SPEC §11): API keys with scopes and per-key rate limits.
    #[serde(flatten)]
    pub access: http_kit::AccessConfig,
    /// `CACHE_CLIENT_OUTPUT_LIMIT_BYTES`
    #[serde(default = "default_output_limit")]
    pub cache_client_output_limit_bytes: usize,
    /// `CACHE_TIMEOUT_SECS`; 0 disables the idle timeout.
    #[serde(default = "default_timeout_secs")]
    pub cache_timeout_secs: u64,
    /// `CACHE_PASSWORD`
    #[serde(default)]
    pub cache_password: Option<Secret>,
    /// `CACHE_USERS_FILE`
    #[serde(default)]
    pub cache_users_file: Option<String>,
}

/// A value that never appears in `Debug` output (and so in no log line).
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

fn default_host() -> String {
    "127.0.0.1".to_owned()
}
fn default_cache_port() -> u16 {
    6380
}
fn default_http_port() -> u16 {
    8785
}
fn default_max_entries() -> usize {
    1_000_000
}
fn default_max_bytes() -> usize {
    256 * 1024 * 1024
}
fn default_max_value_bytes() -> usize {
    1024 * 1024
}
fn default_max_request_bytes() -> usize {
    64 * 1024 * 1024
}
fn default_max_connections() -> usize {
    10_000
}
fn default_shards() -> usize {
    16
}
fn default_threads() -> usize {
    1
}
fn default_output_limit() -> usize {
    32 * 1024 * 1024
}
fn default_timeout_secs() -> u64 {
    300
}

impl Config {
    /// Reads and validates explicit `(NAME, value)` pairs (tests); unset names take defaults.
    #[expect(
        clippy::should_implement_trait,
        reason = "the from_env/from_iter pair is the workspace's config convention"
    )]
    pub fn from_iter<I>(vars: I) -> Result<Config, ConfigError>
    where
        I: IntoIterator<Item = (String, String)>,
    {
        env_config::from_iter(vars)
    }

    /// The host the RESP listener binds.
    pub fn resp_host(&self) -> &str {
        self.cache_host.as_deref().unwrap_or(&self.http_host)
    }

    /// The idle timeout, `None` when disabled.
    pub fn idle_timeout(&self) -> Option<std::time::Duration> {
        (self.cache_timeout_secs > 0)
            .then(|| std::time::Duration::from_secs(self.cache_timeout_secs))
    }

    /// The store's budgets.
    pub fn capacity(&self) -> Capacity {
        Capacity {
            max_entries: self.cache_max_entries,
            max_bytes: self.cache_max_bytes,
            shards: self.cache_shards,
        }
    }
}

impl Validate for Config {
    fn validate(&self) -> Result<(), ConfigError> {
        self.access.validate()?;
        let max_bulk = usize::try_from(PROTO_MAX_BULK_LEN).unwrap_or(usize::MAX);
        if self.http_host.is_empty() {
            return Err(ConfigError::invalid(
                "HTTP_HOST",
                "expected an address or host name",
            ));
        }
        if self.cache_host.as_deref() == Some("") {
            return Err(ConfigError::invalid(
                "CACHE_HOST",
                "expected an address or host name",
            ));
        }
        require_range("CACHE_SHARDS", self.cache_shards, 1, 1024)?;
        require_range("CACHE_THREADS", self.cache_threads, 1, 256)?;
        require_range("CACHE_MAX_ENTRIES", self.cache_max_entries, 1, usize::MAX)?;
        require_range(
            "CACHE_MAX_VALUE_BYTES",
            self.cache_max_value_bytes,
            1,
            max_bulk,
        )?;
        require_range(
            "CACHE_MAX_CONNECTIONS",
            self.cache_max_connections,
            1,
            1_000_000,
        )?;
        // The store must be able to hold one entry with a maximal value (and a short key).
        let needed = self.cache_max_value_bytes + ENTRY_OVERHEAD + 64;
        if self.cache_max_bytes < needed {
            return Err(ConfigError::invalid(
                "CACHE_MAX_BYTES",
                format!(
                    "{} bytes is less than the {needed} one maximal value needs \
                     (CACHE_MAX_VALUE_BYTES + {ENTRY_OVERHEAD} overhead + 64); raise \
                     CACHE_MAX_BYTES or lower CACHE_MAX_VALUE_BYTES",
                    self.cache_max_bytes
                ),
            ));
        }
        // A reply of one maximal value must fit under the output limit.
        require_range(
            "CACHE_CLIENT_OUTPUT_LIMIT_BYTES",
            self.cache_client_output_limit_bytes,
            self.cache_max_value_bytes + 64 * 1024,
            usize::MAX,
        )?;
        if self.cache_password.as_ref().is_some_and(|p| p.0.is_empty()) {
            return Err(ConfigError::invalid(
                "CACHE_PASSWORD",
                "expected a non-empty password",
            ));
        }
        let min_request = self.cache_max_value_bytes + 64 * 1024;
        require_range(
            "CACHE_MAX_REQUEST_BYTES",
            self.cache_max_request_bytes,
            min_request,
            usize::MAX,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        Config::from_iter(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        )
    }

    #[test]
    fn defaults_make_a_working_config() {
        let config = load(&[]).unwrap();
        assert_eq!((config.cache_port, config.http_port), (6380, 8785));
        assert_eq!(config.cache_max_entries, 1_000_000);
    }

    #[test]
    fn a_malformed_number_names_its_variable() {
        let error = load(&[("CACHE_MAX_ENTRIES", "lots")]).unwrap_err();
        assert!(error.to_string().contains("CACHE_MAX_ENTRIES"), "{error}");
    }

    #[test]
    fn a_value_limit_larger_than_the_store_is_refused() {
        let error = load(&[
            ("CACHE_MAX_BYTES", "1000000"),
            ("CACHE_MAX_VALUE_BYTES", "1000000"),
        ])
        .unwrap_err();
        assert!(error.to_string().contains("CACHE_MAX_BYTES"), "{error}");
    }

    #[test]
    fn the_password_never_shows_in_debug_output() {
        let config = load(&[("CACHE_PASSWORD", "hunter2")]).unwrap();
        assert!(!format!("{config:?}").contains("hunter2"));
        assert_eq!(config.cache_password, Some(Secret("hunter2".into())));
    }

    #[test]
    fn zero_shards_is_refused() {
        let error = load(&[("CACHE_SHARDS", "0")]).unwrap_err();
        assert!(error.to_string().contains("CACHE_SHARDS"), "{error}");
    }
}
