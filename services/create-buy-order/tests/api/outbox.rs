//! The outbox relay: events reach the exchange, once per order, even across broker outages
//! and with several replicas.

use crate::helpers::{
    Prices, Wiring, bind_queue, collect_events, delete_exchange, json_of, spawn_instance,
};
use std::{
    collections::{HashMap, HashSet},
    time::Duration,
};
use test_support::{TcpProxy, eventually};

#[tokio::test]
async fn an_order_is_published_with_its_envelope_and_properties_and_marked_published() {
    let prices = Prices::start("38123.45").await;
    let wiring = Wiring::fresh(&prices.url);
    let (_connection, channel, queue) = bind_queue(&wiring.exchange).await;
    let app = spawn_instance(&wiring).await;

    let response = app
        .client
        .put(format!("{}/buy_order", app.address))
        .header("Idempotency-Key", "evt-1")
        .header("X-Request-Id", "req-abc-123")
        .json(&serde_json::json!({"currency": "EUR", "amount": "100.50"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let order = json_of(response).await;

    let events = collect_events(&channel, &queue, 1, Duration::from_secs(20)).await;
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(event.routing_key, "buy_order.created");
    assert_eq!(event.kind.as_deref(), Some("buy_order.created"));
    assert_eq!(event.correlation_id.as_deref(), Some("req-abc-123"));
    assert!(event.persistent);
    assert_eq!(event.message_id.as_deref(), event.body["event_id"].as_str());
    assert_eq!(event.body["event_type"], "buy_order.created");
    assert_eq!(event.body["correlation_id"], "req-abc-123");
    let data: domain::BuyOrderCreated = serde_json::from_value(event.body["data"].clone()).unwrap();
    assert_eq!(
        serde_json::to_value(&data).unwrap(),
        order,
        "the event carries the order as answered"
    );
    eventually(
        "the outbox row to be marked published",
        Duration::from_secs(5),
        || async { (app.count("outbox WHERE published_at IS NOT NULL") == 1).then_some(()) },
    )
    .await;
    delete_exchange(&channel, &wiring.exchange).await;
}

/// Every order id has exactly one event id, and `expected` orders were seen.
fn assert_once_per_order(events: &[crate::helpers::Received], expected: usize) {
    let mut event_ids: HashMap<String, HashSet<String>> = HashMap::new();
    for event in events {
        let order = event.body["data"]["id"].as_str().unwrap().to_owned();
        event_ids
            .entry(order)
            .or_default()
            .insert(event.message_id.clone().unwrap());
    }
    assert_eq!(event_ids.len(), expected);
    assert!(
        event_ids.values().all(|ids| ids.len() == 1),
        "duplicates only as redeliveries of one event id"
    );
}

#[tokio::test]
async fn with_rabbitmq_unreachable_puts_succeed_and_every_event_is_published_once_it_is_back() {
    let prices = Prices::start("38123.45").await;
    let proxy = TcpProxy::start(&test_support::amqp_address());
    let mut wiring = Wiring::fresh(&prices.url);
    wiring.amqp_url = test_support::via_port(&wiring.amqp_url, proxy.port());
    let (_connection, channel, queue) = bind_queue(&wiring.exchange).await;
    proxy.cut();
    let app = spawn_instance(&wiring).await;

    for i in 0..10 {
        assert_eq!(
            app.put_order(&format!("down-{i}"), "EUR", "10.00")
                .await
                .status(),
            201
        );
    }
    assert_eq!(app.count("outbox WHERE published_at IS NULL"), 10);
    proxy.restore();
    let first = collect_events(&channel, &queue, 10, Duration::from_secs(30)).await;
    // A broker restart mid-run: connections drop, orders keep coming.
    proxy.reset_connections();
    for i in 10..15 {
        assert_eq!(
            app.put_order(&format!("down-{i}"), "EUR", "10.00")
                .await
                .status(),
            201
        );
    }
    let second = collect_events(&channel, &queue, 5, Duration::from_secs(30)).await;

    let all: Vec<_> = first.into_iter().chain(second).collect();
    assert_once_per_order(&all, 15);
    eventually(
        "every outbox row to be marked published",
        Duration::from_secs(10),
        || async { (app.count("outbox WHERE published_at IS NULL") == 0).then_some(()) },
    )
    .await;
    delete_exchange(&channel, &wiring.exchange).await;
}

#[tokio::test]
async fn two_relays_on_one_database_publish_every_event_exactly_once() {
    let prices = Prices::start("38123.45").await;
    let wiring = Wiring::fresh(&prices.url);
    let (_connection, channel, queue) = bind_queue(&wiring.exchange).await;
    let instances = [spawn_instance(&wiring).await, spawn_instance(&wiring).await];

    let puts = (0..60).map(|i| {
        let (app, key) = (&instances[i % 2], format!("two-{i}"));
        async move { app.put_order(&key, "GBP", "25.00").await }
    });
    let statuses: Vec<u16> = futures::future::join_all(puts)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();
    assert!(statuses.iter().all(|s| *s == 201), "{statuses:?}");

    let events = collect_events(&channel, &queue, 60, Duration::from_secs(30)).await;
    assert_eq!(
        events.len(),
        60,
        "no broker failure, so no duplicate at all"
    );
    assert_once_per_order(&events, 60);
    delete_exchange(&channel, &wiring.exchange).await;
}
