//! Prints every event of one client's stream, as a Kafka consumer reads a topic.
//!
//! `cargo run -p event-gateway --example listener -- [client] [--from first|last|next]
//! [--from-start]`. The client defaults to `example`; its stream is `{EVENTS_EXCHANGE}.{client}`
//! (`events.example`), declared by event-gateway when the client registers an event, and kept
//! for `EVENT_RETENTION` whether or not anyone listens. `--from next` (the default) prints
//! events accepted from now on, `--from last` starts at the last chunk written, `--from first`
//! (or `--from-start`) replays everything the stream still holds. Reads `AMQP_URL` and
//! `EVENTS_EXCHANGE` like the service. Stops on Ctrl-C.

use futures::StreamExt;
use messaging::lapin::{
    options::{BasicAckOptions, BasicConsumeOptions, BasicQosOptions},
    types::{AMQPValue, FieldTable},
};

/// Deliveries in flight before acks: RabbitMQ refuses to consume a stream without a prefetch.
const PREFETCH: u16 = 100;

fn text(value: &AMQPValue) -> String {
    match value {
        AMQPValue::LongString(s) => s.to_string(),
        other => format!("{other:?}"),
    }
}

/// `(client, offset)` from the command line.
fn arguments() -> anyhow::Result<(String, String)> {
    let mut client = "example".to_owned();
    let mut offset = "next".to_owned();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--from-start" => offset = "first".to_owned(),
            "--from" => {
                offset = args.next().unwrap_or_default();
                if !["first", "last", "next"].contains(&offset.as_str()) {
                    anyhow::bail!("--from takes first, last or next, not '{offset}'");
                }
            }
            other if other.starts_with("--") => anyhow::bail!("unknown option {other}"),
            other => client = other.to_owned(),
        }
    }
    Ok((client, offset))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let (client, offset) = arguments()?;
    let url = std::env::var("AMQP_URL")
        .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".to_owned());
    let exchange = std::env::var("EVENTS_EXCHANGE").unwrap_or_else(|_| "events".to_owned());
    let stream = event_gateway::adapters::stream_name(&exchange, &client);

    let connection = messaging::connect(&url, "event-gateway-listener").await?;
    let channel = connection.create_channel().await?;
    channel
        .basic_qos(PREFETCH, BasicQosOptions::default())
        .await?;
    let mut arguments = FieldTable::default();
    arguments.insert(
        "x-stream-offset".into(),
        AMQPValue::LongString(offset.as_str().into()),
    );
    // Manual acks: a stream consumer must ack, though acking never removes an event.
    let mut consumer = channel
        .basic_consume(
            stream.as_str().into(),
            "listener".into(),
            BasicConsumeOptions::default(),
            arguments,
        )
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "cannot read stream '{stream}' (has '{client}' registered an event?): {e}"
            )
        })?;
    println!("reading stream '{stream}' from '{offset}' (Ctrl-C to stop)");
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
