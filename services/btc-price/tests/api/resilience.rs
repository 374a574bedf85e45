//! Upstream failures: stale prices, 503, 429, HTML bodies, timeouts and the Kraken fallback.

use crate::helpers::{
    Settings, coinbase_ok, coinbase_route, fixture, kraken_ok, spawn_app, spawn_app_with, wait_ms,
};
use serde_json::Value;
use std::time::{Duration, Instant};
use wiremock::ResponseTemplate;

async fn fail_everything(app: &crate::helpers::TestApp) {
    app.coinbase.reset().await;
    app.kraken.reset().await;
    app.coinbase_answers(ResponseTemplate::new(502)).await;
    app.kraken_answers(ResponseTemplate::new(503)).await;
}

#[tokio::test]
async fn the_last_price_is_served_flagged_stale_while_the_upstreams_fail() {
    let app = spawn_app_with(Settings {
        ttl_ms: 100,
        ..Settings::default()
    })
    .await;
    app.coinbase_answers(coinbase_ok()).await;
    let fresh = app.price_json("EUR").await;
    fail_everything(&app).await;
    wait_ms(150).await;

    let stale = app.price_json("EUR").await;

    assert_eq!(stale["stale"], true);
    assert_eq!(stale["rate"], "38123.45");
    assert_eq!(stale["fetched_at"], fresh["fetched_at"]);
    // The refresh runs behind the stale answer (stale-while-revalidate).
    test_support::eventually(
        "the refresh to ask both sources",
        Duration::from_secs(5),
        || async {
            (app.coinbase_calls().await >= 1 && app.kraken_calls().await >= 1).then_some(())
        },
    )
    .await;
}

#[tokio::test]
async fn after_the_stale_limit_the_answer_is_503_price_unavailable() {
    let app = spawn_app_with(Settings {
        ttl_ms: 100,
        max_stale_ms: 300,
        ..Settings::default()
    })
    .await;
    app.coinbase_answers(coinbase_ok()).await;
    app.price_json("EUR").await;
    fail_everything(&app).await;
    wait_ms(400).await;

    let response = app.get_price("EUR").await;

    assert_eq!(response.status(), 503);
    assert!(response.headers().get("retry-after").is_some());
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "price_unavailable");
}

#[tokio::test]
async fn a_cold_cache_with_failing_upstreams_is_503() {
    let app = spawn_app().await;
    fail_everything(&app).await;

    let response = app.get_prices().await;

    assert_eq!(response.status(), 503);
    assert_eq!(
        app.coinbase_calls().await,
        2,
        "5xx is retried once (UPSTREAM_MAX_ATTEMPTS=2)"
    );
    assert_eq!(app.kraken_calls().await, 2);
}

#[tokio::test]
async fn kraken_is_used_when_coinbase_fails() {
    let app = spawn_app().await;
    app.coinbase_answers(ResponseTemplate::new(500)).await;
    app.kraken_answers(kraken_ok()).await;

    let body = app.price_json("EUR").await;

    assert_eq!(body["source"], "kraken");
    assert_eq!(body["rate"], "38123.4");
    assert_eq!(app.price_json("GBP").await["rate"], "32455.1");
}

#[tokio::test]
async fn a_kraken_error_inside_http_200_is_a_failure() {
    let app = spawn_app().await;
    app.coinbase_answers(ResponseTemplate::new(500)).await;
    app.kraken_answers(
        ResponseTemplate::new(200)
            .set_body_raw(fixture("kraken_unknown_pair.json"), "application/json"),
    )
    .await;

    let response = app.get_price("EUR").await;

    assert_eq!(response.status(), 503);
    assert_eq!(
        app.kraken_calls().await,
        1,
        "an error reported in the body is not retried"
    );
}

#[tokio::test]
async fn an_html_page_with_status_200_is_retried_then_the_fallback_answers() {
    let app = spawn_app().await;
    app.coinbase_answers(
        ResponseTemplate::new(200).set_body_raw(fixture("cloudflare_error.html"), "text/html"),
    )
    .await;
    app.kraken_answers(kraken_ok()).await;

    let body = app.price_json("USD").await;

    assert_eq!(body["source"], "kraken");
    assert_eq!(
        app.coinbase_calls().await,
        2,
        "a non-JSON body is a retryable error"
    );
}

#[tokio::test]
async fn an_html_page_then_json_is_recovered_by_the_retry() {
    let app = spawn_app().await;
    coinbase_route()
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(fixture("cloudflare_error.html"), "text/html"),
        )
        .up_to_n_times(1)
        .mount(&app.coinbase)
        .await;
    app.coinbase_answers(coinbase_ok()).await;

    let body = app.price_json("EUR").await;

    assert_eq!(body["source"], "coinbase");
    assert_eq!(app.kraken_calls().await, 0);
}

#[tokio::test]
async fn a_429_is_honoured_until_its_retry_after_has_passed() {
    let app = spawn_app_with(Settings {
        ttl_ms: 100,
        ..Settings::default()
    })
    .await;
    app.coinbase_answers(ResponseTemplate::new(429).insert_header("Retry-After", "30"))
        .await;
    app.kraken_answers(kraken_ok()).await;

    let first = app.price_json("EUR").await;
    wait_ms(150).await;
    let second = app.price_json("EUR").await;

    assert_eq!(first["source"], "kraken");
    assert_eq!(second["source"], "kraken");
    // The second answer is the stale one; the refresh behind it asks Kraken again.
    test_support::eventually(
        "the refresh to ask Kraken",
        Duration::from_secs(5),
        || async { (app.kraken_calls().await == 2).then_some(()) },
    )
    .await;
    assert_eq!(
        app.coinbase_calls().await,
        1,
        "no call to Coinbase before its Retry-After"
    );
}

#[tokio::test]
async fn a_slow_upstream_times_out_and_the_fallback_answers() {
    let app = spawn_app_with(Settings {
        timeout_ms: 200,
        ..Settings::default()
    })
    .await;
    app.coinbase_answers(coinbase_ok().set_delay(Duration::from_secs(5)))
        .await;
    app.kraken_answers(kraken_ok()).await;
    let started = Instant::now();

    let body = app.price_json("EUR").await;

    assert_eq!(body["source"], "kraken");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn after_a_failure_the_upstream_is_not_called_again_within_one_ttl() {
    let app = spawn_app_with(Settings {
        ttl_ms: 60_000,
        ..Settings::default()
    })
    .await;
    fail_everything(&app).await;

    for _ in 0..5 {
        assert_eq!(app.get_price("EUR").await.status(), 503);
    }

    assert_eq!(app.coinbase_calls().await, 2);
}
