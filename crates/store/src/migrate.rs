//! Applying migrations (all pending ones in one transaction, under an advisory lock),
//! creating a missing database, and reading which versions are applied or pending.

use crate::Database;
use diesel::migration::MigrationSource;
use diesel::{
    Connection, PgConnection, RunQueryDsl,
    connection::SimpleConnection,
    pg::Pg,
    sql_query,
    sql_types::{BigInt, Text},
};
use diesel_migrations::MigrationHarness;

/// Advisory lock key that serialises concurrent `migration` runs on one database.
const MIGRATION_LOCK_KEY: i64 = 0x6d69_6772_6174_6531; // "migrate1"

/// Why migrating failed.
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    /// The database could not be reached.
    #[error("cannot connect to the database: {0}")]
    Connect(#[from] diesel::ConnectionError),
    /// A query outside any migration failed (locking, bookkeeping, CREATE DATABASE).
    #[error("database error: {0}")]
    Database(#[from] diesel::result::Error),
    /// One migration failed; nothing of this run was kept.
    #[error("migration {name} failed: {reason}")]
    Failed {
        /// The migration's full name (version and title).
        name: String,
        /// The database's error.
        reason: String,
    },
    /// The migrations could not be listed.
    #[error("cannot read migrations: {0}")]
    Source(String),
    /// The URL has no database name to create.
    #[error("invalid database URL: {0}")]
    Url(String),
}

/// Applies every pending migration of `source`, all in one transaction under an advisory
/// transaction lock: a failure leaves the database as it was, and a concurrent run waits,
/// then finds nothing left to do. Returns the names applied.
pub fn run_pending<S: MigrationSource<Pg>>(
    conn: &mut PgConnection,
    source: S,
) -> Result<Vec<String>, MigrateError> {
    run_pending_renaming(conn, source, &[])
}

/// [`run_pending`], after rewriting each recorded `old` version of `renamed` to its `new` one
/// in the same transaction (so a migration recorded under its old version is not run again).
/// Idempotent: once rewritten, nothing matches an old version.
pub fn run_pending_renaming<S: MigrationSource<Pg>>(
    conn: &mut PgConnection,
    source: S,
    renamed: &[(&str, &str)],
) -> Result<Vec<String>, MigrateError> {
    conn.transaction::<_, MigrateError, _>(|conn| {
        sql_query("SELECT pg_advisory_xact_lock($1)")
            .bind::<BigInt, _>(MIGRATION_LOCK_KEY)
            .execute(conn)?;
        rename_recorded_versions(conn, renamed)?;
        let pending = conn
            .pending_migrations(source)
            .map_err(|e| MigrateError::Source(e.to_string()))?;
        let mut applied = Vec::with_capacity(pending.len());
        for migration in &pending {
            let name = migration.name().to_string();
            conn.run_migration(migration.as_ref())
                .map_err(|e| MigrateError::Failed {
                    name: name.clone(),
                    reason: e.to_string(),
                })?;
            tracing::info!(migration = %name, "applied");
            applied.push(name);
        }
        Ok(applied)
    })
}

#[derive(diesel::QueryableByName)]
struct Flag {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    flag: bool,
}

/// Rewrites each recorded `old` version to `new` (or drops it when `new` is recorded too).
fn rename_recorded_versions(
    conn: &mut PgConnection,
    renamed: &[(&str, &str)],
) -> diesel::QueryResult<()> {
    if renamed.is_empty() {
        return Ok(());
    }
    let recorded =
        sql_query("SELECT to_regclass('__diesel_schema_migrations') IS NOT NULL AS flag")
            .get_result::<Flag>(conn)?;
    if !recorded.flag {
        return Ok(());
    }
    for (old, new) in renamed {
        let rewritten = sql_query(
            "UPDATE __diesel_schema_migrations SET version = $2 WHERE version = $1 \
             AND NOT EXISTS (SELECT 1 FROM __diesel_schema_migrations WHERE version = $2)",
        )
        .bind::<Text, _>(*old)
        .bind::<Text, _>(*new)
        .execute(conn)?;
        let dropped = sql_query("DELETE FROM __diesel_schema_migrations WHERE version = $1")
            .bind::<Text, _>(*old)
            .execute(conn)?;
        if rewritten + dropped > 0 {
            tracing::info!(old_version = %old, new_version = %new, "renamed a recorded migration version");
        }
    }
    Ok(())
}

/// Lends a `&'static` migration source where diesel wants one by value.
struct ByRef<S: 'static>(&'static S);

