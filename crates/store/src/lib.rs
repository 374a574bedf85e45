//! PostgreSQL access shared by every service: the databases and their embedded migrations,
//! lazily built r2d2 pools, [`run`] to call diesel off the async threads inside the current
//! tracing span, and the "schema is current" check readiness uses.
//!
//! Table definitions for each database live in [`schema`].

mod database;
mod deadlines;
mod identity;
mod migrate;
mod pool;
pub mod schema;

pub use database::{Database, LOCAL_SERVER};
pub use deadlines::{Deadlines, with_connect_timeout, with_link_deadlines};
pub use identity::database_identity;
pub use migrate::{
    MigrateError, SchemaStatus, check_schema_current, create_database_if_missing, migrate,
    run_pending, run_pending_renaming, split_database, status,
};
pub use pool::{PgPool, PgPooled, PoolOptions, StoreError, lazy_pool, lazy_pool_untested, run};
