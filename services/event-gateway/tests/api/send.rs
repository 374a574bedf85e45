use crate::helpers::{spawn_app, status_json};
use reqwest::StatusCode;
use serde_json::json;

fn fruit_schema() -> serde_json::Value {
    json!({"type": "object", "properties": {"fruit": {"type": "string", "minLength": 1}}, "required": ["fruit"]})
}

#[tokio::test]
async fn send_a_valid_event_is_202_with_its_id_and_routing_key() {
    let app = spawn_app().await;
    app.registered("shop", "Fruits", &fruit_schema()).await;
    let (status, body) =
        status_json(app.send("shop", "Fruits", &json!({"fruit": "apple"})).await).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(body["routing_key"], "shop.Fruits");
    assert!(
        uuid::Uuid::parse_str(body["event_id"].as_str().unwrap()).is_ok(),
        "{body}"
    );
}

#[tokio::test]
async fn send_an_invalid_event_is_422_listing_every_error_with_its_instance_path() {
    let app = spawn_app().await;
    let schema = json!({"type": "object", "properties": {
        "fruit": {"type": "string"}, "count": {"type": "integer", "minimum": 1}, "at": {"format": "date-time"}}});
    app.registered("shop", "Fruits", &schema).await;
    let (status, body) = status_json(
        app.send(
            "shop",
            "Fruits",
            &json!({"fruit": 3, "count": 0, "at": "yesterday"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["code"], "invalid_event");
    let mut paths: Vec<&str> = body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["instance_path"].as_str().unwrap())
        .collect();
    paths.sort_unstable();
    assert_eq!(paths, ["/at", "/count", "/fruit"], "{body}");
}

#[tokio::test]
async fn send_to_an_unknown_client_or_event_is_404() {
    let app = spawn_app().await;
    let (status, body) = status_json(app.send("nobody", "Fruits", &json!({})).await).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("unknown_client"))
    );
    app.registered("shop", "Fruits", &fruit_schema()).await;
    let (status, body) = status_json(app.send("shop", "Colors", &json!({})).await).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("unknown_event"))
    );
}

#[tokio::test]
async fn send_a_body_that_is_not_json_is_400_and_a_bad_name_is_422() {
    let app = spawn_app().await;
    app.registered("shop", "Fruits", &fruit_schema()).await;
    let (status, body) = status_json(
        app.post_raw("/shop/Fruits/send_event", "application/json", "{\"fruit\":")
            .await,
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("malformed_json"))
    );
    let (status, body) = status_json(app.send("shop", "Fru.its", &json!({})).await).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_name"))
    );
}

#[tokio::test]
async fn send_validates_against_the_latest_version() {
    let app = spawn_app().await;
    app.registered("c", "e", &json!({"type": "string"})).await;
    assert_eq!(
        app.send("c", "e", &json!("x")).await.status(),
        StatusCode::ACCEPTED
    );
    app.registered("c", "e", &json!({"type": "integer"})).await;
    assert_eq!(
        app.send("c", "e", &json!("x")).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.send("c", "e", &json!(7)).await.status(),
        StatusCode::ACCEPTED
    );
}

#[tokio::test]
async fn any_json_value_can_be_an_event() {
    let app = spawn_app().await;
    app.registered("c", "e", &json!(true)).await;
    for value in [
        json!(null),
        json!(1.5),
        json!("s"),
        json!([1, 2]),
        json!({"a": {}}),
    ] {
        assert_eq!(
            app.send("c", "e", &value).await.status(),
            StatusCode::ACCEPTED,
            "{value}"
        );
    }
}

