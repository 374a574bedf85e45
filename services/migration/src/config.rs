//! Configuration of the `migration` service, from the environment.
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `WRITE_DATABASE_URL` | `postgres://postgres@127.0.0.1:5432/btc_orders_write` | orders write model |
//! | `READ_DATABASE_URL` | `…/btc_orders_read` | orders read model |
//! | `SEQUENCE_DATABASE_URL` | `…/sequence` | sequence dispenser |
//! | `RATE_CACHE_DATABASE_URL` | `…/rate_cache` | rate cache |
//! | `EVENT_GATEWAY_DATABASE_URL` | `…/event_gateway` | event gateway schema store |
//! | `MIGRATION_SERVE` | `false` | after migrating, keep serving `GET /status` |
//! | `HTTP_HOST` | `127.0.0.1` | address to bind when serving |
//! | `HTTP_PORT` | `8781` | port to bind when serving |
//! | `API_KEYS`, `API_KEYS_FILE`, `RATE_LIMIT_PER_SECOND`, `RATE_LIMIT_BURST` | unset (open, no limit) | access control, SPEC §11: see `http_kit::AccessConfig` |
//! | `REQUEST_TIMEOUT_MS` | `10000` | whole-request deadline: past it, 503 `request_timeout` with `Retry-After` |
//!
//! Two `*_DATABASE_URL`s naming one database (the same host, port and database name, however
//! spelt: `localhost` is `127.0.0.1`, 5432 is the default port) stop it at start with a message
//! naming both variables.

use env_config::{ConfigError, HttpSettings, Validate, require_postgres_url};
use serde::Deserialize;
use store::Database;

/// Settings of one run.
#[derive(Debug, Clone, Deserialize)]
pub struct Config {
    /// `HTTP_HOST`, `HTTP_PORT`, `REQUEST_TIMEOUT_MS`.
    #[serde(flatten)]
    pub http: HttpSettings<8781>,
    /// Orders write model.
    #[serde(default = "write_url")]
    pub write_database_url: String,
    /// Orders read model.
    #[serde(default = "read_url")]
    pub read_database_url: String,
    /// Sequence dispenser.
    #[serde(default = "sequence_url")]
    pub sequence_database_url: String,
    /// Rate cache.
    #[serde(default = "rate_cache_url")]
    pub rate_cache_database_url: String,
    /// Event gateway.
    #[serde(default = "event_gateway_url")]
    pub event_gateway_database_url: String,
    /// Keep serving `/status` after migrating.
    #[serde(default)]
    pub migration_serve: bool,
    /// Access control (SPEC §11): API keys with scopes and per-key rate limits.
    #[serde(flatten)]
    pub access: http_kit::AccessConfig,
}

fn write_url() -> String {
    Database::Write.default_url()
}
fn read_url() -> String {
    Database::Read.default_url()
}
fn sequence_url() -> String {
    Database::Sequence.default_url()
}
fn rate_cache_url() -> String {
    Database::RateCache.default_url()
}
fn event_gateway_url() -> String {
    Database::EventGateway.default_url()
}

impl Config {
    /// Every database with its URL, in the order they are migrated.
    pub fn targets(&self) -> Vec<(Database, String)> {
        Database::ALL
            .into_iter()
            .map(|database| (database, self.url(database).to_owned()))
            .collect()
    }

    fn url(&self, database: Database) -> &str {
        match database {
            Database::Write => &self.write_database_url,
            Database::Read => &self.read_database_url,
            Database::Sequence => &self.sequence_database_url,
            Database::RateCache => &self.rate_cache_database_url,
            Database::EventGateway => &self.event_gateway_database_url,
        }
    }
}

impl Config {
    /// Two variables naming one database (same host, port and name, however spelt) would let
    /// one database's migration history mark the other's migrations as applied.
    fn require_distinct_databases(&self) -> Result<(), ConfigError> {
        let mut seen: Vec<(Database, (String, u16, String))> = Vec::new();
        for database in Database::ALL {
            let Some(identity) = store::database_identity(self.url(database)) else {
                continue;
            };
            if let Some((first, _)) = seen.iter().find(|(_, other)| *other == identity) {
                let (host, port, name) = &identity;
                return Err(ConfigError::invalid(
                    database.env_var(),
                    format!(
                        "{} and {} both name database {name} on {host}:{port}; each needs its own",
                        first.env_var(),
                        database.env_var()
                    ),
                ));
            }
            seen.push((database, identity));
        }
        Ok(())
    }
}

impl Validate for Config {
    fn validate(&self) -> Result<(), ConfigError> {
        self.http.validate()?;
        self.access.validate()?;
        for database in Database::ALL {
            require_postgres_url(database.env_var(), self.url(database))?;
        }
        self.require_distinct_databases()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_point_at_the_local_server_and_do_not_serve() {
        let config: Config = env_config::from_iter(Vec::new()).unwrap();
        assert!(!config.migration_serve);
        assert_eq!(config.http.port, 8781);
        assert_eq!(config.targets().len(), 5);
        assert!(config.write_database_url.ends_with("/btc_orders_write"));
    }

    #[test]
    fn two_variables_naming_one_database_stop_it_naming_both() {
        let vars = env_config::vars(&[
            (
                "WRITE_DATABASE_URL",
                "postgres://postgres@127.0.0.1:5432/orders",
            ),
            (
                "SEQUENCE_DATABASE_URL",
                "postgresql://app@LOCALHOST/orders?sslmode=disable",
            ),
        ]);
        let error = env_config::from_iter::<Config, _>(vars).unwrap_err();
        let text = error.to_string();
        assert!(
            text.contains("WRITE_DATABASE_URL") && text.contains("SEQUENCE_DATABASE_URL"),
            "{text}"
        );
        let vars = env_config::vars(&[("SEQUENCE_DATABASE_URL", "postgres://h:5433/orders")]);
        assert!(
            env_config::from_iter::<Config, _>(vars).is_ok(),
            "distinct ones pass"
        );
    }

    #[test]
    fn a_non_postgres_url_names_its_variable() {
        let vars = vec![("READ_DATABASE_URL".to_owned(), "mysql://x/y".to_owned())];
        let error = env_config::from_iter::<Config, _>(vars).unwrap_err();
        assert!(error.to_string().contains("READ_DATABASE_URL"), "{error}");
    }
}
