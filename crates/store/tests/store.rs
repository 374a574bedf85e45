//! Pools, migrations and the schema check against the real PostgreSQL.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl, connection::SimpleConnection};
use diesel_migrations::FileBasedMigrations;
use rust_decimal::Decimal;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use store::{Database, MigrateError, PoolOptions, schema::read::buy_orders};
use test_support::TestDatabase;

fn insert_orders(db: &TestDatabase, count: usize) {
    let mut conn = db.connect();
    for _ in 0..count {
        diesel::insert_into(buy_orders::table)
            .values((
                buy_orders::id.eq(uuid::Uuid::new_v4()),
                buy_orders::currency.eq("EUR"),
                buy_orders::amount.eq(Decimal::new(10050, 2)),
                buy_orders::exchange_rate.eq(Decimal::new(3_812_345, 2)),
                buy_orders::bitcoin_amount.eq(Decimal::new(263_617, 8)),
                buy_orders::created_at.eq(chrono::Utc::now()),
            ))
            .execute(&mut conn)
            .unwrap();
    }
}

fn order_count(db: &TestDatabase) -> i64 {
    buy_orders::table
        .count()
        .get_result(&mut db.connect())
        .unwrap()
}

// These two run in parallel (nextest runs each test in its own process) on the same table.
#[test]
fn a_test_writing_orders_sees_only_its_own_rows() {
    let db = TestDatabase::migrated(Database::Read);
    insert_orders(&db, 3);
    assert_eq!(order_count(&db), 3);
}

#[test]
fn another_test_writing_the_same_table_sees_only_its_own_rows() {
    let db = TestDatabase::migrated(Database::Read);
    insert_orders(&db, 5);
    assert_eq!(order_count(&db), 5);
}

fn admin() -> diesel::PgConnection {
    diesel::Connection::establish(&test_support::server_url()).unwrap()
}

fn database_exists(admin: &mut diesel::PgConnection, name: &str) -> bool {
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let found: N = diesel::sql_query("SELECT count(*) AS n FROM pg_database WHERE datname = $1")
        .bind::<diesel::sql_types::Text, _>(name)
        .get_result(admin)
        .unwrap();
    found.n == 1
}

#[test]
fn a_dropped_test_database_is_gone() {
    let db = TestDatabase::migrated(Database::Sequence);
    let name = db.name().to_owned();
    drop(db);
    assert!(!database_exists(&mut admin(), &name));
}

#[test]
fn only_test_databases_older_than_any_test_run_are_swept_as_leftovers() {
    // Arrange: one database named as a killed run would have left it, one made now, and one
    // whose name carries no time. The second and third belong to running tests. `current` is
    // made first, so this process's own sweep (at its first database) runs before the leftover
    // exists and the call under test is the one that meets it.
    let current = TestDatabase::empty("current");
    let mut admin = admin();
    let made = SystemTime::now() - test_support::LEFTOVER_AGE - Duration::from_secs(60);
    let made = made.duration_since(UNIX_EPOCH).unwrap();
    let old_id = uuid::Uuid::new_v7(uuid::Timestamp::from_unix(
        uuid::NoContext,
        made.as_secs(),
        made.subsec_nanos(),
    ));
    let leftover = format!("test_leftover_{}", old_id.simple());
    let untimed = format!("test_untimed_{}", uuid::Uuid::new_v4().simple());
    for name in [&leftover, &untimed] {
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
    }

    // Act
    test_support::drop_leftovers(&mut admin, SystemTime::now());

    // Assert
    let left = [&leftover, &untimed, &current.name().to_owned()]
        .map(|name| database_exists(&mut admin, name));
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {untimed} WITH (FORCE)"))
        .unwrap();
    assert_eq!(left, [false, true, true], "leftover, untimed, current");
}

fn migrations_dir(files: &[(&str, &str)]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("migrations-{}", uuid::Uuid::new_v4().simple()));
    for (name, sql) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(&path).unwrap();
        std::fs::write(path.join("up.sql"), sql).unwrap();
        std::fs::write(path.join("down.sql"), "SELECT 1;").unwrap();
    }
    dir
}

