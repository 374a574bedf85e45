use crate::helpers::{Options, insert_sample, recorded_upstream, register, spawn_app};
use serde_json::{Value, json};

#[tokio::test]
async fn post_pair_registers_a_new_pair_with_201_and_a_repeat_with_200() {
    let upstream = recorded_upstream().await;
    let app = spawn_app(Options::new(&upstream.uri())).await;
    let first = app.post_pair(json!({"base": "USD", "quote": "EUR"})).await;
    assert_eq!(first.status(), 201);
    let created: Value = first.json().await.unwrap();
    assert_eq!(
        (created["base"].as_str(), created["quote"].as_str()),
        (Some("USD"), Some("EUR"))
    );
    let again = app.post_pair(json!({"base": "USD", "quote": "EUR"})).await;
    assert_eq!(again.status(), 200);
    let repeated: Value = again.json().await.unwrap();
    assert_eq!(repeated["created_at"], created["created_at"]);
}

#[tokio::test]
async fn post_pair_with_codes_that_are_not_iso_4217_is_422_naming_the_field() {
    let upstream = recorded_upstream().await;
    let app = spawn_app(Options::new(&upstream.uri())).await;
    let cases = [
        (json!({"base": "usd", "quote": "EUR"}), "base"),
        (json!({"base": "ABC", "quote": "EUR"}), "base"),
        (json!({"base": "USD", "quote": "BTC"}), "quote"),
        (json!({"base": "USD", "quote": "EURO"}), "quote"),
        (json!({"base": "USD", "quote": ""}), "quote"),
        (json!({"base": "XAU", "quote": "USD"}), "base"),
    ];
    for (body, field) in cases {
        let response = app.post_pair(body.clone()).await;
        assert_eq!(response.status(), 422, "{body}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["error"]["code"], "invalid_currency", "{body}");
        assert_eq!(error["error"]["field"], field, "{body}");
    }
}

#[tokio::test]
async fn post_pair_with_base_equal_to_quote_is_422() {
    let upstream = recorded_upstream().await;
    let app = spawn_app(Options::new(&upstream.uri())).await;
    let response = app.post_pair(json!({"base": "EUR", "quote": "EUR"})).await;
    assert_eq!(response.status(), 422);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["error"]["code"], "same_currency");
}

#[tokio::test]
async fn post_pair_with_a_bad_body_is_400_or_422_in_the_envelope() {
    let upstream = recorded_upstream().await;
    let app = spawn_app(Options::new(&upstream.uri())).await;
    let malformed = app
        .client
        .post(format!("{}/pairs", app.address))
        .header("content-type", "application/json")
        .body("{\"base\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 400);
    let missing = app.post_pair(json!({"base": "USD"})).await;
    assert_eq!(missing.status(), 422);
    let wrong_type = app.post_pair(json!({"base": 840, "quote": "EUR"})).await;
    assert_eq!(wrong_type.status(), 422);
    let text = app
        .client
        .post(format!("{}/pairs", app.address))
        .body("USD/EUR")
        .send()
        .await
        .unwrap();
    assert_eq!(text.status(), 415);
}

#[tokio::test]
async fn delete_pair_is_204_and_drops_its_samples_then_404() {
    let upstream = recorded_upstream().await;
    let app = spawn_app(Options::new(&upstream.uri())).await;
    register(&app.database, "USD", "EUR");
    insert_sample(&app.database, "USD", "EUR", "0.95", "now()");
    assert_eq!(app.delete("/pairs/USD/EUR").await.status(), 204);
    assert!(crate::helpers::samples(&app.database).is_empty());
    let again = app.delete("/pairs/USD/EUR").await;
    assert_eq!(again.status(), 404);
    let error: Value = again.json().await.unwrap();
    assert_eq!(error["error"]["code"], "unknown_pair");
    assert_eq!(app.delete("/pairs/usd/xyz").await.status(), 404);
}

#[tokio::test]
async fn get_pairs_lists_every_pair_with_its_latest_rate() {
    let upstream = recorded_upstream().await;
    let app = spawn_app(Options::new(&upstream.uri())).await;
    assert_eq!(
        app.get("/pairs").await.json::<Value>().await.unwrap(),
        json!([])
    );
    register(&app.database, "USD", "EUR");
    register(&app.database, "EUR", "GBP");
    insert_sample(
        &app.database,
        "USD",
        "EUR",
        "0.9500",
        "now() - interval '2 hours'",
    );
    insert_sample(
        &app.database,
        "USD",
        "EUR",
        "0.9512",
        "now() - interval '1 hour'",
    );
    let pairs: Value = app.get("/pairs").await.json().await.unwrap();
    let pairs = pairs.as_array().unwrap();
    assert_eq!(pairs.len(), 2);
    assert_eq!(
        (pairs[0]["base"].as_str(), pairs[0]["quote"].as_str()),
        (Some("EUR"), Some("GBP"))
    );
    assert_eq!(pairs[0]["latest_rate"], Value::Null);
    assert_eq!(pairs[1]["latest_rate"], "0.9512", "decimals are strings");
    assert!(pairs[1]["latest_observed_at"].is_string());
}

#[tokio::test]
async fn other_methods_and_paths_are_405_or_404_in_the_envelope() {
    let upstream = recorded_upstream().await;
    let app = spawn_app(Options::new(&upstream.uri())).await;
    for (method, path, allow) in [
        (reqwest::Method::PUT, "/pairs", "GET, POST"),
        (reqwest::Method::GET, "/pairs/USD/EUR", "DELETE"),
    ] {
        let url = format!("{}{path}", app.address);
        let response = app.client.request(method, url).send().await.unwrap();
        assert_eq!(response.status(), 405, "{path}");
        assert_eq!(response.headers()["allow"], allow, "{path}");
    }
    assert_eq!(app.get("/currencies").await.status(), 404);
}
