//! Block mode (`SEQUENCE_BLOCK_SIZE` > 1): uniqueness across replicas, order, both wraps,
//! restarts, outages and the rules that keep the two modes apart.

use crate::helpers::{TestApp, spawn_app_on, spawn_app_with, spawn_block_app};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;
use store::Database;
use test_support::{TestDatabase, eventually};

const MAX: i64 = i64::MAX;

fn fresh() -> Arc<TestDatabase> {
    Arc::new(TestDatabase::migrated(Database::Sequence))
}

async fn metric(app: &TestApp, line_start: &str) -> f64 {
    let text = app.get("/metrics").await.text().await.unwrap();
    text.lines()
        .find(|line| line.starts_with(line_start))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|value| value.parse().ok())
        .unwrap_or(0.0)
}

fn assert_ordered(batch: &[i64], ascending: bool) {
    let ordered = batch
        .windows(2)
        .all(|w| if ascending { w[0] < w[1] } else { w[0] > w[1] });
    assert!(ordered, "batch out of order: {batch:?}");
}

async fn concurrent_batches(direction: &'static str, ascending: bool) {
    const CLIENTS: usize = 24;
    const BATCHES: usize = 50;
    let database = fresh();
    let first = spawn_block_app(database.clone(), 1000).await;
    let second = spawn_block_app(database, 1000).await;
    let replicas = [&first, &second];
    let clients = (0..CLIENTS).map(|client| {
        let app = replicas[client % 2];
        async move {
            let mut batches = Vec::new();
            for _ in 0..BATCHES {
                batches.push(app.batch(direction, 100).await);
            }
            batches
        }
    });
    let batches: Vec<Vec<i64>> = futures::future::join_all(clients)
        .await
        .into_iter()
        .flatten()
        .collect();
    assert_eq!(batches.len(), 1200);
    let mut seen = HashSet::new();
    for batch in &batches {
        assert_eq!(batch.len(), 100);
        assert_ordered(batch, ascending);
        for number in batch {
            assert!(seen.insert(*number), "duplicate number {number}");
        }
    }
    assert_eq!(seen.len(), 120_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twelve_hundred_concurrent_forward_batches_on_two_block_replicas_are_unique_and_ordered() {
    concurrent_batches("forward", true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twelve_hundred_concurrent_reverse_batches_on_two_block_replicas_are_unique_and_ordered() {
    concurrent_batches("reverse", false).await;
}

/// Moves `direction`'s block sequence so the next block reserved is the one holding the end
/// of the range: with blocks of 1000 (which does not divide 2^63-1) it straddles the wrap.
fn next_block_straddles_the_end(app: &TestApp, direction: &str) {
    let last_block = MAX / 1000; // covers positions up to 2^63-1 - 1 and past it
    app.set_sequence(&format!("{direction}_block_sequence"), last_block - 1);
}

#[tokio::test]
async fn a_forward_block_that_straddles_the_end_wraps_to_one() {
    let app = spawn_block_app(fresh(), 1000).await;
    next_block_straddles_the_end(&app, "forward");
    let first = app.batch("forward", 800).await;
    assert_eq!(first[0], (MAX / 1000) * 1000 + 1);
    let across = app.batch("forward", 100).await;
    let expected: Vec<i64> = (MAX - 6..=MAX).chain(1..=93).collect();
    assert_eq!(across, expected);
    assert_eq!(app.get("/v1/forward").await.text().await.unwrap(), "94");
}

#[tokio::test]
async fn a_reverse_block_that_straddles_the_end_wraps_to_the_maximum() {
    let app = spawn_block_app(fresh(), 1000).await;
    next_block_straddles_the_end(&app, "reverse");
    let first = app.batch("reverse", 800).await;
    assert_eq!(first[0], MAX - (MAX / 1000) * 1000);
    let across = app.batch("reverse", 100).await;
    let expected: Vec<i64> = (1..=7).rev().chain((MAX - 92..=MAX).rev()).collect();
    assert_eq!(across, expected);
    assert_eq!(
        app.get("/v1/reverse").await.text().await.unwrap(),
        (MAX - 93).to_string()
    );
}

#[tokio::test]
async fn a_block_size_that_divides_the_range_ends_exactly_at_the_maximum() {
    // 2^63-1 = 7^2 · 73 · 127 · 337 · 92737 · 649657, so blocks of 7 tile it exactly.
    let app = spawn_block_app(fresh(), 7).await;
    app.set_sequence("forward_block_sequence", MAX / 7 - 2);
    let numbers = app.batch("forward", 10).await;
    let expected: Vec<i64> = (MAX - 6..=MAX).chain(1..=3).collect();
    assert_eq!(numbers, expected);
}

#[tokio::test]
async fn a_replica_restarted_mid_block_never_repeats_a_number() {
    let database = fresh();
    let before = {
        let app = spawn_block_app(database.clone(), 1000).await;
        app.batch("forward", 10).await
    };
    let app = spawn_block_app(database, 1000).await;
    let after = app.batch("forward", 10).await;
    assert!(
        after[0] > *before.last().unwrap(),
        "{before:?} then {after:?}"
    );
    // The rest of the first replica's block is a gap, never handed out.
    assert!(after[0] > 1000, "{after:?}");
}

#[tokio::test]
async fn with_the_database_down_numbers_flow_until_the_blocks_run_out_then_503_then_recovery() {
    let database = fresh();
    let proxy = test_support::TcpProxy::start(&test_support::database_address());
    let url = test_support::via_port(database.url(), proxy.port());
    let app = spawn_app_with(
        database,
        &url,
        &[
            ("SEQUENCE_BLOCK_SIZE", "1000"),
            ("SEQUENCE_MAX_COUNT", "1000"),
        ],
    )
    .await;
    let mut seen: HashSet<i64> = app.batch("forward", 200).await.into_iter().collect();
    eventually(
        "the next block reserved",
        Duration::from_secs(10),
        || async {
            (metric(&app, "sequence_blocks_fetched_total{direction=\"forward\"}").await >= 2.0)
                .then_some(())
        },
    )
    .await;

    proxy.cut();
    let mut served_while_down = 0;
    let status = loop {
        let response = app.get("/v2/forward?count=100").await;
        if response.status() != 200 {
            break response;
        }
        let batch: Vec<i64> = response.json().await.unwrap();
        served_while_down += batch.len();
        seen.extend(batch);
    };
    assert_eq!(
        served_while_down, 1800,
        "both blocks serve while the database is down"
    );
    assert_eq!(status.status(), 503);
    let body: serde_json::Value = status.json().await.unwrap();
    assert_eq!(body["error"]["code"], "database_unavailable");

    proxy.restore();
    let after = eventually("draws recover", Duration::from_secs(20), || async {
        let response = app.get("/v2/forward?count=100").await;
        if response.status() == 200 {
            response.json::<Vec<i64>>().await.ok()
        } else {
            None
        }
    })
    .await;
    for number in after {
        assert!(seen.insert(number), "repeated {number} after the outage");
    }
}

#[tokio::test]
async fn metrics_count_blocks_fetched_and_numbers_served() {
    let app = spawn_block_app(fresh(), 50).await;
    app.batch("reverse", 100).await;
    let served = metric(
        &app,
        "sequence_numbers_dispensed_total{direction=\"reverse\"}",
    )
    .await;
    assert_eq!(served, 100.0);
    let fetched = metric(&app, "sequence_blocks_fetched_total{direction=\"reverse\"}").await;
    assert!(
        fetched >= 2.0,
        "a batch of 100 needs two blocks of 50, got {fetched}"
    );
}

#[tokio::test]
async fn block_mode_starts_past_what_one_number_mode_handed_out() {
    let database = fresh();
    let plain = spawn_app_on(database.clone()).await;
    let forward = plain.batch("forward", 5).await;
    let reverse = plain.batch("reverse", 5).await;
    let blocks = spawn_block_app(database, 100).await;
    assert_eq!(blocks.batch("forward", 3).await, vec![6, 7, 8]);
    assert_eq!(
        blocks.batch("reverse", 3).await,
        vec![MAX - 5, MAX - 6, MAX - 7]
    );
    assert_eq!(forward, vec![1, 2, 3, 4, 5]);
    assert_eq!(reverse[4], MAX - 4);
}

#[tokio::test]
async fn replicas_that_disagree_with_the_database_mode_are_kept_out() {
    let database = fresh();
    let blocks = spawn_block_app(database.clone(), 100).await;
    blocks.batch("forward", 1).await;

    let other_size = spawn_block_app(database.clone(), 200).await;
    let response = other_size.get("/v2/forward?count=1").await;
    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "block_size_mismatch");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("SEQUENCE_BLOCK_SIZE"),
        "{body}"
    );

    let plain = spawn_app_on(database).await;
    let ready = plain.get("/health/ready").await;
    assert_eq!(ready.status(), 503);
    let text = ready.text().await.unwrap();
    assert!(text.contains("SEQUENCE_BLOCK_SIZE=100"), "{text}");
}
