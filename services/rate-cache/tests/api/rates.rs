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

#[tokio::test]
async fn daily_gives_one_aggregate_per_utc_day_with_samples_oldest_first() {
    let upstream = recorded_upstream().await;
    let app = spawn_app(Options::new(&upstream.uri())).await;
    register(&app.database, "USD", "EUR");
    for (rate, at) in [
        ("0.95", "2026-11-18T12:00:00Z"),
        ("0.90", "2026-11-20T00:00:00Z"),
        ("0.92", "2026-11-20T12:00:00Z"),
        ("0.97", "2026-11-20T23:59:59.999Z"),
        ("0.99", "2026-11-22T08:00:00Z"),
        // Outside the range on both sides.
        ("5", "2026-11-17T23:59:59.999Z"),
        ("5", "2026-11-23T00:00:00Z"),
    ] {
        insert_sample(
            &app.database,
            "USD",
            "EUR",
            rate,
            &format!("'{at}'::timestamptz"),
        );
    }
    let response = app
        .get("/rates/USD/EUR/daily?from=2026-11-18&to=2026-11-22")
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    let days = body["days"].as_array().unwrap();
    let dates: Vec<&str> = days.iter().map(|d| d["date"].as_str().unwrap()).collect();
    assert_eq!(dates, ["2026-11-18", "2026-11-20", "2026-11-22"]);
    assert_eq!(days[1]["samples"], 3);
    assert_eq!(days[1]["average"], "0.93");
    assert_eq!(days[1]["min"], "0.9");
    assert_eq!(days[1]["max"], "0.97");
    assert_eq!(days[0]["samples"], 1);
    assert_eq!(days[2]["average"], "0.99");
    assert_eq!(body["from"], "2026-11-18");
    assert_eq!(body["to"], "2026-11-22");
}

#[tokio::test]
async fn daily_errors_are_in_the_envelope_with_the_right_status() {
    let upstream = recorded_upstream().await;
    let app = spawn_app(Options::new(&upstream.uri())).await;
    register(&app.database, "USD", "EUR");
    let empty: Value = app
        .get("/rates/USD/EUR/daily?from=2026-11-18&to=2026-11-22")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(empty["days"], serde_json::json!([]));
    for (path, status, code) in [
        (
            "/rates/USD/JPY/daily?from=2026-11-18&to=2026-11-22",
            404,
            "unknown_pair",
        ),
        ("/rates/USD/EUR/daily?to=2026-11-22", 422, "invalid_date"),
        (
            "/rates/USD/EUR/daily?from=2026-11-31&to=2026-12-01",
            422,
            "invalid_date",
        ),
        (
            "/rates/USD/EUR/daily?from=2026-11-22&to=2026-11-18",
            422,
            "invalid_range",
        ),
        (
            "/rates/USD/EUR/daily?from=2025-01-01&to=2026-01-02",
            422,
            "range_too_long",
        ),
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), status, "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], code, "{path}");
    }
    // 366 days (a leap year) is allowed.
    let response = app
        .get("/rates/USD/EUR/daily?from=2024-01-01&to=2024-12-31")
        .await;
    assert_eq!(response.status(), 200);
}
