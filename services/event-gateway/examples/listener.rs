//! Prints every event of one stream as it arrives.
//!
//! `cargo run -p event-gateway --example listener -- [binding key]` (default `example.Fruits`;
//! `example.*` for every event of the client `example`, `#` for everything). Reads
//! `AMQP_URL` and `EVENTS_EXCHANGE` like the service. Stops on Ctrl-C.

use futures::StreamExt;
use messaging::{
    Topology,
    lapin::{
        options::{BasicAckOptions, BasicConsumeOptions, QueueBindOptions, QueueDeclareOptions},
        types::{AMQPValue, FieldTable},
    },
};

fn text(value: &AMQPValue) -> String {
    match value {
        AMQPValue::LongString(s) => s.to_string(),
        other => format!("{other:?}"),
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let key = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "example.Fruits".to_owned());
    let url = std::env::var("AMQP_URL")
        .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".to_owned());
    let exchange = std::env::var("EVENTS_EXCHANGE").unwrap_or_else(|_| "events".to_owned());

    let connection = messaging::connect(&url, "event-gateway-listener").await?;
    let channel = connection.create_channel().await?;
    Topology::new()
        .topic_exchange(&exchange)
        .declare(&channel)
        .await?;
    // A private queue that disappears with this listener.
    let options = QueueDeclareOptions {
        exclusive: true,
        auto_delete: true,
        ..QueueDeclareOptions::default()
    };
    let queue = channel
        .queue_declare("".into(), options, FieldTable::default())
        .await?;
    let queue_name = queue.name().clone();
    channel
        .queue_bind(
            queue_name.clone(),
            exchange.as_str().into(),
            key.as_str().into(),
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await?;
    let mut consumer = channel
        .basic_consume(
            queue_name,
            "listener".into(),
            BasicConsumeOptions::default(),
            FieldTable::default(),
        )
        .await?;
    println!("listening on exchange '{exchange}' with binding key '{key}' (Ctrl-C to stop)");
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => break,
            delivery = consumer.next() => {
                let Some(delivery) = delivery else { break };
                let delivery = delivery?;
                let properties = &delivery.properties;
                let headers = properties.headers().as_ref().map(|h| {
                    h.inner().iter().map(|(k, v)| format!("{k}={}", text(v))).collect::<Vec<_>>().join(" ")
                });
                println!(
                    "{} id={} {} {}",
                    delivery.routing_key,
                    properties.message_id().as_ref().map(ToString::to_string).unwrap_or_default(),
                    headers.unwrap_or_default(),
                    String::from_utf8_lossy(&delivery.data),
                );
                delivery.ack(BasicAckOptions::default()).await?;
            }
        }
    }
    connection.close(200, "bye".into()).await?;
    Ok(())
}