impl<S: MigrationSource<Pg>> MigrationSource<Pg> for ByRef<S> {
    fn migrations(
        &self,
    ) -> diesel::migration::Result<Vec<Box<dyn diesel::migration::Migration<Pg>>>> {
        self.0.migrations()
    }
}

/// Connects to `url` (creating the database first when it is missing and the role may) and
/// applies `database`'s pending migrations.
pub fn migrate(url: &str, database: Database) -> Result<Vec<String>, MigrateError> {
    create_database_if_missing(url)?;
    let mut conn = PgConnection::establish(url)?;
    run_pending_renaming(
        &mut conn,
        ByRef(database.migrations()),
        database.renamed_versions(),
    )
}

/// Creates the database named in `url` when it does not exist, through the server's
/// `postgres` database. A concurrent creation by someone else counts as success.
pub fn create_database_if_missing(url: &str) -> Result<(), MigrateError> {
    let (server_url, name) = split_database(url)?;
    if PgConnection::establish(url).is_ok() {
        return Ok(());
    }
    let mut admin = PgConnection::establish(&server_url)?;
    match admin.batch_execute(&format!(
        "CREATE DATABASE \"{}\"",
        name.replace('"', "\"\"")
    )) {
        Ok(()) => {
            tracing::info!(database = %name, "created database");
            Ok(())
        }
        Err(diesel::result::Error::DatabaseError(kind, info))
            if matches!(kind, diesel::result::DatabaseErrorKind::UniqueViolation)
                || info.message().contains("already exists") =>
        {
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}

/// Splits `postgres://…/name?opts` into the same URL on the `postgres` database, and `name`.
pub fn split_database(url: &str) -> Result<(String, String), MigrateError> {
    let mut parsed = url::Url::parse(url).map_err(|e| MigrateError::Url(format!("{url}: {e}")))?;
    let name = parsed.path().trim_start_matches('/').to_owned();
    if name.is_empty() {
        return Err(MigrateError::Url(format!("{url} names no database")));
    }
    parsed.set_path("/postgres");
    Ok((parsed.to_string(), name))
}

/// Applied and pending migration versions of one database.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SchemaStatus {
    /// Versions recorded as applied, oldest first.
    pub applied: Vec<String>,
    /// Embedded versions not yet applied, oldest first.
    pub pending: Vec<String>,
}

#[derive(diesel::QueryableByName)]
struct VersionRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    version: String,
}

/// Reads `database`'s status without changing anything (no bookkeeping table is created).
/// A version still recorded under its old name ([`Database::renamed_versions`]) counts as
/// applied under its new one.
pub fn status(conn: &mut PgConnection, database: Database) -> diesel::QueryResult<SchemaStatus> {
    let rows: Vec<VersionRow> = sql_query(
        "SELECT version::text AS version FROM __diesel_schema_migrations \
         WHERE to_regclass('__diesel_schema_migrations') IS NOT NULL ORDER BY version",
    )
    .load(conn)
    .or_else(|e| match e {
        // The bookkeeping table does not exist yet: nothing is applied.
        diesel::result::Error::DatabaseError(_, ref info)
            if info.message().contains("does not exist") =>
        {
            Ok(Vec::new())
        }
        other => Err(other),
    })?;
    // A version recorded under its old name is applied; `migrate` rewrites the record.
    let applied: Vec<String> = rows
        .into_iter()
        .map(|row| {
            database
                .renamed_versions()
                .iter()
                .find(|(old, _)| *old == row.version)
                .map_or(row.version, |(_, new)| (*new).to_owned())
        })
        .collect();
    let pending = database
        .versions()
        .into_iter()
        .filter(|v| !applied.contains(v))
        .collect();
    Ok(SchemaStatus { applied, pending })
}

/// For readiness: `Ok` when every embedded migration is applied, otherwise a sentence that
/// says how many are pending and to run `migration`.
pub async fn check_schema_current(pool: &crate::PgPool, database: Database) -> Result<(), String> {
    let status = crate::run(pool, move |conn| status(conn, database))
        .await
        .map_err(|e| format!("database unreachable: {}", error_text(&e)))?;
    if status.pending.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "schema of the {} database is behind ({} pending migration(s): {}); run `migration`",
            database.name(),
            status.pending.len(),
            status.pending.join(", ")
        ))
    }
}

fn error_text(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
