//! The happy paths: prices, the cache and single flight.

use crate::helpers::{Settings, coinbase_ok, spawn_app, spawn_app_with, wait_ms};
use serde_json::Value;
use std::time::Duration;

#[tokio::test]
async fn a_price_is_the_coinbase_rate_as_a_decimal_string() {
    let app = spawn_app().await;
    app.coinbase_answers(coinbase_ok()).await;

    let body = app.price_json("EUR").await;

    assert_eq!(body["currency"], "EUR");
    assert_eq!(body["rate"], "38123.45");
    assert_eq!(body["source"], "coinbase");
    assert_eq!(body["stale"], false);
    assert!(
        body["fetched_at"]
            .as_str()
            .unwrap()
            .parse::<chrono::DateTime<chrono::Utc>>()
            .is_ok()
    );
}

#[tokio::test]
async fn all_three_prices_come_from_one_upstream_call() {
    let app = spawn_app().await;
    app.coinbase_answers(coinbase_ok()).await;

    let response = app.get_prices().await;

    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    let pairs: Vec<(String, String)> = body["prices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["currency"].as_str().unwrap().to_owned(),
                p["rate"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        pairs,
        [
            ("EUR".into(), "38123.45".into()),
            ("GBP".into(), "32456.78".into()),
            ("USD".into(), "41234.56".into())
        ]
    );
    assert_eq!(app.coinbase_calls().await, 1);
}

#[tokio::test]
async fn other_currencies_are_422_with_the_allowed_list() {
    let app = spawn_app().await;
    for code in ["JPY", "eur", "BTC", "E%20R"] {
        let response = app.get_price(code).await;
        assert_eq!(response.status(), 422, "{code}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "unsupported_currency");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("EUR, GBP, USD")
        );
    }
    assert_eq!(app.coinbase_calls().await, 0);
}

#[tokio::test]
async fn a_price_within_its_ttl_is_served_from_the_cache() {
    let app = spawn_app_with(Settings {
        ttl_ms: 60_000,
        ..Settings::default()
    })
    .await;
    app.coinbase_answers(coinbase_ok()).await;

    let first = app.price_json("EUR").await;
    let second = app.price_json("USD").await;
    let third = app.price_json("EUR").await;

    assert_eq!(first["fetched_at"], third["fetched_at"]);
    assert_eq!(second["rate"], "41234.56");
    assert_eq!(app.coinbase_calls().await, 1);
}

#[tokio::test]
async fn a_price_older_than_its_ttl_is_fetched_again() {
    let app = spawn_app_with(Settings {
        ttl_ms: 100,
        ..Settings::default()
    })
    .await;
    app.coinbase_answers(coinbase_ok()).await;

    let first = app.price_json("EUR").await;
    wait_ms(150).await;
    // The caller holding a stale price gets it at once; the refresh runs behind it.
    let second = app.price_json("EUR").await;
    assert_eq!(second["fetched_at"], first["fetched_at"]);
    assert_eq!(second["stale"], true);
    let refreshed = test_support::eventually(
        "the refreshed price",
        std::time::Duration::from_secs(5),
        || async {
            let now = app.price_json("EUR").await;
            (now["fetched_at"] != first["fetched_at"]).then_some(now)
        },
    )
    .await;
    assert_eq!(refreshed["stale"], false);
    assert_eq!(app.coinbase_calls().await, 2);
}

#[tokio::test]
async fn concurrent_requests_for_a_stale_price_cause_one_upstream_call() {
    let app = spawn_app_with(Settings {
        ttl_ms: 100,
        timeout_ms: 3000,
        ..Settings::default()
    })
    .await;
    app.coinbase_answers(coinbase_ok().set_delay(Duration::from_millis(300)))
        .await;
    app.price_json("EUR").await;
    wait_ms(150).await;

    let requests = (0..50).map(|i| app.get_price(["EUR", "GBP", "USD"][i % 3]));
    let responses = futures::future::join_all(requests).await;

    assert!(responses.iter().all(|r| r.status() == 200));
    assert_eq!(
        app.coinbase_calls().await,
        2,
        "one call to prime, one for all 50 concurrent requests"
    );
}

#[tokio::test]
async fn concurrent_requests_on_a_cold_cache_cause_one_upstream_call() {
    let app = spawn_app_with(Settings {
        timeout_ms: 3000,
        ..Settings::default()
    })
    .await;
    app.coinbase_answers(coinbase_ok().set_delay(Duration::from_millis(300)))
        .await;

    let responses = futures::future::join_all((0..50).map(|_| app.get_prices())).await;

    assert!(responses.iter().all(|r| r.status() == 200));
    assert_eq!(app.coinbase_calls().await, 1);
}

#[tokio::test]
async fn health_metrics_and_openapi_are_served() {
    let app = spawn_app().await;
    for route in ["/health/live", "/health/ready", "/metrics", "/openapi.json"] {
        let response = app
            .client
            .get(format!("{}{route}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{route}");
    }
}
