//! Applying events: one row per order, acks after commit, poison messages dead-lettered.

use crate::helpers::*;
use chrono::Utc;
use messaging::dead_letter_queue;
use std::time::Duration;
use test_support::eventually;

#[tokio::test(flavor = "multi_thread")]
async fn a_published_order_lands_in_the_read_model_and_is_counted_in_metrics() {
    let world = spawn_world().await;
    let event = order_event(Utc::now());

    publish(&world.publisher, &world.names, &event).await;

    wait_for_rows(&world.db, 1).await;
    let mut conn = world.db.connect();
    assert_eq!(ids(&mut conn), vec![event.data.id]);
    world
        .app
        .wait_for_metric("read_model_events_applied_total", 1.0)
        .await;
    let metrics = world.app.get("/metrics").await.text().await.unwrap();
    let lag = metric_value(&metrics, "read_model_lag_seconds").expect("lag gauge");
    assert!((0.0..30.0).contains(&lag), "lag {lag}");
    let last = metric_value(&metrics, "read_model_last_applied_created_at_seconds").unwrap();
    assert!(
        (last - event.data.created_at.timestamp() as f64).abs() < 1.0,
        "{last}"
    );
    delete_exchange(&world.names).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_event_delivered_twice_leaves_exactly_one_row() {
    let world = spawn_world().await;
    let event = order_event(Utc::now());

    publish(&world.publisher, &world.names, &event).await;
    publish(&world.publisher, &world.names, &event).await;

    world
        .app
        .wait_for_metric("read_model_events_duplicate_total", 1.0)
        .await;
    let mut conn = world.db.connect();
    assert_eq!(row_count(&mut conn), 1);
    assert_eq!(
        world.app.metric("read_model_events_applied_total").await,
        1.0
    );
    delete_exchange(&world.names).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_order_under_a_new_event_id_leaves_exactly_one_row() {
    let world = spawn_world().await;
    let first = order_event(Utc::now());
    let mut second = first.clone();
    second.event_id = uuid::Uuid::now_v7();

    publish(&world.publisher, &world.names, &first).await;
    publish(&world.publisher, &world.names, &second).await;

    world
        .app
        .wait_for_metric("read_model_events_duplicate_total", 1.0)
        .await;
    assert_eq!(row_count(&mut world.db.connect()), 1);
    delete_exchange(&world.names).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_garbage_message_goes_to_the_dead_letter_queue_and_the_next_good_one_is_applied() {
    let world = spawn_world().await;
    let good = order_event(Utc::now());

    publish_raw(&world.publisher, &world.names, b"\x00{not json at all").await;
    publish(&world.publisher, &world.names, &good).await;

    wait_for_rows(&world.db, 1).await;
    assert_eq!(ids(&mut world.db.connect()), vec![good.data.id]);
    let dead_letters = dead_letter_queue(&world.names.queue);
    eventually(
        "the garbage message in the dead-letter queue",
        Duration::from_secs(10),
        || {
            let queue = dead_letters.clone();
            async move { (ready_messages(&queue).await == 1).then_some(()) }
        },
    )
    .await;
    assert_eq!(
        world
            .app
            .metric("read_model_events_dead_lettered_total")
            .await,
        1.0
    );
    delete_exchange(&world.names).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_event_the_read_model_cannot_hold_exactly_is_dead_lettered_not_retried() {
    let world = spawn_world().await;
    let mut bad = order_event(Utc::now());
    bad.data.amount = "100.505".parse().unwrap();
    let good = order_event(Utc::now());

    publish(&world.publisher, &world.names, &bad).await;
    publish(&world.publisher, &world.names, &good).await;

    wait_for_rows(&world.db, 1).await;
    assert_eq!(ids(&mut world.db.connect()), vec![good.data.id]);
    world
        .app
        .wait_for_metric("read_model_events_dead_lettered_total", 1.0)
        .await;
    assert_eq!(
        world.app.metric("read_model_events_retried_total").await,
        0.0
    );
    delete_exchange(&world.names).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn many_events_are_each_applied_once() {
    let world = spawn_world().await;
    let events: Vec<_> = (0..200).map(|_| order_event(Utc::now())).collect();

    for event in &events {
        publish(&world.publisher, &world.names, event).await;
    }

    wait_for_rows(&world.db, 200).await;
    let mut expected: Vec<_> = events.iter().map(|e| e.data.id).collect();
    expected.sort();
    assert_eq!(ids(&mut world.db.connect()), expected);
    delete_exchange(&world.names).await;
}
