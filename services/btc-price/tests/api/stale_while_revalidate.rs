//! Stale-while-revalidate: with both upstreams hanging, a caller that has a usable stale price
//! is answered at once; only a caller with no usable price waits, and not past its deadline.
//! And a `Retry-After` given as an HTTP date is honoured.

use crate::helpers::{Settings, coinbase_ok, kraken_ok, spawn_app_with, wait_ms};
use std::time::{Duration, Instant};
use wiremock::ResponseTemplate;

fn hanging() -> ResponseTemplate {
    coinbase_ok().set_delay(Duration::from_secs(30))
}

#[tokio::test]
async fn with_both_upstreams_hanging_every_caller_with_a_stale_price_is_answered_at_once() {
    let app = spawn_app_with(Settings {
        ttl_ms: 100,
        timeout_ms: 10_000,
        ..Settings::default()
    })
    .await;
    app.coinbase_answers(coinbase_ok()).await;
    let fresh = app.price_json("EUR").await;
    app.coinbase.reset().await;
    app.coinbase_answers(hanging()).await;
    app.kraken_answers(hanging()).await;
    wait_ms(150).await; // past the TTL: every answer now needs a refresh

    let started = Instant::now();
    let answers = futures::future::join_all((0..20).map(|_| app.price_json("EUR"))).await;
    let took = started.elapsed();

    assert!(
        took < Duration::from_millis(500),
        "20 answers took {took:?}"
    );
    for answer in answers {
        assert_eq!(answer["stale"], true);
        assert_eq!(answer["rate"], fresh["rate"]);
        assert_eq!(answer["fetched_at"], fresh["fetched_at"]);
    }
    assert!(
        app.coinbase_calls().await <= 1,
        "one refresh, not one per caller"
    );
}

#[tokio::test]
async fn a_caller_with_no_price_waits_for_the_upstream_no_longer_than_its_deadline() {
    let app = crate::helpers::spawn_app_with_vars(
        Settings {
            timeout_ms: 10_000,
            ..Settings::default()
        },
        &[("REQUEST_TIMEOUT_MS", "1000")],
    )
    .await;
    app.coinbase_answers(hanging()).await;
    app.kraken_answers(hanging()).await;

    let started = Instant::now();
    let response = app.get_price("EUR").await;
    let took = started.elapsed();

    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "price_unavailable", "{body}");
    assert!(took < Duration::from_millis(1000), "waited {took:?}");
}

#[tokio::test]
async fn a_retry_after_given_as_an_http_date_is_honoured() {
    let app = spawn_app_with(Settings {
        ttl_ms: 100,
        ..Settings::default()
    })
    .await;
    let in_30_s = (chrono::Utc::now() + chrono::Duration::seconds(30))
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    app.coinbase_answers(ResponseTemplate::new(429).insert_header("Retry-After", in_30_s))
        .await;
    app.kraken_answers(kraken_ok()).await;

    assert_eq!(app.price_json("EUR").await["source"], "kraken");
    // Past the 1 s used when Retry-After cannot be read, well before the date.
    wait_ms(1300).await;
    app.price_json("EUR").await;
    test_support::eventually(
        "the refresh to ask Kraken",
        Duration::from_secs(5),
        || async { (app.kraken_calls().await == 2).then_some(()) },
    )
    .await;
    assert_eq!(
        app.coinbase_calls().await,
        1,
        "no call to Coinbase before the date in its Retry-After"
    );
}
