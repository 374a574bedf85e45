use crate::helpers::{
    COINBASE_USD, Options, TestApp, dec, recorded_upstream, register, samples, spawn_app,
    spawn_app_on,
};
use rust_decimal::Decimal;
use serde_json::Value;
use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};
use test_support::eventually;
use wiremock::{
    Mock, MockServer, Request, Respond, ResponseTemplate,
    matchers::{method, path},
};

/// Serves the recorded Coinbase USD response with EUR set to each of `rates` in turn, and
/// remembers what it served.
struct VaryingCoinbase {
    rates: Vec<&'static str>,
    next: AtomicUsize,
    served: Arc<Mutex<Vec<Decimal>>>,
}

impl Respond for VaryingCoinbase {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let rate = self.rates[self.next.fetch_add(1, Ordering::SeqCst) % self.rates.len()];
        self.served.lock().unwrap().push(dec(rate));
        let body = COINBASE_USD.replace("\"EUR\":\"0.9512\"", &format!("\"EUR\":\"{rate}\""));
        ResponseTemplate::new(200).set_body_raw(body, "application/json; charset=utf-8")
    }
}

async fn wait_for_samples(app: &TestApp, count: usize) {
    let database = app.database.clone();
    eventually(&format!("{count} samples"), Duration::from_secs(30), || {
        let database = database.clone();
        async move { (samples(&database).len() >= count).then_some(()) }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_days_average_min_max_and_count_equal_those_of_the_samples_the_upstream_served() {
    let upstream = MockServer::start().await;
    let served = Arc::new(Mutex::new(Vec::new()));
    let responder = VaryingCoinbase {
        rates: vec!["0.9512", "0.9498", "0.9531", "0.95075"],
        next: AtomicUsize::new(0),
        served: served.clone(),
    };
    Mock::given(method("GET"))
        .and(path("/v2/exchange-rates"))
        .respond_with(responder)
        .mount(&upstream)
        .await;
    let app = spawn_app(Options {
        update_secs: 1,
        ..Options::new(&upstream.uri())
    })
    .await;
    register(&app.database, "USD", "EUR");
    wait_for_samples(&app, 4).await;
    let database = app.database.clone();
    app.stop().await;

    // A reader replica whose schedule does not fire, on its own queue.
    let reader = spawn_app_on(database, Options::new(&upstream.uri())).await;
    let served = served.lock().unwrap().clone();
    let today = chrono::Utc::now().date_naive();
    let body: Value = reader
        .get(&format!("/rates/USD/EUR?date={today}"))
        .await
        .json()
        .await
        .unwrap();
    let sum: Decimal = served.iter().sum();
    assert_eq!(body["samples"], served.len());
    assert_eq!(
        dec(body["average"].as_str().unwrap()),
        rate_cache::routes::rates::average(sum, served.len() as i64)
    );
    assert_eq!(
        dec(body["min"].as_str().unwrap()),
        *served.iter().min().unwrap()
    );
    assert_eq!(
        dec(body["max"].as_str().unwrap()),
        *served.iter().max().unwrap()
    );
    assert!(
        samples(&reader.database)
            .iter()
            .all(|s| s.source == "coinbase" && s.tick_at.is_some())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_ecb_provider_records_cross_rates_from_the_recorded_feed() {
    let upstream = recorded_upstream().await;
    let app = spawn_app(Options {
        provider: "ecb",
        update_secs: 1,
        ..Options::new(&upstream.uri())
    })
    .await;
    register(&app.database, "USD", "JPY");
    register(&app.database, "EUR", "GBP");
    wait_for_samples(&app, 2).await;
    let recorded = samples(&app.database);
    let usd_jpy = recorded.iter().find(|s| s.base == "USD").unwrap();
    assert_eq!(usd_jpy.rate, dec("154.4044901065"));
    assert_eq!(usd_jpy.source, "ecb");
    let eur_gbp = recorded.iter().find(|s| s.base == "EUR").unwrap();
    assert_eq!(eur_gbp.rate, dec("0.83055"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failing_upstream_is_retried_records_nothing_and_the_cache_keeps_serving() {
    let upstream = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw("<html><body>Rate limited</body></html>", "text/html"),
        )
        .mount(&upstream)
        .await;
    let app = spawn_app(Options {
        update_secs: 1,
        ..Options::new(&upstream.uri())
    })
    .await;
    register(&app.database, "USD", "EUR");
    crate::helpers::insert_sample(&app.database, "USD", "EUR", "0.95", "now()");
    eventually("three upstream attempts", Duration::from_secs(20), || {
        let upstream = &upstream;
        async move { (upstream.received_requests().await.unwrap_or_default().len() >= 3).then_some(()) }
    })
    .await;
    assert_eq!(
        samples(&app.database).len(),
        1,
        "nothing recorded from an HTML page"
    );
    let response = app.get("/rates/USD/EUR").await;
    assert_eq!(response.status(), 200);
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert_eq!(app.get("/health/ready").await.status(), 200, "{metrics}");
}

#[tokio::test]
async fn a_pair_deleted_before_its_job_is_recorded_gets_no_sample() {
    let database = test_support::TestDatabase::migrated(store::Database::RateCache);
    register(&database, "USD", "EUR");
    let mut conn = database.connect();
    assert!(rate_cache::db::delete_pair(&mut conn, "USD", "EUR").unwrap());
    let outcome = rate_cache::db::record_sample(
        &mut conn,
        "USD",
        "EUR",
        dec("0.95"),
        "coinbase",
        chrono::Utc::now(),
    )
    .unwrap();
    assert_eq!(outcome, rate_cache::db::Recorded::PairGone);
    assert!(samples(&database).is_empty());
}

#[tokio::test]
async fn a_job_delivered_twice_records_one_sample_for_its_tick() {
    let database = test_support::TestDatabase::migrated(store::Database::RateCache);
    register(&database, "USD", "EUR");
    let mut conn = database.connect();
    let tick = chrono::Utc::now();
    let first =
        rate_cache::db::record_sample(&mut conn, "USD", "EUR", dec("0.95"), "coinbase", tick)
            .unwrap();
    let second =
        rate_cache::db::record_sample(&mut conn, "USD", "EUR", dec("0.96"), "coinbase", tick)
            .unwrap();
    assert_eq!(
        (first, second),
        (
            rate_cache::db::Recorded::Stored,
            rate_cache::db::Recorded::Duplicate
        )
    );
    assert_eq!(samples(&database).len(), 1);
}
