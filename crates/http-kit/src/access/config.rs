//! The access-control section of every service's config, flattened into it with
//! `#[serde(flatten)] pub access: http_kit::AccessConfig`.
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `API_KEYS` | unset | keys, `name:sha256hex:scope,scope` entries separated by `;` |
//! | `API_KEYS_FILE` | unset | a file of such entries, one a line, `#` comments |
//! | `RATE_LIMIT_PER_SECOND` | unset (no limit) | requests a second each key (or peer address, when open) may make |
//! | `RATE_LIMIT_BURST` | `RATE_LIMIT_PER_SECOND` | requests a key may make at once before the rate applies |
//!
//! Both key sources add up; with neither, the service runs open. Read once, at start.

use super::{Access, RateLimit, keys::KeySet, keys::parse_entry};
use env_config::{ConfigError, require_range};
use serde::{Deserialize, Deserializer};

/// The access settings (see the module doc for the variables).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct AccessConfig {
    /// `API_KEYS`: entries separated by `;`.
    #[serde(default)]
    pub api_keys: Option<String>,
    /// `API_KEYS_FILE`: path of a file with one entry a line.
    #[serde(default)]
    pub api_keys_file: Option<String>,
    /// `RATE_LIMIT_PER_SECOND`: unset means no limit.
    #[serde(default, deserialize_with = "per_second_from_text")]
    pub rate_limit_per_second: Option<u32>,
    /// `RATE_LIMIT_BURST`: defaults to the rate.
    #[serde(default, deserialize_with = "burst_from_text")]
    pub rate_limit_burst: Option<u32>,
}

fn per_second_from_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    env_config::optional_number(d, "RATE_LIMIT_PER_SECOND")
}

fn burst_from_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    env_config::optional_number(d, "RATE_LIMIT_BURST")
}

