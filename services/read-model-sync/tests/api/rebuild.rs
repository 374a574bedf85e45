//! The rebuild path: the read model refilled from the write model's outbox.

use crate::helpers::*;
use chrono::{Duration as ChronoDuration, Utc};
use diesel::{ExpressionMethods, RunQueryDsl, connection::SimpleConnection};
use read_model_sync::{config::Config, rebuild};
use store::{Database, schema::write::outbox};
use test_support::TestDatabase;

fn insert_outbox(
    conn: &mut diesel::PgConnection,
    event: &messaging::Envelope<domain::BuyOrderCreated>,
    payload: serde_json::Value,
) {
    diesel::insert_into(outbox::table)
        .values((
            outbox::event_id.eq(event.event_id),
            outbox::event_type.eq(&event.event_type),
            outbox::aggregate_id.eq(event.data.id),
            outbox::payload.eq(payload),
            outbox::correlation_id.eq(&event.correlation_id),
        ))
        .execute(conn)
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn rebuild_after_truncating_the_read_model_restores_every_order_exactly_once() {
    let write = TestDatabase::migrated(Database::Write);
    let read = TestDatabase::migrated(Database::Read);
    let mut write_conn = write.connect();
    let start = Utc::now() - ChronoDuration::hours(1);
    let events: Vec<_> = (0..2500)
        .map(|i| order_event(start + ChronoDuration::milliseconds(i / 3)))
        .collect();
    for event in &events {
        insert_outbox(&mut write_conn, event, serde_json::to_value(event).unwrap());
    }
    // The same order under a second event id, and a row that can never be applied.
    let mut again = events[7].clone();
    again.event_id = uuid::Uuid::now_v7();
    insert_outbox(
        &mut write_conn,
        &again,
        serde_json::to_value(&again).unwrap(),
    );
    let broken = order_event(Utc::now());
    insert_outbox(
        &mut write_conn,
        &broken,
        serde_json::json!({"not": "an envelope"}),
    );
    write_conn
        .batch_execute("UPDATE outbox SET published_at = now() WHERE id % 2 = 0")
        .unwrap();
    let config = Config::from_vars([
        ("WRITE_DATABASE_URL".to_owned(), write.url().to_owned()),
        ("READ_DATABASE_URL".to_owned(), read.url().to_owned()),
    ])
    .unwrap();
    let mut read_conn = read.connect();
    rebuild::run(&config).await.unwrap();
    read_conn.batch_execute("TRUNCATE buy_orders").unwrap();

    let report = rebuild::run(&config).await.unwrap();

    assert_eq!(
        report,
        rebuild::RebuildReport {
            scanned: 2502,
            inserted: 2500,
            invalid: 1
        }
    );
    let mut expected: Vec<_> = events.iter().map(|e| e.data.id).collect();
    expected.sort();
    assert_eq!(ids(&mut read_conn), expected);
}

#[tokio::test(flavor = "multi_thread")]
async fn rebuild_over_a_partly_filled_read_model_adds_only_the_missing_orders() {
    let write = TestDatabase::migrated(Database::Write);
    let read = TestDatabase::migrated(Database::Read);
    let events: Vec<_> = (0..10).map(|_| order_event(Utc::now())).collect();
    let mut write_conn = write.connect();
    for event in &events {
        insert_outbox(&mut write_conn, event, serde_json::to_value(event).unwrap());
    }
    let (write_pool, read_pool) = (write.pool(), read.pool());
    rebuild::rebuild(&write_pool, &read_pool, 3).await.unwrap();
    let mut read_conn = read.connect();
    read_conn
        .batch_execute(&format!(
            "DELETE FROM buy_orders WHERE id IN ('{}', '{}')",
            events[2].data.id, events[9].data.id
        ))
        .unwrap();

    let report = rebuild::rebuild(&write_pool, &read_pool, 3).await.unwrap();

    assert_eq!(
        report,
        rebuild::RebuildReport {
            scanned: 10,
            inserted: 2,
            invalid: 0
        }
    );
    assert_eq!(row_count(&mut read_conn), 10);
}
