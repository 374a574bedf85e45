//! A fresh PostgreSQL database per test.
//!
//! The first test of a run that needs a given database migrates a template
//! (`tpl_<name>_<fingerprint of its migrations>`) under an advisory lock, so parallel test
//! processes build it once; every test then clones it with `CREATE DATABASE … TEMPLATE …`
//! (fast: a file copy) and the clone is dropped when the [`TestDatabase`] is dropped.
//!
//! A test process that is killed never runs that drop. So every database made here carries its
//! creation time in its name (a v7 UUID), and the first database a test process makes first
//! drops those left over from runs older than [`LEFTOVER_AGE`].

use diesel::{Connection, PgConnection, RunQueryDsl, connection::SimpleConnection, sql_query};
use std::{
    sync::Once,
    time::{Duration, SystemTime, UNIX_EPOCH},
};
use store::{Database, PgPool, PoolOptions};
use uuid::Uuid;

/// Older than this, a `test_` or `scratch_` database belongs to no running test: no test run
/// lasts hours, so a killed one left it behind.
pub const LEFTOVER_AGE: Duration = Duration::from_secs(6 * 3600);

/// Advisory lock key serialising template creation across test processes.
const TEMPLATE_LOCK_KEY: i64 = 0x7465_6d70_6c61_7465; // "template"

/// The server tests create databases on: `TEST_DATABASE_URL`, or the local one.
///
/// Without an explicit `sslmode` the URL gets `sslmode=disable`: TLS on loopback buys nothing in
/// tests, and libpq's OpenSSL clean-up at process exit can crash a test binary whose pool threads
/// still hold TLS connections (seen as a SIGSEGV after a passing test).
pub fn server_url() -> String {
    let url = std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| format!("{}/postgres", store::LOCAL_SERVER));
    if url.contains("sslmode=") {
        url
    } else if url.contains('?') {
        format!("{url}&sslmode=disable")
    } else {
        format!("{url}?sslmode=disable")
    }
}

fn url_for(name: &str) -> String {
    let mut url =
        url::Url::parse(&server_url()).unwrap_or_else(|e| panic!("TEST_DATABASE_URL: {e}"));
    url.set_path(&format!("/{name}"));
    url.to_string()
}

fn admin() -> PgConnection {
    PgConnection::establish(&server_url())
        .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at {}: {e}", server_url()))
}

fn exists(conn: &mut PgConnection, name: &str) -> bool {
    #[derive(diesel::QueryableByName)]
    struct Found {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        found: bool,
    }
    sql_query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS found")
        .bind::<diesel::sql_types::Text, _>(name)
        .get_result::<Found>(conn)
        .map(|row| row.found)
        .unwrap_or(false)
}

/// Makes sure the migrated template for `database` exists; returns its name.
fn ensure_template(database: Database) -> String {
    let template = format!("tpl_{}_{}", database.name(), database.fingerprint());
    let mut conn = admin();
    if exists(&mut conn, &template) {
        return template;
    }
    conn.batch_execute(&format!("SELECT pg_advisory_lock({TEMPLATE_LOCK_KEY})"))
        .unwrap_or_else(|e| panic!("template lock: {e}"));
    if !exists(&mut conn, &template) {
        // Build under a scratch name and rename, so a crash never leaves a half-made template.
        let scratch = new_name("scratch");
        conn.batch_execute(&format!("CREATE DATABASE {scratch}"))
            .unwrap_or_else(|e| panic!("create {scratch}: {e}"));
        store::migrate(&url_for(&scratch), database)
            .unwrap_or_else(|e| panic!("migrate template for {}: {e}", database.name()));
        conn.batch_execute(&format!("ALTER DATABASE {scratch} RENAME TO {template}"))
            .unwrap_or_else(|e| panic!("rename template: {e}"));
        drop_stale_templates(&mut conn, database, &template);
    }
    let _ = conn.batch_execute(&format!("SELECT pg_advisory_unlock({TEMPLATE_LOCK_KEY})"));
    template
}

fn drop_stale_templates(conn: &mut PgConnection, database: Database, keep: &str) {
    let pattern = format!("tpl\\_{}\\_%", database.name().replace('_', "\\_"));
    for name in names_like(conn, &pattern) {
        if name != keep {
            let _ = drop_database(conn, &name);
        }
    }
}

