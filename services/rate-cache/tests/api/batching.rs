//! One upstream call per base currency per tick (Coinbase), one ECB feed per tick: counted at
//! the upstream mock, by the `X-Request-Id: tick-<epoch>` every job forwards.

use crate::helpers::{Options, recorded_upstream, register, samples, spawn_app_on, upstream_calls};
use std::{collections::HashMap, sync::Arc, time::Duration};
use test_support::{TestDatabase, eventually};
use wiremock::MockServer;

/// The ticks (as `tick-<epoch>`) in which every one of `pairs` pairs got its sample.
fn complete_ticks(database: &TestDatabase, pairs: usize) -> Vec<String> {
    let mut per_tick: HashMap<String, usize> = HashMap::new();
    for sample in samples(database) {
        if let Some(tick) = sample.tick_at {
            *per_tick
                .entry(format!("tick-{}", tick.timestamp()))
                .or_insert(0) += 1;
        }
    }
    per_tick
        .into_iter()
        .filter(|(_, n)| *n == pairs)
        .map(|(tick, _)| tick)
        .collect()
}

/// Upstream requests per (tick, request path and `currency` parameter).
async fn requests_per_tick(upstream: &MockServer) -> HashMap<(String, String), usize> {
    let mut calls = HashMap::new();
    for call in upstream_calls(upstream).await {
        let currency = call
            .currency
            .map(|c| format!("?currency={c}"))
            .unwrap_or_default();
        *calls
            .entry((call.tick, format!("{}{currency}", call.path)))
            .or_insert(0) += 1;
    }
    calls
}

/// Upstream requests made for `tick`, whatever their target.
fn calls_in(calls: &HashMap<(String, String), usize>, tick: &str) -> usize {
    calls
        .iter()
        .filter(|((t, _), _)| t == tick)
        .map(|(_, n)| n)
        .sum()
}

/// Registers `pairs`, runs one replica with a 1 s tick until three ticks are complete, stops
/// it, and returns the complete ticks with the upstream's request counts.
async fn run_three_ticks(
    provider: &'static str,
    pairs: &[(&str, &str)],
) -> (Vec<String>, HashMap<(String, String), usize>) {
    let upstream = recorded_upstream().await;
    let database = Arc::new(TestDatabase::migrated(store::Database::RateCache));
    for (base, quote) in pairs {
        register(&database, base, quote);
    }
    let app = spawn_app_on(
        database.clone(),
        Options {
            provider,
            update_secs: 1,
            ..Options::new(&upstream.uri())
        },
    )
    .await;
    eventually("three complete ticks", Duration::from_secs(30), || {
        let database = database.clone();
        async move { (complete_ticks(&database, pairs.len()).len() >= 3).then_some(()) }
    })
    .await;
    app.stop().await;
    (
        complete_ticks(&database, pairs.len()),
        requests_per_tick(&upstream).await,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn each_tick_calls_coinbase_once_per_base_however_many_pairs_share_it() {
    let pairs = [
        ("USD", "EUR"),
        ("USD", "GBP"),
        ("USD", "JPY"),
        ("USD", "CHF"),
        ("EUR", "JPY"),
        ("EUR", "GBP"),
    ];
    let (ticks, calls) = run_three_ticks("coinbase", &pairs).await;

    for tick in &ticks {
        let count = |target: &str| {
            calls
                .get(&(tick.clone(), target.to_owned()))
                .copied()
                .unwrap_or(0)
        };
        assert_eq!(
            count("/v2/exchange-rates?currency=USD"),
            1,
            "USD calls in {tick} (4 USD pairs): {calls:?}"
        );
        assert_eq!(
            count("/v2/exchange-rates?currency=EUR"),
            1,
            "EUR calls in {tick} (2 EUR pairs): {calls:?}"
        );
        assert_eq!(calls_in(&calls, tick), 2, "calls in {tick}: {calls:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn each_tick_fetches_the_ecb_feed_once_for_every_pair() {
    let pairs = [
        ("EUR", "GBP"),
        ("EUR", "USD"),
        ("USD", "JPY"),
        ("GBP", "USD"),
        ("CHF", "SEK"),
    ];
    let (ticks, calls) = run_three_ticks("ecb", &pairs).await;

    for tick in &ticks {
        assert_eq!(
            calls_in(&calls, tick),
            1,
            "ECB feed fetches in {tick} for 5 pairs: {calls:?}"
        );
    }
}
