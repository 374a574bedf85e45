//! Creating an order, and every bad input of SPEC §3: its status and code, and nothing stored.

use crate::helpers::{json_of, spawn_app};
use serde_json::{Value, json};

#[tokio::test]
async fn a_valid_order_is_created_with_the_exact_ceiling_and_stored_with_its_event() {
    let (app, _prices) = spawn_app().await;

    let response = app.put_order("order-1", "EUR", "100.50").await;

    assert_eq!(response.status(), 201);
    assert!(response.headers().get("idempotent-replayed").is_none());
    let body = json_of(response).await;
    assert_eq!(body["idempotence_key"], "order-1");
    assert_eq!(body["currency"], "EUR");
    assert_eq!(body["amount"], "100.50");
    assert_eq!(body["exchange_rate"], "38123.45");
    // 100.50 / 38123.45 = 0.002636172749…, rounded up.
    assert_eq!(body["bitcoin_amount"], "0.00263618");
    assert!(uuid::Uuid::parse_str(body["id"].as_str().unwrap()).is_ok());
    assert_eq!(app.count("buy_orders"), 1);
    assert_eq!(app.count("outbox"), 1);
    assert_eq!(
        app.text("SELECT total_btc::text AS v FROM btc_cap"),
        "0.00263618"
    );
}

#[tokio::test]
async fn the_key_may_come_in_the_body_and_the_amount_as_a_json_number() {
    let (app, _prices) = spawn_app().await;

    let response = app
        .put_raw(
            r#"{"currency": "EUR", "amount": 38123.45, "idempotence_key": "body-key"}"#,
            None,
        )
        .await;

    assert_eq!(response.status(), 201);
    let body = json_of(response).await;
    assert_eq!(body["idempotence_key"], "body-key");
    assert_eq!(body["amount"], "38123.45");
    assert_eq!(body["bitcoin_amount"], "1.00000000");
}

type Case<'a> = (&'a str, Option<&'a str>, u16, &'a str, Option<&'a str>);

#[tokio::test]
async fn every_bad_input_gets_its_status_and_code_and_stores_nothing() {
    let (app, _prices) = spawn_app().await;
    let long_key = "k".repeat(256);
    // (body, header key, status, code, field)
    let cases: Vec<Case<'_>> = vec![
        (
            r#"{"currency":"EUR","amount":"10"}"#,
            None,
            400,
            "missing_idempotency_key",
            Some("idempotence_key"),
        ),
        (
            r#"{"currency":"EUR","amount":"10"}"#,
            Some(&long_key),
            422,
            "invalid_idempotency_key",
            Some("idempotence_key"),
        ),
        (
            r#"{"currency":"EUR","amount":"10","idempotence_key":""}"#,
            None,
            422,
            "invalid_idempotency_key",
            Some("idempotence_key"),
        ),
        (
            r#"{"currency":"EUR","amount":"10","idempotence_key":"b"}"#,
            Some("a"),
            400,
            "idempotency_key_mismatch",
            Some("idempotence_key"),
        ),
        (
            r#"{"currency":"JPY","amount":"10"}"#,
            Some("k"),
            422,
            "invalid_currency",
            Some("currency"),
        ),
        (
            r#"{"currency":"eur","amount":"10"}"#,
            Some("k"),
            422,
            "invalid_currency",
            Some("currency"),
        ),
        (
            r#"{"currency":"EUR","amount":"0"}"#,
            Some("k"),
            422,
            "invalid_amount",
            Some("amount"),
        ),
        (
            r#"{"currency":"EUR","amount":0}"#,
            Some("k"),
            422,
            "invalid_amount",
            Some("amount"),
        ),
        (
            r#"{"currency":"EUR","amount":"-5.00"}"#,
            Some("k"),
            422,
            "invalid_amount",
            Some("amount"),
        ),
        (
            r#"{"currency":"EUR","amount":1e9}"#,
            Some("k"),
            422,
            "invalid_amount",
            Some("amount"),
        ),
        (
            r#"{"currency":"EUR","amount":"1000000000"}"#,
            Some("k"),
            422,
            "invalid_amount",
            Some("amount"),
        ),
        (
            r#"{"currency":"EUR","amount":"10.123"}"#,
            Some("k"),
            422,
            "invalid_amount",
            Some("amount"),
        ),
        (
            r#"{"currency":"EUR","amount":10.123}"#,
            Some("k"),
            422,
            "invalid_amount",
            Some("amount"),
        ),
        (
            r#"{"currency":"EUR","amount":"ten euros"}"#,
            Some("k"),
            422,
            "invalid_amount",
            Some("amount"),
        ),
        (
            r#"{"currency":"EUR","amount":true}"#,
            Some("k"),
            422,
            "invalid_amount",
            Some("amount"),
        ),
        (
            r#"{"amount":"10"}"#,
            Some("k"),
            422,
            "missing_field",
            Some("currency"),
        ),
        (
            r#"{"currency":"EUR"}"#,
            Some("k"),
            422,
            "missing_field",
            Some("amount"),
        ),
        (r#"{}"#, Some("k"), 422, "missing_field", Some("currency")),
        (
            r#"{"currency":"EUR","amount":"10""#,
            Some("k"),
            400,
            "malformed_json",
            None,
        ),
        (r#"currency=EUR"#, Some("k"), 400, "malformed_json", None),
        (r#"["EUR", "10"]"#, Some("k"), 422, "invalid_body", None),
    ];

    for (body, key, status, code, field) in cases {
        let response = app.put_raw(body, key).await;
        assert_eq!(
            response.status().as_u16(),
            status,
            "{body} with key {key:?}"
        );
        let error = json_of(response).await;
        assert_eq!(error["error"]["code"], code, "{body}: {error}");
        assert_eq!(error["error"]["field"].as_str(), field, "{body}: {error}");
    }

    assert_eq!(app.count("buy_orders"), 0);
    assert_eq!(app.count("outbox"), 0);
    assert_eq!(
        app.text("SELECT total_btc::text AS v FROM btc_cap"),
        "0.00000000"
    );
}

#[tokio::test]
async fn a_body_that_is_not_declared_json_is_415() {
    let (app, _prices) = spawn_app().await;

    let response = app
        .client
        .put(format!("{}/buy_order", app.address))
        .header("Idempotency-Key", "k")
        .header("content-type", "text/plain")
        .body(r#"{"currency":"EUR","amount":"10"}"#)
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 415);
    assert_eq!(app.count("buy_orders"), 0);
}

#[tokio::test]
async fn health_metrics_and_openapi_are_served() {
    let (app, _prices) = spawn_app().await;
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

#[tokio::test]
async fn the_openapi_document_requires_currency_and_amount_and_takes_amount_as_string_or_number() {
    let (app, _prices) = spawn_app().await;
    let doc: Value = app
        .client
        .get(format!("{}/openapi.json", app.address))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let body = &doc["components"]["schemas"]["RawOrderBody"];
    assert_eq!(body["required"], json!(["currency", "amount"]), "{body}");
    let decimal = &doc["components"]["schemas"]["DecimalInput"]["oneOf"];
    let types: Vec<&Value> = decimal
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["type"])
        .collect();
    assert_eq!(types, [&json!("string"), &json!("number")], "{decimal}");
}
