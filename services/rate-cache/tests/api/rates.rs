use crate::helpers::{Options, dec, insert_sample, recorded_upstream, register, spawn_app};
use serde_json::Value;

#[tokio::test]
async fn get_rate_gives_average_min_max_and_count_of_the_date_only() {
    let upstream = recorded_upstream().await;
    let app = spawn_app(Options::new(&upstream.uri())).await;
    register(&app.database, "USD", "EUR");
    for rate in ["0.9512", "0.9498", "0.9531"] {
        insert_sample(
            &app.database,
            "USD",
            "EUR",
            rate,
            "'2026-11-20T12:00:00Z'::timestamptz",
        );
    }
    insert_sample(
        &app.database,
        "USD",
        "EUR",
        "0.9000",
        "'2026-11-20T23:59:59.999Z'::timestamptz",
    );
    // Just outside the UTC date on both sides.
    insert_sample(
        &app.database,
        "USD",
        "EUR",
        "5",
        "'2026-11-19T23:59:59.999Z'::timestamptz",
    );
    insert_sample(
        &app.database,
        "USD",
        "EUR",
        "5",
        "'2026-11-21T00:00:00Z'::timestamptz",
    );

    let response = app.get("/rates/USD/EUR?date=2026-11-20").await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["samples"], 4);
    // (0.9512 + 0.9498 + 0.9531 + 0.9000) / 4 = 0.938525
    assert_eq!(body["average"], "0.938525");
    assert_eq!(body["min"], "0.9");
    assert_eq!(body["max"], "0.9531");
    assert_eq!(body["date"], "2026-11-20");
}

#[tokio::test]
async fn get_rate_defaults_to_today_utc() {
    let upstream = recorded_upstream().await;
    let app = spawn_app(Options::new(&upstream.uri())).await;
    register(&app.database, "EUR", "GBP");
    insert_sample(&app.database, "EUR", "GBP", "0.83055", "now()");
    let body: Value = app.get("/rates/EUR/GBP").await.json().await.unwrap();
    assert_eq!(body["date"], chrono::Utc::now().date_naive().to_string());
    assert_eq!(dec(body["average"].as_str().unwrap()), dec("0.83055"));
}

#[tokio::test]
async fn get_rate_without_samples_that_day_is_404_no_rate_for_date() {
    let upstream = recorded_upstream().await;
    let app = spawn_app(Options::new(&upstream.uri())).await;
    register(&app.database, "USD", "EUR");
    insert_sample(
        &app.database,
        "USD",
        "EUR",
        "0.95",
        "'2026-11-20T12:00:00Z'::timestamptz",
    );
    let response = app.get("/rates/USD/EUR?date=2026-11-21").await;
    assert_eq!(response.status(), 404);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "no_rate_for_date");
}

#[tokio::test]
async fn get_rate_of_an_unregistered_pair_is_404_unknown_pair() {
    let upstream = recorded_upstream().await;
    let app = spawn_app(Options::new(&upstream.uri())).await;
    for path in [
        "/rates/USD/JPY",
        "/rates/usd/eur?date=2026-11-20",
        "/rates/ABC/DEF",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 404, "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "unknown_pair", "{path}");
    }
}

#[tokio::test]
async fn get_rate_with_a_bad_date_is_422() {
    let upstream = recorded_upstream().await;
    let app = spawn_app(Options::new(&upstream.uri())).await;
    register(&app.database, "USD", "EUR");
    for date in [
        "2026-02-30",
        "20261120",
        "tomorrow",
        "",
        "2026-11-20T00:00:00Z",
    ] {
        let response = app.get(&format!("/rates/USD/EUR?date={date}")).await;
        assert_eq!(response.status(), 422, "{date}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "invalid_date", "{date}");
        assert_eq!(body["error"]["field"], "date");
    }
}
