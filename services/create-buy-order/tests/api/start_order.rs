//! No start order loses an order: events relayed while read-model-sync has never run wait in
//! its queue, which create-buy-order declares too.

use crate::helpers::{Prices, READ_MODEL_QUEUE_EXPIRES_MS, Wiring, spawn_instance};
use std::time::Duration;
use store::Database;
use test_support::{TestDatabase, eventually};
use tokio_util::sync::CancellationToken;

#[tokio::test]
async fn orders_placed_before_read_model_sync_ever_started_reach_the_read_model_once_it_starts() {
    let prices = Prices::start("38123.45").await;
    let wiring = Wiring::fresh(&prices.url);
    let app = spawn_instance(&wiring).await;
    for i in 0..5 {
        assert_eq!(
            app.put_order(&format!("early-{i}"), "EUR", "10.00")
                .await
                .status(),
            201
        );
    }
    // Relayed and confirmed while no consumer has ever declared anything.
    eventually(
        "all five events confirmed",
        Duration::from_secs(20),
        || async { (app.count("outbox WHERE published_at IS NOT NULL") == 5).then_some(()) },
    )
    .await;

    let read = TestDatabase::migrated(Database::Read);
    let shutdown = CancellationToken::new();
    let vars = [
        ("HTTP_PORT", "0".to_owned()),
        ("READ_DATABASE_URL", read.url().to_owned()),
        ("AMQP_URL", wiring.amqp_url.clone()),
        ("BUY_ORDERS_EXCHANGE", wiring.exchange.clone()),
        ("READ_MODEL_QUEUE", wiring.read_model_queue.clone()),
        (
            "READ_MODEL_QUEUE_EXPIRES_MS",
            READ_MODEL_QUEUE_EXPIRES_MS.to_string(),
        ),
    ];
    let config =
        read_model_sync::config::Config::from_vars(vars.map(|(k, v)| (k.to_owned(), v))).unwrap();
    let sync = read_model_sync::startup::Application::build(config, shutdown.clone())
        .await
        .unwrap();
    let running = tokio::spawn(sync.run_until_stopped());

    eventually(
        "five orders in the read model",
        Duration::from_secs(30),
        || async {
            let mut conn = read.connect();
            let rows: i64 = diesel::RunQueryDsl::get_result(
                diesel::QueryDsl::count(store::schema::read::buy_orders::table),
                &mut conn,
            )
            .unwrap();
            (rows == 5).then_some(())
        },
    )
    .await;
    shutdown.cancel();
    running.await.unwrap().unwrap();
    let connection = messaging::connect(&wiring.amqp_url, "cleanup")
        .await
        .unwrap();
    let channel = connection.create_channel().await.unwrap();
    let _ = messaging::orders_topology(&wiring.exchange, &wiring.read_model_queue, None)
        .delete(&channel)
        .await;
}

#[tokio::test]
async fn an_event_returned_because_its_queue_was_deleted_stays_pending_until_the_queue_is_back() {
    let prices = Prices::start("38123.45").await;
    let wiring = Wiring::fresh(&prices.url);
    let app = spawn_instance(&wiring).await;
    assert_eq!(app.put_order("before", "EUR", "10.00").await.status(), 201);
    eventually(
        "the first event confirmed",
        Duration::from_secs(20),
        || async { (app.count("outbox WHERE state = 'published'") == 1).then_some(()) },
    )
    .await;
    let connection = messaging::connect(&wiring.amqp_url, "saboteur")
        .await
        .unwrap();
    let channel = connection.create_channel().await.unwrap();
    channel
        .queue_delete(wiring.read_model_queue.as_str().into(), Default::default())
        .await
        .unwrap();

    assert_eq!(app.put_order("after", "EUR", "10.00").await.status(), 201);

    // Returned, so not marked; the relay declares its topology again and the next try lands.
    eventually(
        "the second event confirmed",
        Duration::from_secs(20),
        || async { (app.count("outbox WHERE state = 'published'") == 2).then_some(()) },
    )
    .await;
    let passive = messaging::lapin::options::QueueDeclareOptions {
        passive: true,
        ..Default::default()
    };
    let queue = channel
        .queue_declare(
            wiring.read_model_queue.as_str().into(),
            passive,
            messaging::lapin::types::FieldTable::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        queue.message_count(),
        1,
        "only the event published after the queue came back"
    );
    assert!(app.metric("outbox_relay_failed_rounds_total").await >= 1.0);
    let _ = messaging::orders_topology(&wiring.exchange, &wiring.read_model_queue, None)
        .delete(&channel)
        .await;
}
