use crate::helpers::{spawn_app, spawn_app_on};
use std::collections::HashSet;

const CLIENTS: usize = 16;
const BATCHES_PER_CLIENT: usize = 10;

async fn draw_concurrently(direction: &'static str) -> Vec<Vec<i64>> {
    let first = spawn_app().await;
    let second = spawn_app_on(first.database.clone()).await;
    let replicas = [&first, &second];
    let clients = (0..CLIENTS).map(|client| {
        let app = replicas[client % 2];
        async move {
            let mut batches = Vec::new();
            for _ in 0..BATCHES_PER_CLIENT {
                batches.push(app.batch(direction, 100).await);
            }
            batches
        }
    });
    futures::future::join_all(clients)
        .await
        .into_iter()
        .flatten()
        .collect()
}

fn assert_unique_and_ordered(batches: &[Vec<i64>], ascending: bool) {
    let mut seen = HashSet::new();
    for batch in batches {
        assert_eq!(batch.len(), 100);
        let ordered = batch
            .windows(2)
            .all(|w| if ascending { w[0] < w[1] } else { w[0] > w[1] });
        assert!(ordered, "batch out of order: {batch:?}");
        for number in batch {
            assert!(seen.insert(*number), "duplicate number {number}");
        }
    }
    assert_eq!(seen.len(), CLIENTS * BATCHES_PER_CLIENT * 100);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_clients_on_two_replicas_get_no_duplicates_and_ordered_forward_batches() {
    let batches = draw_concurrently("forward").await;
    assert_unique_and_ordered(&batches, true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_clients_on_two_replicas_get_no_duplicates_and_ordered_reverse_batches() {
    let batches = draw_concurrently("reverse").await;
    assert_unique_and_ordered(&batches, false);
}
