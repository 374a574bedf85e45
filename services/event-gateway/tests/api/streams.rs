//! The client streams: accepted events are kept whether or not anyone subscribes, and an event
//! no stream took is never answered 202.

use crate::helpers::{TestApp, spawn_app, spawn_app_with, status_json};
use event_gateway::adapters::stream_name;
use futures::StreamExt;
use messaging::lapin::{
    options::{
        BasicAckOptions, BasicConsumeOptions, BasicQosOptions, QueueDeclareOptions,
        QueueDeleteOptions,
    },
    types::{AMQPValue, FieldTable},
};
use reqwest::StatusCode;
use serde_json::json;
use std::time::{Duration, Instant};
use test_support::{TcpProxy, amqp_address, amqp_url, eventually, via_port};

/// The first `count` messages of `stream` read from offset `first`: (message id, body).
async fn read_from_first(stream: &str, count: usize) -> Vec<(String, serde_json::Value)> {
    let connection = messaging::connect(&amqp_url(), "stream-reader")
        .await
        .unwrap();
    let channel = connection.create_channel().await.unwrap();
    channel
        .basic_qos(16, BasicQosOptions::default())
        .await
        .unwrap();
    let mut arguments = FieldTable::default();
    arguments.insert(
        "x-stream-offset".into(),
        AMQPValue::LongString("first".into()),
    );
    let mut consumer = channel
        .basic_consume(
            stream.into(),
            "reader".into(),
            BasicConsumeOptions::default(),
            arguments,
        )
        .await
        .unwrap();
    let mut read = Vec::new();
    while read.len() < count {
        let delivery = tokio::time::timeout(Duration::from_secs(10), consumer.next())
            .await
            .expect("a message from the stream in time")
            .unwrap()
            .unwrap();
        delivery.ack(BasicAckOptions::default()).await.unwrap();
        let id = delivery
            .properties
            .message_id()
            .as_ref()
            .map(ToString::to_string)
            .unwrap();
        read.push((id, serde_json::from_slice(&delivery.data).unwrap()));
    }
    let _ = connection.close(200, "bye".into()).await;
    read
}

async fn send_accepted(app: &TestApp, body: serde_json::Value) -> String {
    let (status, answer) = status_json(app.send("shop", "Fruits", &body).await).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{answer}");
    answer["event_id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn events_accepted_with_no_subscriber_bound_are_read_back_from_the_stream_later() {
    let app = spawn_app().await;
    app.registered("shop", "Fruits", &json!({"required": ["fruit"]}))
        .await;

    let mut ids = Vec::new();
    for fruit in ["apple", "pear", "plum"] {
        ids.push(send_accepted(&app, json!({"fruit": fruit})).await);
    }

    let read = read_from_first(&stream_name(&app.exchange, "shop"), 3).await;
    let read_ids: Vec<&str> = read.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(read_ids, ids);
    assert_eq!(read[2].1, json!({"fruit": "plum"}));
    // A stream is not a queue: a second reader replays the same events from the start.
    assert_eq!(
        read_from_first(&stream_name(&app.exchange, "shop"), 3).await,
        read
    );
}

#[tokio::test]
async fn many_registrations_at_once_for_a_new_client_all_get_its_stream() {
    // RabbitMQ 3.10 fails two concurrent declarations of one new stream with a connection-level
    // INTERNAL_ERROR; the gateway must not pass that on as a refused registration.
    let app = spawn_app().await;
    let events: Vec<String> = (0..32).map(|n| format!("Event{n}")).collect();
    let schema = json!({"type": "object"});
    let statuses = futures::future::join_all(
        events
            .iter()
            .map(|event| app.register("burst", event, &schema)),
    )
    .await
    .into_iter()
    .map(|response| response.status())
    .collect::<Vec<_>>();

    assert_eq!(statuses, vec![StatusCode::CREATED; events.len()]);
    let (status, answer) = status_json(app.send("burst", "Event31", &json!({})).await).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{answer}");
}

#[tokio::test]
async fn an_event_no_stream_takes_is_503_and_not_accepted() {
    let app = spawn_app().await;
    app.registered("shop", "Fruits", &json!(true)).await;
    // Someone replaced the stream by an unbound classic queue of the same name, which the
    // gateway cannot declare as a stream again: the event is returned, whatever it tries.
    let stream = stream_name(&app.exchange, "shop");
    let connection = messaging::connect(&amqp_url(), "saboteur").await.unwrap();
    let channel = connection.create_channel().await.unwrap();
    channel
        .queue_delete(stream.as_str().into(), QueueDeleteOptions::default())
        .await
        .unwrap();
    let durable = QueueDeclareOptions {
        durable: true,
        ..QueueDeclareOptions::default()
    };
    channel
        .queue_declare(stream.as_str().into(), durable, FieldTable::default())
        .await
        .unwrap();

    let response = app.send("shop", "Fruits", &json!({"n": 1})).await;

    let (status, body) = status_json(response).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, Some("broker_unavailable"))
    );
    let passive = QueueDeclareOptions {
        passive: true,
        ..QueueDeclareOptions::default()
    };
    let queue = channel
        .queue_declare(stream.as_str().into(), passive, FieldTable::default())
        .await
        .unwrap();
    assert_eq!(queue.message_count(), 0);
    let _ = connection.close(200, "bye".into()).await;
}

