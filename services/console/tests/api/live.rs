//! Live feeds: new orders from the console's own queue on the orders exchange, and a client's
//! events from its stream, both as Server-Sent Events, over the real RabbitMQ.

use crate::helpers::{next_event, spawn_console};
use futures::StreamExt;
use messaging::{Envelope, Publisher, QueueSpec, Topology};
use serde_json::{Value, json};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);

async fn open(url: &str) -> futures::stream::BoxStream<'static, reqwest::Result<bytes::Bytes>> {
    let response = reqwest::get(url).await.unwrap();
    assert_eq!(response.status(), 200, "{url}");
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    response.bytes_stream().boxed()
}

#[tokio::test]
async fn a_new_order_reaches_every_open_orders_stream() {
    let exchange = test_support::unique_name("console-orders");
    let console = spawn_console(&[("BUY_ORDERS_EXCHANGE", exchange.clone())]).await;
    let url = format!("{}/api/live/orders", console.address);
    let (mut first, mut second) = (open(&url).await, open(&url).await);

    let publisher = Publisher::new(
        &test_support::amqp_url(),
        "console-test",
        Topology::new().topic_exchange(&exchange),
    );
    let order = json!({"id": uuid::Uuid::new_v4(), "amount": "10.00", "currency": "EUR"});
    let message = Envelope::new(domain::BUY_ORDER_CREATED, order.clone(), None)
        .to_message(&exchange, domain::BUY_ORDER_CREATED)
        .unwrap();
    publisher.publish(&message).await.unwrap();

    for stream in [&mut first, &mut second] {
        let mut buffer = String::new();
        let data = next_event(stream, &mut buffer, "order", WAIT).await;
        let seen: Value = serde_json::from_str(&data).unwrap();
        assert_eq!(seen, order, "the envelope's data, as published");
    }
}

#[tokio::test]
async fn a_clients_events_arrive_from_its_stream_and_an_unknown_client_is_404() {
    let exchange = test_support::unique_name("console-events");
    let client = "watcher";
    let console = spawn_console(&[("EVENTS_EXCHANGE", exchange.clone())]).await;
    let url = format!("{}/api/live/events/{client}", console.address);

    let response = reqwest::get(&url).await.unwrap();
    assert_eq!(response.status(), 404);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unknown_client", "{body}");

    // The stream event-gateway declares when the client registers an event.
    let stream = format!("{exchange}.{client}");
    let topology = Topology::new()
        .topic_exchange(&exchange)
        .queue(QueueSpec::stream(&stream, "1h").bind(&exchange, &format!("{client}.*")));
    let publisher = Publisher::new(&test_support::amqp_url(), "console-test", topology.clone());
    publisher.declare_topology().await.unwrap();
    // An event from before the watch began is not shown: the stream is read from `next`.
    let old = Envelope::new("Fruits", json!({"fruit": "pear"}), None)
        .to_message(&exchange, &format!("{client}.Fruits"))
        .unwrap();
    publisher.publish(&old).await.unwrap();

    let mut events = open(&url).await;
    let new = Envelope::new("Fruits", json!({"fruit": "apple"}), None)
        .to_message(&exchange, &format!("{client}.Fruits"))
        .unwrap();
    publisher.publish(&new).await.unwrap();
    let mut buffer = String::new();
    let data = next_event(&mut events, &mut buffer, "event", WAIT).await;
    let seen: Value = serde_json::from_str(&data).unwrap();
    assert_eq!(seen["routing_key"], format!("{client}.Fruits"));
    assert_eq!(seen["event"]["data"]["fruit"], "apple", "{seen}");
    drop(events);

    let channel = publisher.channel().await.unwrap();
    topology.delete(&channel).await.unwrap();
}

#[tokio::test]
async fn streams_past_the_limit_are_refused_until_one_closes() {
    let console = spawn_console(&[
        ("CONSOLE_MAX_STREAMS", "1".to_owned()),
        ("CONSOLE_KEEPALIVE_SECS", "1".to_owned()),
    ])
    .await;
    let url = format!("{}/api/live/orders", console.address);
    let first = open(&url).await;
    let refused = reqwest::get(&url).await.unwrap();
    assert_eq!(refused.status(), 503);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "too_many_streams", "{body}");
    drop(first);
    // The slot comes back once the console notices the closed stream (a keepalive's write).
    test_support::eventually("a stream slot again", Duration::from_secs(40), || {
        let url = url.clone();
        async move {
            let response = reqwest::get(&url).await.ok()?;
            (response.status() == 200).then_some(())
        }
    })
    .await;
}
