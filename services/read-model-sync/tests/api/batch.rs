//! Group commit against the real read database: rows handed to the batcher together are
//! written by fewer statements than rows, and each row still gets its own answer.

use chrono::Utc;
use diesel::{QueryDsl, RunQueryDsl};
use futures::future::join_all;
use prometheus::IntCounter;
use read_model_sync::{
    apply::ReadOrder,
    batch::{Batcher, Written},
};
use rust_decimal::Decimal;
use store::{Database, schema::read::buy_orders};
use test_support::TestDatabase;
use uuid::Uuid;

fn order() -> ReadOrder {
    ReadOrder {
        id: Uuid::now_v7(),
        currency: "EUR".into(),
        amount: Decimal::new(1000, 2),
        exchange_rate: Decimal::new(3812345, 2),
        bitcoin_amount: Decimal::new(26231, 8),
        created_at: Utc::now(),
    }
}

/// On this test's single-threaded runtime every write is queued before the collecting task
/// first runs, so with room for them all the whole burst is one statement.
#[tokio::test]
async fn rows_handed_over_together_are_one_statement_with_an_answer_each() {
    let db = TestDatabase::migrated(Database::Read);
    let batches = IntCounter::new("test_batches_total", "batches").unwrap();
    let batcher = Batcher::start(db.pool(), 128, 1, batches.clone());
    let rows: Vec<ReadOrder> = (0..50).map(|_| order()).collect();
    let mut burst = rows.clone();
    burst.push(rows[7].clone()); // the same order twice in one batch

    let answers = join_all(burst.into_iter().map(|row| {
        let batcher = batcher.clone();
        async move { batcher.write(row).await }
    }))
    .await;

    let inserted = answers
        .iter()
        .filter(|a| matches!(a, Ok(Written::Inserted)))
        .count();
    let duplicates = answers
        .iter()
        .filter(|a| matches!(a, Ok(Written::Duplicate)))
        .count();
    assert_eq!((inserted, duplicates), (50, 1), "{answers:?}");
    assert_eq!(batches.get(), 1, "51 rows handed over together");
    let stored: i64 = buy_orders::table
        .count()
        .get_result(&mut db.connect())
        .unwrap();
    assert_eq!(stored, 50);
}

/// With room for only a few rows per batch, the burst is split but nothing is lost.
#[tokio::test]
async fn a_burst_larger_than_the_batch_is_split_and_every_row_written() {
    let db = TestDatabase::migrated(Database::Read);
    let batches = IntCounter::new("test_batches_total", "batches").unwrap();
    let batcher = Batcher::start(db.pool(), 8, 2, batches.clone());
    let answers = join_all((0..40).map(|_| {
        let batcher = batcher.clone();
        async move { batcher.write(order()).await }
    }))
    .await;

    assert!(
        answers.iter().all(|a| matches!(a, Ok(Written::Inserted))),
        "{answers:?}"
    );
    let written = batches.get();
    assert!(
        (5..40).contains(&written),
        "40 rows, at most 8 per statement, fewer statements than rows: {written}"
    );
    let stored: i64 = buy_orders::table
        .count()
        .get_result(&mut db.connect())
        .unwrap();
    assert_eq!(stored, 40);
}