#[tokio::test]
async fn a_deleted_stream_is_declared_again_and_the_event_kept() {
    let app = spawn_app().await;
    app.registered("shop", "Fruits", &json!(true)).await;
    let stream = stream_name(&app.exchange, "shop");
    let connection = messaging::connect(&amqp_url(), "saboteur").await.unwrap();
    let channel = connection.create_channel().await.unwrap();
    channel
        .queue_delete(stream.as_str().into(), QueueDeleteOptions::default())
        .await
        .unwrap();
    let _ = connection.close(200, "bye".into()).await;

    let id = send_accepted(&app, json!({"fruit": "fig"})).await;

    assert_eq!(read_from_first(&stream, 1).await[0].0, id);
}

#[tokio::test]
async fn with_the_broker_link_blackholed_send_is_an_unconfirmed_503_within_the_publish_timeout() {
    let proxy = TcpProxy::start(&amqp_address());
    let app = spawn_app_with(&via_port(&amqp_url(), proxy.port())).await;
    app.registered("shop", "Fruits", &json!(true)).await;
    send_accepted(&app, json!({"n": 1})).await;

    proxy.blackhole();
    let started = Instant::now();
    let (status, body) = status_json(app.send("shop", "Fruits", &json!({"n": 2})).await).await;

    // Sent but not confirmed: the client is told it may be in the stream.
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, Some("unconfirmed")),
        "{body}"
    );
    // PUBLISH_CONFIRM_TIMEOUT_MS is 3000 in the tests.
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(2900) && took < Duration::from_secs(5),
        "{took:?}"
    );
    proxy.restore();
    eventually(
        "a 202 once the link is back",
        Duration::from_secs(20),
        || async {
            (app.send("shop", "Fruits", &json!({"n": 3})).await.status() == StatusCode::ACCEPTED)
                .then_some(())
        },
    )
    .await;
    // And so it was: the partition healed, the held publish reached the broker.
    let read = read_from_first(&stream_name(&app.exchange, "shop"), 3).await;
    assert!(
        read.iter().any(|(_, body)| body["n"] == 2),
        "the unconfirmed event is in the stream: {read:?}"
    );
}

/// The example listener, built beside this test binary (`cargo test` builds the examples).
fn listener_binary() -> std::path::PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("examples")
        .join("listener")
}

#[tokio::test]
async fn the_example_listener_replays_a_stream_from_the_start() {
    let app = spawn_app().await;
    app.registered("shop", "Fruits", &json!(true)).await;
    let first = send_accepted(&app, json!({"fruit": "apple"})).await;
    let second = send_accepted(&app, json!({"fruit": "kiwi"})).await;

    let mut listener = std::process::Command::new(listener_binary())
        .args(["shop", "--from-start"])
        .env("AMQP_URL", amqp_url())
        .env("EVENTS_EXCHANGE", &app.exchange)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("the listener example is built with the tests");
    let stdout = listener.stdout.take().unwrap();
    let (lines, mut received) = tokio::sync::mpsc::unbounded_channel();
    std::thread::spawn(move || {
        for line in std::io::BufRead::lines(std::io::BufReader::new(stdout)).map_while(Result::ok) {
            let _ = lines.send(line);
        }
    });
    let mut printed = Vec::new();
    while printed.len() < 3 {
        let line = tokio::time::timeout(Duration::from_secs(20), received.recv()).await;
        match line {
            Ok(Some(line)) => printed.push(line),
            _ => {
                let _ = listener.kill();
                panic!("the listener printed only {printed:?}");
            }
        }
    }
    listener.kill().unwrap();
    let _ = listener.wait();

    assert!(printed[0].contains("from 'first'"), "{printed:?}");
    assert!(printed[1].contains(&format!("id={first}")) && printed[1].contains("apple"));
    assert!(printed[2].contains(&format!("id={second}")) && printed[2].contains("kiwi"));
}
