//! What reaches RabbitMQ: exactly the accepted events, with their headers; nothing when the
//! broker is down.

use crate::helpers::{spawn_app, spawn_app_with, status_json};
use reqwest::StatusCode;
use serde_json::json;
use test_support::{TcpProxy, amqp_address, amqp_url, via_port};

#[tokio::test]
async fn a_consumer_of_client_star_receives_exactly_the_accepted_events_with_headers() {
    let app = spawn_app().await;
    let watcher = app.watch("shop.*").await;
    app.registered("shop", "Fruits", &json!({"required": ["fruit"]}))
        .await;
    app.registered("shop", "Colors", &json!({"required": ["color"]}))
        .await;
    app.registered("other", "Fruits", &json!(true)).await;

    let first = app
        .client
        .post(format!("{}/shop/Fruits/send_event", app.address))
        .header("x-request-id", "req-42")
        .header("content-type", "application/json")
        .body(r#"{"fruit": "apple", "big": 123456789012345678901234567890}"#)
        .send()
        .await
        .unwrap();
    let (status, first) = status_json(first).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{first}");
    assert_eq!(
        app.send("shop", "Fruits", &json!({"colour": "red"}))
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.send("other", "Fruits", &json!({"fruit": "pear"}))
            .await
            .status(),
        StatusCode::ACCEPTED
    );
    let (status, last) =
        status_json(app.send("shop", "Colors", &json!({"color": "red"})).await).await;
    assert_eq!(status, StatusCode::ACCEPTED);

    let received = watcher.receive(2).await;
    assert!(
        watcher.next().await.is_none(),
        "more messages than the accepted ones"
    );
    let (apple, red) = (&received[0], &received[1]);
    assert_eq!(apple.routing_key, "shop.Fruits");
    assert_eq!(
        apple.body,
        br#"{"fruit": "apple", "big": 123456789012345678901234567890}"#.to_vec()
    );
    assert_eq!(apple.message_id.as_deref(), first["event_id"].as_str());
    assert_eq!(apple.correlation_id.as_deref(), Some("req-42"));
    assert_eq!(apple.content_type.as_deref(), Some("application/json"));
    assert!(apple.persistent);
    let headers: Vec<(&str, &str)> = apple
        .headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        headers,
        [
            ("client", "shop"),
            ("event", "Fruits"),
            ("schema_version", "1")
        ]
    );
    assert_eq!(
        (red.routing_key.as_str(), red.message_id.as_deref()),
        ("shop.Colors", last["event_id"].as_str())
    );
}

#[tokio::test]
async fn with_the_broker_cut_send_is_503_and_the_event_never_appears_later() {
    let proxy = TcpProxy::start(&amqp_address());
    let app = spawn_app_with(&via_port(&amqp_url(), proxy.port())).await;
    let watcher = app.watch("shop.#").await;
    app.registered("shop", "Fruits", &json!(true)).await;
    assert_eq!(
        app.send("shop", "Fruits", &json!({"n": 1})).await.status(),
        StatusCode::ACCEPTED
    );

    proxy.cut();
    let response = app.send("shop", "Fruits", &json!({"n": 2})).await;
    let retry_after = response.headers().get("retry-after").cloned();
    let (status, body) = status_json(response).await;
    // Either the gateway saw the link gone before publishing (`broker_unavailable`) or it
    // handed the message to the link first, which then failed (`unconfirmed`: it cannot know
    // whether the broker took it). Here the cut link took nothing, so it never appears.
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(
        matches!(
            body["error"]["code"].as_str(),
            Some("broker_unavailable" | "unconfirmed")
        ),
        "{body}"
    );
    assert!(retry_after.is_some());
    let (status, _) = status_json(app.get("/health/ready").await).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);

    proxy.restore();
    let (status, _) = status_json(app.send("shop", "Fruits", &json!({"n": 3})).await).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let received = watcher.receive(2).await;
    let bodies: Vec<serde_json::Value> = received
        .iter()
        .map(|m| serde_json::from_slice(&m.body).unwrap())
        .collect();
    assert_eq!(bodies, [json!({"n": 1}), json!({"n": 3})]);
    assert!(watcher.next().await.is_none(), "the refused event appeared");
}
