use crate::helpers::{
    COINBASE_USD, Options, recorded_upstream, register, samples, spawn_app_on, upstream_calls,
};
use std::{
    collections::HashMap,
    process::{Child, Command, Stdio},
    sync::Arc,
    time::Duration,
};
use test_support::{TestDatabase, eventually};
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{method, path},
};

/// Upstream calls per (tick, base currency), read from the forwarded `X-Request-Id`.
async fn calls_per_tick(upstream: &MockServer) -> HashMap<(String, String), usize> {
    let mut calls = HashMap::new();
    for call in upstream_calls(upstream).await {
        *calls
            .entry((call.tick, call.currency.unwrap_or_default()))
            .or_insert(0) += 1;
    }
    calls
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_with_a_one_second_interval_dispatch_each_pairs_job_once_per_tick() {
    let upstream = recorded_upstream().await;
    let database = Arc::new(TestDatabase::migrated(store::Database::RateCache));
    register(&database, "USD", "EUR");
    register(&database, "USD", "GBP");
    register(&database, "EUR", "JPY");
    let options = Options {
        update_secs: 1,
        ..Options::new(&upstream.uri())
    };
    let first = spawn_app_on(database.clone(), options.clone()).await;
    let second = spawn_app_on(database.clone(), options).await;

    eventually("four complete ticks", Duration::from_secs(30), || {
        let database = database.clone();
        async move {
            let mut per_tick: HashMap<_, usize> = HashMap::new();
            for sample in samples(&database) {
                *per_tick.entry(sample.tick_at).or_insert(0) += 1;
            }
            (per_tick.values().filter(|n| **n == 3).count() >= 4).then_some(())
        }
    })
    .await;
    first.stop().await;
    second.stop().await;

    let recorded = samples(&database);
    let mut per_pair_tick: HashMap<_, usize> = HashMap::new();
    for sample in &recorded {
        *per_pair_tick
            .entry((sample.base.clone(), sample.quote.clone(), sample.tick_at))
            .or_insert(0) += 1;
    }
    assert!(
        per_pair_tick.values().all(|n| *n == 1),
        "a duplicate sample: {per_pair_tick:?}"
    );
    // Each tick's jobs were fetched once: one job per base (USD, EUR) per tick, never more.
    for ((tick, base), calls) in calls_per_tick(&upstream).await {
        assert!(
            calls <= 1,
            "{calls} upstream calls for {base} in {tick}: a tick was dispatched twice"
        );
    }
}

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_replica_killed_mid_update_leaves_no_partial_update_and_another_replica_finishes_the_job()
{
    let slow = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/exchange-rates"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(COINBASE_USD, "application/json")
                .set_delay(Duration::from_secs(30)),
        )
        .mount(&slow)
        .await;
    let database = Arc::new(TestDatabase::migrated(store::Database::RateCache));
    register(&database, "USD", "EUR");
    let options = Options {
        update_secs: 1,
        ..Options::new(&slow.uri())
    };

    // A real process, killed with SIGKILL while it waits for the upstream inside a job.
    let mut replica = Command::new(env!("CARGO_BIN_EXE_rate-cache"));
    replica
        .env_clear()
        .envs(options.vars(database.url()))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null());
    let mut replica = Killed(replica.spawn().unwrap());
    let request = eventually(
        "the replica to call the upstream",
        Duration::from_secs(30),
        || {
            let slow = &slow;
            async move {
                slow.received_requests()
                    .await
                    .unwrap_or_default()
                    .into_iter()
                    .next()
            }
        },
    )
    .await;
    replica.0.kill().unwrap();
    replica.0.wait().unwrap();
    assert!(
        samples(&database).is_empty(),
        "the killed replica recorded nothing"
    );
    let killed_tick = request
        .headers
        .get("x-request-id")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();

    // A surviving replica gets the unacknowledged job back and records it once.
    let upstream = recorded_upstream().await;
    let survivor = spawn_app_on(
        database.clone(),
        Options {
            upstream: upstream.uri(),
            ..options
        },
    )
    .await;
    let tick_at = eventually(
        "the killed job to be recorded",
        Duration::from_secs(30),
        || {
            let database = database.clone();
            let killed_tick = killed_tick.clone();
            async move {
                samples(&database)
                    .into_iter()
                    .find(|s| {
                        s.tick_at.map(|t| format!("tick-{}", t.timestamp()))
                            == Some(killed_tick.clone())
                    })
                    .map(|s| s.tick_at)
            }
        },
    )
    .await;
    survivor.stop().await;
    let for_tick = samples(&database)
        .into_iter()
        .filter(|s| s.tick_at == tick_at)
        .count();
    assert_eq!(for_tick, 1);
}