/// The databases whose names match the `LIKE` pattern.
fn names_like(conn: &mut PgConnection, pattern: &str) -> Vec<String> {
    #[derive(diesel::QueryableByName)]
    struct Name {
        #[diesel(sql_type = diesel::sql_types::Text)]
        datname: String,
    }
    sql_query("SELECT datname::text AS datname FROM pg_database WHERE datname LIKE $1")
        .bind::<diesel::sql_types::Text, _>(pattern)
        .load::<Name>(conn)
        .map(|names| names.into_iter().map(|n| n.datname).collect())
        .unwrap_or_default()
}

/// Drops the database `name`, closing its connections.
fn drop_database(conn: &mut PgConnection, name: &str) -> diesel::QueryResult<()> {
    let quoted = name.replace('"', "\"\"");
    conn.batch_execute(&format!(
        "DROP DATABASE IF EXISTS \"{quoted}\" WITH (FORCE)"
    ))
}

/// `{prefix}_{v7 UUID}`: unique, and it tells when it was made.
fn new_name(prefix: &str) -> String {
    format!("{prefix}_{}", Uuid::now_v7().simple())
}

/// When a database named by [`new_name`] was made; `None` for any other name.
fn made_at(name: &str) -> Option<SystemTime> {
    let (_, id) = name.rsplit_once('_')?;
    let id = Uuid::try_parse(id).ok()?;
    let (seconds, nanos) = id.get_timestamp()?.to_unix();
    UNIX_EPOCH.checked_add(Duration::new(seconds, nanos))
}

/// Drops the `test_` and `scratch_` databases made before `now - LEFTOVER_AGE`; returns their
/// names. Names without a creation time (made before this sweep existed) are left alone.
pub fn drop_leftovers(conn: &mut PgConnection, now: SystemTime) -> Vec<String> {
    let Some(cutoff) = now.checked_sub(LEFTOVER_AGE) else {
        return Vec::new();
    };
    let mut names = names_like(conn, "test\\_%");
    names.extend(names_like(conn, "scratch\\_%"));
    let mut dropped = Vec::new();
    for name in names {
        if made_at(&name).is_some_and(|made| made < cutoff) && drop_database(conn, &name).is_ok() {
            dropped.push(name);
        }
    }
    dropped
}

/// A database that exists for one test and is dropped with it.
pub struct TestDatabase {
    name: String,
    url: String,
}

impl TestDatabase {
    /// A clone of `database`'s migrated template.
    pub fn migrated(database: Database) -> Self {
        let template = ensure_template(database);
        Self::create(database.name(), Some(&template))
    }

    /// An empty database (no migrations), for testing `migration` itself.
    pub fn empty(label: &str) -> Self {
        Self::create(label, None)
    }

    /// Only a name and URL: the database is not created (for `migration` to create).
    pub fn not_created(label: &str) -> Self {
        let name = new_name(&format!("test_{label}"));
        let url = url_for(&name);
        Self { name, url }
    }

    fn create(label: &str, template: Option<&str>) -> Self {
        static SWEEP: Once = Once::new();
        let mut conn = admin();
        SWEEP.call_once(|| {
            drop_leftovers(&mut conn, SystemTime::now());
        });
        let db = Self::not_created(label);
        let sql = match template {
            Some(template) => format!("CREATE DATABASE {} TEMPLATE {template}", db.name),
            None => format!("CREATE DATABASE {}", db.name),
        };
        conn.batch_execute(&sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        db
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its connection URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A new pool on it.
    pub fn pool(&self) -> PgPool {
        store::lazy_pool(
            &self.url,
            PoolOptions {
                max_size: 16,
                ..PoolOptions::default()
            },
        )
    }

    /// A plain connection to it.
    pub fn connect(&self) -> PgConnection {
        PgConnection::establish(&self.url).unwrap_or_else(|e| panic!("connect {}: {e}", self.name))
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Ok(mut conn) = PgConnection::establish(&server_url())
            && let Err(e) = drop_database(&mut conn, &self.name)
        {
            eprintln!("could not drop test database {}: {e}", self.name);
        }
    }
}
