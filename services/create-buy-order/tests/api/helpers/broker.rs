//! The test's side of the broker: a queue bound to the test's exchange, and what arrives in it.

use futures::StreamExt;
use messaging::{
    QueueSpec, Topology,
    lapin::{options::BasicConsumeOptions, types::FieldTable},
};
use serde_json::Value;
use std::{collections::HashMap, time::Duration};

/// A queue bound to `exchange` for `buy_order.created`, deleted by the broker when unused.
pub async fn bind_queue(
    exchange: &str,
) -> (
    messaging::lapin::Connection,
    messaging::lapin::Channel,
    String,
) {
    let connection = messaging::connect(&test_support::amqp_url(), "create-buy-order-test")
        .await
        .unwrap();
    let channel = connection.create_channel().await.unwrap();
    let queue = test_support::unique_name("orders");
    let spec = QueueSpec::new(&queue)
        .bind(exchange, domain::BUY_ORDER_CREATED)
        .expires_after_ms(120_000);
    Topology::new()
        .topic_exchange(exchange)
        .queue(spec)
        .declare(&channel)
        .await
        .unwrap();
    (connection, channel, queue)
}

/// A received event: routing key, properties and body.
pub struct Received {
    pub routing_key: String,
    pub message_id: Option<String>,
    pub kind: Option<String>,
    pub correlation_id: Option<String>,
    pub persistent: bool,
    pub body: Value,
}

/// Consumes from `queue` until `expected` distinct order ids were seen (or panics after `timeout`),
/// then keeps listening 300 ms for extra copies; every message, in arrival order.
pub async fn collect_events(
    channel: &messaging::lapin::Channel,
    queue: &str,
    expected: usize,
    timeout: Duration,
) -> Vec<Received> {
    let mut consumer = channel
        .basic_consume(
            queue.into(),
            "".into(),
            BasicConsumeOptions {
                no_ack: true,
                ..Default::default()
            },
            FieldTable::default(),
        )
        .await
        .unwrap();
    let mut received = Vec::new();
    let mut orders: HashMap<String, usize> = HashMap::new();
    let deadline = tokio::time::Instant::now() + timeout;
    let mut grace = None;
    loop {
        let until = grace.unwrap_or(deadline);
        match tokio::time::timeout_at(until, consumer.next()).await {
            Ok(Some(Ok(delivery))) => {
                let body: Value = serde_json::from_slice(&delivery.data).unwrap();
                *orders
                    .entry(body["data"]["id"].as_str().unwrap().to_owned())
                    .or_default() += 1;
                let props = &delivery.properties;
                received.push(Received {
                    routing_key: delivery.routing_key.to_string(),
                    message_id: props.message_id().as_ref().map(ToString::to_string),
                    kind: props.kind().as_ref().map(ToString::to_string),
                    correlation_id: props.correlation_id().as_ref().map(ToString::to_string),
                    persistent: *props.delivery_mode() == Some(2),
                    body,
                });
                if orders.len() >= expected && grace.is_none() {
                    grace = Some(tokio::time::Instant::now() + Duration::from_millis(300));
                }
            }
            Ok(other) => panic!("consumer ended: {:?}", other.map(|r| r.err())),
            Err(_) if grace.is_some() => return received,
            Err(_) => panic!(
                "timed out with {} of {expected} orders' events",
                orders.len()
            ),
        }
    }
}

/// Deletes the test's exchange.
pub async fn delete_exchange(channel: &messaging::lapin::Channel, exchange: &str) {
    let _ = Topology::new()
        .topic_exchange(exchange)
        .delete(channel)
        .await;
}
