//! Migrating every database and reading their status.

use serde::Serialize;
use store::Database;

/// What happened to one database.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Outcome {
    /// The database's short name.
    pub database: &'static str,
    /// Migrations applied by this run.
    pub applied: Vec<String>,
    /// Why it failed, if it did.
    pub error: Option<String>,
}

/// Migrates each database in turn (a failure does not stop the others). Blocking.
pub fn migrate_all(targets: &[(Database, String)]) -> Vec<Outcome> {
    targets
        .iter()
        .map(|(database, url)| {
            let span = tracing::info_span!("migrate", database = database.name());
            let _entered = span.enter();
            match store::migrate(url, *database) {
                Ok(applied) => {
                    tracing::info!(applied = applied.len(), "database is up to date");
                    Outcome { database: database.name(), applied, error: None }
                }
                Err(error) => {
                    tracing::error!(error = %error, "migration failed; this database was left as it was");
                    Outcome { database: database.name(), applied: Vec::new(), error: Some(error.to_string()) }
                }
            }
        })
        .collect()
}

/// The status of one database for `GET /status`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DatabaseStatus {
    /// Short name (`write`, `read`, …).
    pub database: String,
    /// The variable its URL comes from.
    pub variable: String,
    /// Applied versions, oldest first.
    pub applied: Vec<String>,
    /// Embedded versions not applied yet.
    pub pending: Vec<String>,
    /// True when nothing is pending.
    pub up_to_date: bool,
    /// Why the status could not be read (database unreachable).
    pub error: Option<String>,
}

/// Reads every database's status without changing anything. Blocking.
pub fn status_all(targets: &[(Database, String)]) -> Vec<DatabaseStatus> {
    use diesel::Connection;
    targets
        .iter()
        .map(|(database, url)| {
            let result = diesel::PgConnection::establish(url)
                .map_err(|e| format!("cannot connect: {e}"))
                .and_then(|mut conn| {
                    store::status(&mut conn, *database).map_err(|e| e.to_string())
                });
            let (applied, pending, error) = match result {
                Ok(status) => (status.applied, status.pending, None),
                Err(error) => (Vec::new(), database.versions(), Some(error)),
            };
            DatabaseStatus {
                database: database.name().to_owned(),
                variable: database.env_var().to_owned(),
                up_to_date: error.is_none() && pending.is_empty(),
                applied,
                pending,
                error,
            }
        })
        .collect()
}