impl AccessConfig {
    /// Checks everything [`AccessConfig::load`] would, for a service's `validate()`.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.load_quietly().map(|_| ())
    }

    /// Reads the keys (and the file) and builds the [`Access`] the server checks against. Logs
    /// how the service runs: open (no keys) or with N keys: call it before anything else logs, so
    /// that is the service's first log line.
    pub fn load(&self) -> Result<Access, ConfigError> {
        let access = self.load_quietly()?;
        if access.is_open() {
            tracing::warn!(
                "access control is off: no API_KEYS or API_KEYS_FILE set, every route is open to anyone"
            );
        } else {
            tracing::info!(keys = access.key_count(), "access control is on");
        }
        Ok(access)
    }

    fn load_quietly(&self) -> Result<Access, ConfigError> {
        let mut keys = KeySet::default();
        if let Some(list) = &self.api_keys {
            for entry in list.split(';').map(str::trim).filter(|e| !e.is_empty()) {
                parse_entry(entry)
                    .and_then(|parsed| keys.push(parsed))
                    .map_err(|reason| ConfigError::invalid("API_KEYS", reason))?;
            }
        }
        if let Some(path) = &self.api_keys_file {
            let text = std::fs::read_to_string(path).map_err(|e| {
                ConfigError::invalid("API_KEYS_FILE", format!("cannot read '{path}': {e}"))
            })?;
            for (number, line) in text.lines().enumerate() {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                parse_entry(line)
                    .and_then(|parsed| keys.push(parsed))
                    .map_err(|reason| {
                        ConfigError::invalid(
                            "API_KEYS_FILE",
                            format!("{path} line {}: {reason}", number + 1),
                        )
                    })?;
            }
        }
        Ok(Access::new(keys, self.rate_limit()?))
    }

    fn rate_limit(&self) -> Result<Option<RateLimit>, ConfigError> {
        let Some(per_second) = self.rate_limit_per_second else {
            if self.rate_limit_burst.is_some() {
                return Err(ConfigError::invalid(
                    "RATE_LIMIT_BURST",
                    "only applies with RATE_LIMIT_PER_SECOND set",
                ));
            }
            return Ok(None);
        };
        require_range("RATE_LIMIT_PER_SECOND", per_second, 1, 1_000_000)?;
        let burst = self.rate_limit_burst.unwrap_or(per_second);
        require_range("RATE_LIMIT_BURST", burst, 1, 1_000_000)?;
        Ok(Some(RateLimit { per_second, burst }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::hash_key;
    use env_config::{Validate, vars};

    /// A service config as services write theirs: own fields plus the flattened section.
    #[derive(Debug, Deserialize)]
    struct Service {
        #[serde(default)]
        http_port: u16,
        #[serde(flatten)]
        access: AccessConfig,
    }

    impl Validate for Service {
        fn validate(&self) -> Result<(), ConfigError> {
            self.access.validate()
        }
    }

    fn load(pairs: &[(&str, &str)]) -> Result<Service, ConfigError> {
        env_config::from_iter(vars(pairs))
    }

    #[test]
    fn no_keys_means_open_and_no_limit() {
        let config = load(&[("HTTP_PORT", "1")]).unwrap();
        assert_eq!(config.http_port, 1);
        let access = config.access.load().unwrap();
        assert!(access.is_open());
        assert_eq!(config.access.rate_limit().unwrap(), None);
    }

    #[test]
    fn keys_from_the_variable_and_the_file_add_up() {
        let dir = std::env::temp_dir().join(format!("keys-{}", uuid::Uuid::new_v4()));
        let text = format!("# a comment\n\nfile-key:{}:orders:read\n", hash_key("b"));
        std::fs::write(&dir, text).unwrap();
        let inline = format!("one:{}:*; two:{}:x ;", hash_key("a"), hash_key("c"));
        let config = load(&[
            ("API_KEYS", &inline),
            ("API_KEYS_FILE", dir.to_str().unwrap()),
        ])
        .unwrap();
        let access = config.access.load().unwrap();
        std::fs::remove_file(&dir).unwrap();
        assert_eq!(access.key_count(), 3);
    }

    #[test]
    fn a_malformed_entry_names_the_variable_and_the_entry() {
        let error = load(&[("API_KEYS", "ok:nothex:x")]).unwrap_err();
        let text = error.to_string();
        assert!(text.contains("API_KEYS") && text.contains("'ok:"), "{text}");
        assert!(!text.contains("nothex"), "{text}");
        let dir = std::env::temp_dir().join(format!("keys-{}", uuid::Uuid::new_v4()));
        std::fs::write(&dir, "# c\nbroken-line\n").unwrap();
        let error = load(&[("API_KEYS_FILE", dir.to_str().unwrap())]).unwrap_err();
        std::fs::remove_file(&dir).unwrap();
        let text = error.to_string();
        assert!(
            text.contains("API_KEYS_FILE") && text.contains("line 2"),
            "{text}"
        );
    }

    #[test]
    fn an_unreadable_file_is_refused_naming_the_variable() {
        let error = load(&[("API_KEYS_FILE", "/nonexistent/keys")]).unwrap_err();
        assert!(error.to_string().contains("API_KEYS_FILE"), "{error}");
    }

    #[test]
    fn rate_limits_parse_from_text_and_burst_defaults_to_the_rate() {
        let config = load(&[("RATE_LIMIT_PER_SECOND", "5")]).unwrap();
        let limit = config.access.rate_limit().unwrap();
        assert_eq!(
            limit,
            Some(RateLimit {
                per_second: 5,
                burst: 5
            })
        );
        let error = load(&[("RATE_LIMIT_PER_SECOND", "fast")]).unwrap_err();
        assert!(
            error.to_string().contains("RATE_LIMIT_PER_SECOND"),
            "{error}"
        );
        let error = load(&[("RATE_LIMIT_BURST", "3")]).unwrap_err();
        assert!(error.to_string().contains("RATE_LIMIT_BURST"), "{error}");
        let error = load(&[("RATE_LIMIT_PER_SECOND", "0")]).unwrap_err();
        assert!(
            error.to_string().contains("RATE_LIMIT_PER_SECOND"),
            "{error}"
        );
    }
}