#[tokio::test]
async fn a_version_registered_through_another_instance_is_used_within_the_cache_ttl() {
    // SCHEMA_CACHE_TTL_MS is left at its default: 1000 ms.
    let ttl = std::time::Duration::from_millis(1000);
    let this = spawn_app().await;
    let other = crate::helpers::second_instance(&this).await;
    other.registered("c", "e", &json!({"type": "string"})).await;
    assert_eq!(
        this.send("c", "e", &json!("x")).await.status(),
        StatusCode::ACCEPTED,
        "version 1, now remembered by this instance"
    );
    other
        .registered("c", "e", &json!({"type": "integer"}))
        .await;
    let registered = std::time::Instant::now();
    test_support::eventually("version 2 to be used", ttl * 5, || async {
        let status = this.send("c", "e", &json!(7)).await.status();
        assert!(
            [StatusCode::ACCEPTED, StatusCode::UNPROCESSABLE_ENTITY].contains(&status),
            "{status}"
        );
        (status == StatusCode::ACCEPTED).then_some(())
    })
    .await;
    assert!(
        registered.elapsed() < ttl + std::time::Duration::from_millis(700),
        "picked up within the TTL (took {:?})",
        registered.elapsed()
    );
    assert_eq!(
        this.send("c", "e", &json!("x")).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[tokio::test]
async fn an_event_or_a_schema_over_the_body_limit_is_413_and_nothing_is_published_or_stored() {
    let app = spawn_app().await;
    let watcher = app.watch("shop.#").await;
    app.registered("shop", "Fruits", &fruit_schema()).await;
    let big = "a".repeat(300 * 1024); // MAX_BODY_BYTES defaults to 256 KiB
    let too_large = (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large"));

    let (status, body) =
        status_json(app.send("shop", "Fruits", &json!({ "fruit": big })).await).await;
    assert_eq!((status, body["error"]["code"].as_str()), too_large);
    let schema = json!({"type": "object", "description": big});
    let (status, body) = status_json(app.register("shop", "Colors", &schema).await).await;
    assert_eq!((status, body["error"]["code"].as_str()), too_large);

    // An event sent after them is the first and only one on the exchange.
    let accepted = app.send("shop", "Fruits", &json!({"fruit": "apple"})).await;
    assert_eq!(accepted.status(), StatusCode::ACCEPTED);
    let received = watcher.receive(1).await;
    let first: serde_json::Value = serde_json::from_slice(&received[0].body).unwrap();
    assert_eq!(first, json!({"fruit": "apple"}));
    assert!(watcher.next().await.is_none(), "a refused event appeared");
    let (status, _) = status_json(app.get("/shop/Colors/schema").await).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "the refused schema was stored"
    );
}

#[tokio::test]
async fn an_event_with_a_key_twice_in_one_object_is_400_and_nothing_is_published() {
    let app = crate::helpers::spawn_app().await;
    let watcher = app.watch("dup.*").await;
    app.registered(
        "dup",
        "Order",
        &serde_json::json!({"properties": {"amount": {"maximum": 10}}}),
    )
    .await;

    let response = app
        .post_raw(
            "/dup/Order/send_event",
            "application/json",
            r#"{"amount": 5, "amount": 5000}"#,
        )
        .await;

    let (status, body) = crate::helpers::status_json(response).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (reqwest::StatusCode::BAD_REQUEST, Some("duplicate_key")),
        "{body}"
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("/amount")
    );
    assert!(
        watcher.next().await.is_none(),
        "the ambiguous event was published"
    );
}

#[tokio::test]
async fn a_catastrophically_backtracking_pattern_is_cut_short_and_the_event_refused() {
    let app = crate::helpers::spawn_app().await;
    // The lookahead makes the backtracking engine run (a+)+ on a string of a's with no b.
    let schema = serde_json::json!({"properties": {"s": {"pattern": "^(?=(a+)+b)"}}});
    app.registered("re", "Slow", &schema).await;
    let started = std::time::Instant::now();

    let body = serde_json::json!({"s": "a".repeat(40)});
    let (status, answer) = crate::helpers::status_json(app.send("re", "Slow", &body).await).await;

    assert_eq!(
        status,
        reqwest::StatusCode::UNPROCESSABLE_ENTITY,
        "{answer}"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_large_event_validated_on_the_blocking_pool_gets_the_same_verdict() {
    let app = crate::helpers::spawn_app().await;
    let schema = serde_json::json!({"properties": {"items": {"items": {"maximum": 10}}}});
    app.registered("big", "Batch", &schema).await;
    let good: Vec<u32> = (0..20_000).map(|i| i % 10).collect();
    let mut bad = good.clone();
    bad[19_999] = 11;

    let accepted = app
        .send("big", "Batch", &serde_json::json!({"items": good}))
        .await;
    let (refused, body) = crate::helpers::status_json(
        app.send("big", "Batch", &serde_json::json!({"items": bad}))
            .await,
    )
    .await;

    assert_eq!(accepted.status(), reqwest::StatusCode::ACCEPTED);
    assert_eq!(refused, reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.to_string().contains("/items/19999"), "{body}");
}
