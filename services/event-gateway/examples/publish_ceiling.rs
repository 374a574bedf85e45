//! The bench's ceiling: a plain lapin loop publishing the same payload with publisher
//! confirms, `CONCURRENCY` publishers (default 32) on one confirm channel, for `DURATION`
//! seconds (default 10). Prints `messages/s`. Reads `AMQP_URL` and `EVENTS_EXCHANGE`.
//!
//! `CEILING_PROPERTIES=gateway` publishes with every property event-gateway sets (type,
//! correlation id, timestamp and the client, event and schema_version headers) instead of only
//! a message id and the content type: a diagnostic, not the benchmark's ceiling.

use event_gateway::{adapters::event_message, core::OutgoingEvent};
use messaging::{
    Topology,
    lapin::{
        BasicProperties, Confirmation,
        options::{BasicPublishOptions, ConfirmSelectOptions},
    },
};
use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

fn var<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let url = std::env::var("AMQP_URL")
        .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".to_owned());
    let exchange = std::env::var("EVENTS_EXCHANGE").unwrap_or_else(|_| "events".to_owned());
    let concurrency: usize = var("CONCURRENCY", 32);
    let duration = Duration::from_secs(var("DURATION", 10));
    let connection = messaging::connect(&url, "publish-ceiling").await?;
    let channel = connection.create_channel().await?;
    channel
        .confirm_select(ConfirmSelectOptions::default())
        .await?;
    Topology::new()
        .topic_exchange(&exchange)
        .declare(&channel)
        .await?;

    let gateway_properties = std::env::var("CEILING_PROPERTIES").is_ok_and(|v| v == "gateway");
    let sent = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (channel, exchange, sent) = (channel.clone(), exchange.clone(), sent.clone());
            tokio::spawn(async move {
                while started.elapsed() < duration {
                    let properties = if gateway_properties {
                        as_the_gateway_sends(&exchange)
                    } else {
                        BasicProperties::default()
                            .with_delivery_mode(2)
                            .with_content_type("application/json".into())
                            .with_message_id(uuid::Uuid::now_v7().to_string().into())
                    };
                    let confirm = channel
                        .basic_publish(
                            exchange.as_str().into(),
                            "bench.Fruits".into(),
                            BasicPublishOptions::default(),
                            br#"{"fruit":"apple"}"#,
                            properties,
                        )
                        .await?;
                    if let Confirmation::Ack(_) = confirm.await? {
                        sent.fetch_add(1, Ordering::Relaxed);
                    }
                }
                Ok::<_, anyhow::Error>(())
            })
        })
        .collect();
    for worker in workers {
        worker.await??;
    }
    let rate = sent.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64();
    println!("{rate:.0} messages/s");
    connection.close(200, "bye".into()).await?;
    Ok(())
}

/// The properties event-gateway publishes an event of `bench`/`Fruits` with (its own adapter's
/// message, so the two cannot drift apart).
fn as_the_gateway_sends(exchange: &str) -> BasicProperties {
    let event = OutgoingEvent {
        event_id: uuid::Uuid::now_v7(),
        client: "bench".to_owned(),
        event: "Fruits".to_owned(),
        schema_version: 1,
        routing_key: "bench.Fruits".to_owned(),
        body: Vec::new(),
        correlation_id: Some(uuid::Uuid::new_v4().to_string()),
    };
    event_message(exchange, &event).properties()
}
