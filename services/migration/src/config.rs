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
//! | `REQUEST_TIMEOUT_MS` | `10000` | whole-request deadline: past it, 503 `request_timeout` with `Retry-After` |

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

impl Validate for Config {
    fn validate(&self) -> Result<(), ConfigError> {
        self.http.validate()?;
        for database in Database::ALL {
            require_postgres_url(database.env_var(), self.url(database))?;
        }
        Ok(())
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
    fn a_non_postgres_url_names_its_variable() {
        let vars = vec![("READ_DATABASE_URL".to_owned(), "mysql://x/y".to_owned())];
        let error = env_config::from_iter::<Config, _>(vars).unwrap_err();
        assert!(error.to_string().contains("READ_DATABASE_URL"), "{error}");
    }
}