#[test]
fn a_failing_migration_rolls_back_the_whole_run_and_names_itself() {
    let db = TestDatabase::empty("atomic");
    let dir = migrations_dir(&[
        (
            "2026-01-01-000001_good",
            "CREATE TABLE first_table (id INT);",
        ),
        (
            "2026-01-01-000002_broken",
            "CREATE TABLE second_table (id INT); SELECT no_such_column FROM first_table;",
        ),
    ]);
    let source = FileBasedMigrations::from_path(&dir).unwrap();

    let error = store::run_pending(&mut db.connect(), source).unwrap_err();

    let MigrateError::Failed { name, reason } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(name, "2026-01-01-000002_broken");
    assert!(reason.contains("no_such_column"), "{reason}");
    let mut conn = db.connect();
    assert!(
        conn.batch_execute("SELECT * FROM first_table").is_err(),
        "the good migration was rolled back too"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn status_and_the_schema_check_report_pending_migrations_until_migrated() {
    let db = TestDatabase::empty("status");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let pool = db.pool();

    let before = store::status(&mut db.connect(), Database::RateCache).unwrap();
    let check = runtime.block_on(store::check_schema_current(&pool, Database::RateCache));

    assert!(before.applied.is_empty());
    assert_eq!(before.pending, Database::RateCache.versions());
    let reason = check.unwrap_err();
    assert!(reason.contains("run `migration`"), "{reason}");

    store::migrate(db.url(), Database::RateCache).unwrap();
    assert!(
        store::status(&mut db.connect(), Database::RateCache)
            .unwrap()
            .pending
            .is_empty()
    );
    assert_eq!(
        runtime.block_on(store::check_schema_current(&pool, Database::RateCache)),
        Ok(())
    );
}

#[tokio::test]
async fn an_unreachable_database_is_reported_as_unavailable_not_as_a_query_error() {
    let pool = store::lazy_pool(
        "postgres://postgres@127.0.0.1:1/nowhere",
        PoolOptions {
            max_size: 1,
            connection_timeout: Duration::from_millis(300),
            ..PoolOptions::default()
        },
    );

    let error = store::run(&pool, |conn| conn.batch_execute("SELECT 1"))
        .await
        .unwrap_err();

    assert!(error.is_unavailable(), "{error:?}");
}

#[tokio::test]
async fn run_executes_diesel_calls_off_the_async_threads() {
    let db = TestDatabase::migrated(Database::Read);
    let pool = db.pool();
    insert_orders(&db, 2);

    let count: i64 = store::run(&pool, |conn| buy_orders::table.count().get_result(conn))
        .await
        .unwrap();

    assert_eq!(count, 2);
}

#[derive(diesel::QueryableByName)]
struct Recorded {
    #[diesel(sql_type = diesel::sql_types::Text)]
    version: String,
}

/// The versions in the bookkeeping table, as stored.
fn recorded_versions(db: &TestDatabase) -> Vec<String> {
    diesel::sql_query(
        "SELECT version::text AS version FROM __diesel_schema_migrations ORDER BY version",
    )
    .load::<Recorded>(&mut db.connect())
    .unwrap()
    .into_iter()
    .map(|row| row.version)
    .collect()
}

/// Names (`version_title`) of `database`'s embedded migrations, oldest first.
fn embedded_names(database: Database) -> Vec<String> {
    use diesel::migration::MigrationSource;
    let mut names: Vec<String> =
        MigrationSource::<diesel::pg::Pg>::migrations(database.migrations())
            .unwrap()
            .iter()
            .map(|m| m.name().to_string())
            .collect();
    names.sort();
    names
}

/// `database`'s first migration as releases before the renaming named it
/// (`2026-11-22-000001_<title>`), alone in a temporary folder.
fn legacy_first_migration(database: Database) -> std::path::PathBuf {
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(database.name());
    let first = embedded_names(database).remove(0);
    let up = std::fs::read_to_string(folder.join(&first).join("up.sql")).unwrap();
    let (_, title) = first.split_once('_').unwrap();
    migrations_dir(&[(&format!("2026-11-22-000001_{title}"), &up)])
}

#[test]
fn a_database_that_recorded_an_old_version_gets_the_new_one_without_running_it_again() {
    let renamed = Database::ALL
        .into_iter()
        .filter(|d| !d.renamed_versions().is_empty());
    for database in renamed {
        // Arrange: the first migration applied by an older release, under the old version.
        let db = TestDatabase::empty("legacy");
        let dir = legacy_first_migration(database);
        store::run_pending(
            &mut db.connect(),
            FileBasedMigrations::from_path(&dir).unwrap(),
        )
        .unwrap();
        assert_eq!(recorded_versions(&db), ["20261122000001"], "{database:?}");
        let versions = database.versions();
        let before = store::status(&mut db.connect(), database).unwrap();
        assert_eq!(
            before.pending,
            versions[1..],
            "{database:?}: read as applied"
        );

        // Act
        let applied = store::migrate(db.url(), database).unwrap();
        let again = store::migrate(db.url(), database).unwrap();

        // Assert: the first migration was not run again (it would fail on its own tables),
        // the later ones ran, and only the new versions are recorded.
        assert_eq!(applied, embedded_names(database)[1..], "{database:?}");
        assert!(again.is_empty(), "{database:?}: {again:?}");
        assert_eq!(recorded_versions(&db), versions, "{database:?}");
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[test]
fn a_fresh_database_of_each_kind_applies_every_migration_under_its_own_versions() {
    for database in Database::ALL {
        let db = TestDatabase::empty("fresh");

        let applied = store::migrate(db.url(), database).unwrap();

        assert_eq!(applied, embedded_names(database), "{database:?}");
        assert_eq!(recorded_versions(&db), database.versions(), "{database:?}");
        let status = store::status(&mut db.connect(), database).unwrap();
        assert!(status.pending.is_empty(), "{database:?}: {status:?}");
    }
}
