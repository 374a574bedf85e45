//! Applying migrations: fresh, again, concurrently, and a failing one.

use crate::helpers::{Targets, count, run, run_at_once, table_exists};
use diesel::connection::SimpleConnection;
use migration::runner::migrate_all;
use store::Database;
use test_support::TestDatabase;

#[test]
fn fresh_databases_are_created_and_get_every_migration() {
    let targets = Targets::not_created();

    let output = run(&targets.env());

    assert!(
        output.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    for (database, db) in &targets.databases {
        let status = store::status(&mut db.connect(), *database).unwrap();
        assert_eq!(status.applied, database.versions(), "{database:?}");
        assert!(status.pending.is_empty(), "{database:?}");
    }
    assert!(table_exists(
        &mut targets.get(Database::Write).connect(),
        "outbox"
    ));
}

#[test]
fn a_second_run_applies_nothing_and_changes_nothing() {
    let targets = Targets::not_created();
    let first = migrate_all(&targets.urls());
    assert!(
        first
            .iter()
            .all(|o| o.error.is_none() && !o.applied.is_empty()),
        "{first:?}"
    );
    let mut write = targets.get(Database::Write).connect();
    write
        .batch_execute("UPDATE btc_cap SET total_btc = 1")
        .unwrap();

    let second = migrate_all(&targets.urls());

    assert!(
        second
            .iter()
            .all(|o| o.error.is_none() && o.applied.is_empty()),
        "{second:?}"
    );
    assert_eq!(
        count(
            &mut write,
            "SELECT count(*) AS n FROM __diesel_schema_migrations"
        ) as usize,
        Database::Write.versions().len()
    );
    assert_eq!(
        count(
            &mut write,
            "SELECT count(*) AS n FROM btc_cap WHERE total_btc = 1"
        ),
        1,
        "data survived"
    );
}

#[test]
fn two_runs_at_once_both_succeed_and_apply_each_migration_once() {
    let targets = Targets::not_created();
    let env = targets.env();

    run_at_once(&env, 2);
    for (database, db) in &targets.databases {
        let applied = count(
            &mut db.connect(),
            "SELECT count(*) AS n FROM __diesel_schema_migrations",
        );
        assert_eq!(applied as usize, database.versions().len(), "{database:?}");
    }
}

#[test]
fn concurrent_first_runs_on_brand_new_databases_both_succeed() {
    let targets = Targets::not_created();
    let env = targets.env();

    run_at_once(&env, 3);
    let status = store::status(&mut targets.get(Database::Read).connect(), Database::Read).unwrap();
    assert!(status.pending.is_empty());
}

#[test]
fn a_failing_migration_exits_non_zero_names_itself_and_leaves_the_database_as_it_was() {
    let targets = Targets::not_created();
    // The write model's first migration creates buy_orders, btc_cap, then outbox: an existing
    // `outbox` makes it fail after the first two tables were created in its transaction.
    let write = TestDatabase::empty("write_broken");
    write
        .connect()
        .batch_execute("CREATE TABLE outbox (something INT)")
        .unwrap();
    let mut env = targets.env();
    env.retain(|(name, _)| name != "WRITE_DATABASE_URL");
    env.push(("WRITE_DATABASE_URL".into(), write.url().to_owned()));

    let output = run(&env);

    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("2026-11-22-000010_create_buy_orders"),
        "stderr: {stderr}"
    );
    assert!(
        stderr.contains("outbox"),
        "the database error is shown: {stderr}"
    );
    let mut conn = write.connect();
    assert!(!table_exists(&mut conn, "buy_orders"), "rolled back");
    assert!(
        !table_exists(&mut conn, "__diesel_schema_migrations"),
        "no bookkeeping left"
    );
    assert!(
        table_exists(&mut conn, "outbox"),
        "what was there is untouched"
    );
    // The other databases were still migrated.
    let status = store::status(
        &mut targets.get(Database::Sequence).connect(),
        Database::Sequence,
    )
    .unwrap();
    assert!(status.pending.is_empty());
}

#[test]
fn a_malformed_database_url_stops_the_run_naming_the_variable() {
    let env = vec![("SEQUENCE_DATABASE_URL".to_owned(), "not-a-url".to_owned())];

    let output = run(&env);

    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("SEQUENCE_DATABASE_URL"), "stderr: {stderr}");
}
