//! The five databases of SPEC §1: which variable names each, its local default, and its
//! embedded migrations.

use diesel::migration::MigrationSource;
use diesel::pg::Pg;
use diesel_migrations::{EmbeddedMigrations, embed_migrations};

const WRITE: EmbeddedMigrations = embed_migrations!("migrations/write");
const READ: EmbeddedMigrations = embed_migrations!("migrations/read");
const SEQUENCE: EmbeddedMigrations = embed_migrations!("migrations/sequence");
const RATE_CACHE: EmbeddedMigrations = embed_migrations!("migrations/rate_cache");
const EVENT_GATEWAY: EmbeddedMigrations = embed_migrations!("migrations/event_gateway");

/// Where the local PostgreSQL is, for the defaults.
pub const LOCAL_SERVER: &str = "postgres://postgres@127.0.0.1:5432";

/// One of the databases the `migration` service owns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Database {
    /// The orders write model (create-buy-order).
    Write,
    /// The orders read model (read-model-sync, fetch-buy-orders).
    Read,
    /// The sequence dispenser.
    Sequence,
    /// The fiat rate cache.
    RateCache,
    /// The event gateway's schema store.
    EventGateway,
}

impl Database {
    /// Every database, in the order `migration` applies them.
    pub const ALL: [Database; 5] = [
        Self::Write,
        Self::Read,
        Self::Sequence,
        Self::RateCache,
        Self::EventGateway,
    ];

    /// Short name used in `/status`, logs and test database names.
    pub fn name(self) -> &'static str {
        match self {
            Self::Write => "write",
            Self::Read => "read",
            Self::Sequence => "sequence",
            Self::RateCache => "rate_cache",
            Self::EventGateway => "event_gateway",
        }
    }

    /// The environment variable holding its URL.
    pub fn env_var(self) -> &'static str {
        match self {
            Self::Write => "WRITE_DATABASE_URL",
            Self::Read => "READ_DATABASE_URL",
            Self::Sequence => "SEQUENCE_DATABASE_URL",
            Self::RateCache => "RATE_CACHE_DATABASE_URL",
            Self::EventGateway => "EVENT_GATEWAY_DATABASE_URL",
        }
    }

    /// The URL used when the variable is unset: a database on the local server.
    pub fn default_url(self) -> String {
        let name = match self {
            Self::Write => "btc_orders_write",
            Self::Read => "btc_orders_read",
            Self::Sequence => "sequence",
            Self::RateCache => "rate_cache",
            Self::EventGateway => "event_gateway",
        };
        format!("{LOCAL_SERVER}/{name}")
    }

    /// Its embedded migrations.
    pub fn migrations(self) -> &'static EmbeddedMigrations {
        match self {
            Self::Write => &WRITE,
            Self::Read => &READ,
            Self::Sequence => &SEQUENCE,
            Self::RateCache => &RATE_CACHE,
            Self::EventGateway => &EVENT_GATEWAY,
        }
    }

    /// The versions of its embedded migrations, oldest first.
    pub fn versions(self) -> Vec<String> {
        let mut versions: Vec<String> = MigrationSource::<Pg>::migrations(self.migrations())
            .map(|all| all.iter().map(|m| m.name().version().to_string()).collect())
            .unwrap_or_default();
        versions.sort();
        versions
    }

    /// Versions its migrations were recorded under before every version was made unique across
    /// the five databases (SPEC §1), as `(old, new)` in diesel's form (dashes removed). A
    /// database that recorded an old version has that migration applied; `migrate` rewrites the
    /// record to the new version instead of running it again.
    pub fn renamed_versions(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Self::Write => &[("20261122000001", "20261122000010")],
            Self::Read => &[("20261122000001", "20261122000020")],
            Self::Sequence => &[("20261122000001", "20261122000030")],
            Self::RateCache => &[],
            Self::EventGateway => &[("20261122000001", "20261122000040")],
        }
    }

    /// A fingerprint of its migrations' contents, changed by any edit (for test templates).
    pub fn fingerprint(self) -> &'static str {
        match self {
            Self::Write => env!("MIGRATIONS_FINGERPRINT_WRITE"),
            Self::Read => env!("MIGRATIONS_FINGERPRINT_READ"),
            Self::Sequence => env!("MIGRATIONS_FINGERPRINT_SEQUENCE"),
            Self::RateCache => env!("MIGRATIONS_FINGERPRINT_RATE_CACHE"),
            Self::EventGateway => env!("MIGRATIONS_FINGERPRINT_EVENT_GATEWAY"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_database_has_at_least_one_migration_and_a_fingerprint() {
        for database in Database::ALL {
            assert!(!database.versions().is_empty(), "{database:?}");
            assert_eq!(database.fingerprint().len(), 16, "{database:?}");
        }
    }

    #[test]
    fn every_version_is_unique_across_the_five_databases() {
        let mut owner = std::collections::HashMap::new();
        for database in Database::ALL {
            for version in database.versions() {
                if let Some(other) = owner.insert(version.clone(), database) {
                    panic!("version {version} is both {other:?}'s and {database:?}'s");
                }
            }
        }
    }

    #[test]
    fn renamed_versions_point_at_embedded_ones_and_old_ones_are_gone() {
        for database in Database::ALL {
            let versions = database.versions();
            for (old, new) in database.renamed_versions() {
                assert!(versions.iter().any(|v| v == new), "{database:?}: {new}");
                assert!(!versions.iter().any(|v| v == old), "{database:?}: {old}");
            }
        }
    }
}
