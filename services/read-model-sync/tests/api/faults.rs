//! Faults: a consumer killed before its ack, the broker connection dropped while events flow,
//! and the read database unreachable. All through `TcpProxy`; the shared servers keep running.

use crate::helpers::*;
use chrono::Utc;
use diesel::{PgConnection, RunQueryDsl, connection::SimpleConnection, sql_query};
use std::time::Duration;
use test_support::{TcpProxy, amqp_address, amqp_url, database_address, eventually, via_port};

#[derive(diesel::QueryableByName)]
struct Waiting {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    waiting: i64,
}

/// Backends of `database` waiting on a lock.
fn lock_waiters(conn: &mut PgConnection, database: &str) -> i64 {
    sql_query("SELECT count(*) AS waiting FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'")
        .bind::<diesel::sql_types::Text, _>(database)
        .get_result::<Waiting>(conn)
        .map(|row| row.waiting)
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn an_event_redelivered_after_the_consumer_was_killed_before_acking_leaves_exactly_one_row() {
    let db = test_support::TestDatabase::migrated(store::Database::Read);
    let names = Names::unique();
    let broker = TcpProxy::start(&amqp_address());
    let target = Target {
        amqp_url: via_port(&amqp_url(), broker.port()),
        ..Target::new(&names, db.url())
    };
    let first = spawn_app(target).await;
    let publisher = publisher(&names);
    // Hold inserts back so the handler is stuck between delivery and ack.
    let mut locker = db.connect();
    locker
        .batch_execute("BEGIN; LOCK TABLE buy_orders IN SHARE MODE")
        .unwrap();
    let event = order_event(Utc::now());

    publish(&publisher, &names, &event).await;
    let mut observer = db.connect();
    let name = db.name().to_owned();
    eventually(
        "the consumer blocked on its insert",
        Duration::from_secs(10),
        || {
            let blocked = lock_waiters(&mut observer, &name) > 0;
            async move { blocked.then_some(()) }
        },
    )
    .await;
    broker.cut(); // the consumer's connection dies with the delivery unacked
    first.shutdown.cancel();
    locker.batch_execute("COMMIT").unwrap(); // its insert commits; the ack cannot reach the broker
    first.stop().await;
    let second = spawn_app(Target::new(&names, db.url())).await;

    second
        .wait_for_metric("read_model_events_duplicate_total", 1.0)
        .await;
    assert_eq!(row_count(&mut db.connect()), 1);
    assert_eq!(second.metric("read_model_events_applied_total").await, 0.0);
    delete_exchange(&names).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn events_published_while_the_broker_connection_restarts_are_all_applied() {
    let db = test_support::TestDatabase::migrated(store::Database::Read);
    let names = Names::unique();
    let broker = TcpProxy::start(&amqp_address());
    let target = Target {
        amqp_url: via_port(&amqp_url(), broker.port()),
        ..Target::new(&names, db.url())
    };
    let app = spawn_app(target).await;
    let publisher = publisher(&names);
    let events: Vec<_> = (0..300).map(|_| order_event(Utc::now())).collect();

    for (i, event) in events.iter().enumerate() {
        publish(&publisher, &names, event).await;
        if i % 100 == 50 {
            broker.reset_connections();
        }
    }

    wait_for_rows(&db, 300).await;
    let mut expected: Vec<_> = events.iter().map(|e| e.data.id).collect();
    expected.sort();
    assert_eq!(ids(&mut db.connect()), expected);
    // A row is visible at commit, just before its handler counts it: wait for the count.
    app.wait_for_metric("read_model_events_applied_total", 300.0)
        .await;
    assert_eq!(app.metric("read_model_events_applied_total").await, 300.0);
    delete_exchange(&names).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn while_the_read_database_is_unreachable_messages_are_not_acked_then_applied_once_it_is_back()
 {
    let db = test_support::TestDatabase::migrated(store::Database::Read);
    let names = Names::unique();
    let database = TcpProxy::start(&database_address());
    let url = via_port(db.url(), database.port());
    let app = spawn_app(Target::new(&names, &url)).await;
    let publisher = publisher(&names);
    let events: Vec<_> = (0..5).map(|_| order_event(Utc::now())).collect();

    database.cut();
    for event in &events {
        publish(&publisher, &names, event).await;
    }
    app.wait_for_metric("read_model_events_retried_total", 3.0)
        .await;
    assert_eq!(row_count(&mut db.connect()), 0);
    let not_ready = app.get("/health/ready").await;
    assert_eq!(not_ready.status(), 503);
    database.restore();

    wait_for_rows(&db, 5).await;
    let mut expected: Vec<_> = events.iter().map(|e| e.data.id).collect();
    expected.sort();
    assert_eq!(ids(&mut db.connect()), expected);
    app.wait_for_metric("read_model_events_applied_total", 5.0)
        .await;
    assert_eq!(app.metric("read_model_events_duplicate_total").await, 0.0);
    delete_exchange(&names).await;
}
