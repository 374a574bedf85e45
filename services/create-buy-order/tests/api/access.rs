//! Access control: `PUT /buy_order` needs `orders:write`; a refused order is not stored; and
//! create-buy-order reaches a btc-price that requires keys with its own `BTC_PRICE_API_KEY`.

use crate::helpers::{Prices, TestApp, Wiring, spawn_instance_with};
use test_support::access::{FULL_KEY, api_keys, assert_refused, hash};

const PRICE_KEY: &str = "create-buy-order-price-key-1b7e";

/// btc-price requiring `prices:read` (held by [`PRICE_KEY`]), and create-buy-order requiring
/// `orders:write` that presents `price_key` to it.
async fn spawn_with_keys(price_key: &str) -> (TestApp, Prices) {
    let price_keys = format!("create-buy-order:{}:prices:read", hash(PRICE_KEY));
    let prices = Prices::start_with("38123.45", &[("API_KEYS", price_keys)]).await;
    let extra = [
        ("API_KEYS", api_keys("orders:write")),
        ("BTC_PRICE_API_KEY", price_key.to_owned()),
    ];
    let app = spawn_instance_with(&Wiring::fresh(&prices.url), &extra).await;
    (app, prices)
}

fn order(app: &TestApp) -> reqwest::RequestBuilder {
    app.client
        .put(format!("{}/buy_order", app.address))
        .header("content-type", "application/json")
        .header("Idempotency-Key", uuid::Uuid::new_v4().to_string())
        .body(r#"{"currency": "EUR", "amount": "100.00"}"#)
}

#[tokio::test]
async fn an_order_without_an_orders_write_key_is_refused_and_not_stored() {
    let (app, _prices) = spawn_with_keys(PRICE_KEY).await;
    assert_refused(|| order(&app), "orders:write").await;
    assert_eq!(app.count("buy_orders"), 0);
    assert_eq!(app.count("outbox"), 0);
}

#[tokio::test]
async fn an_orders_write_key_places_an_order_priced_through_its_own_btc_price_key() {
    let (app, _prices) = spawn_with_keys(PRICE_KEY).await;
    let response = order(&app).bearer_auth(FULL_KEY).send().await.unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(app.count("buy_orders"), 1);
}

#[tokio::test]
async fn with_a_wrong_btc_price_key_btc_price_refuses_and_no_order_is_placed() {
    let (app, _prices) = spawn_with_keys("not-the-price-key").await;
    let response = order(&app).bearer_auth(FULL_KEY).send().await.unwrap();
    assert_eq!(response.status(), 503);
    assert_eq!(app.count("buy_orders"), 0);
}
