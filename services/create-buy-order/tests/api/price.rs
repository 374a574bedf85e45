//! btc-price being down: 503 and nothing stored.

use crate::helpers::{Prices, Wiring, json_of, spawn_instance};

#[tokio::test]
async fn btc_price_unreachable_is_503_price_unavailable_and_stores_nothing() {
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let app = spawn_instance(&Wiring::fresh(&format!("http://127.0.0.1:{closed_port}"))).await;

    let response = app.put_order("k", "EUR", "10.00").await;

    assert_eq!(response.status(), 503);
    assert!(response.headers().get("retry-after").is_some());
    assert_eq!(
        json_of(response).await["error"]["code"],
        "price_unavailable"
    );
    assert_eq!(app.count("buy_orders"), 0);
    assert_eq!(app.count("outbox"), 0);
}

#[tokio::test]
async fn btc_price_answering_503_is_503_and_stores_nothing_and_the_key_stays_usable() {
    let prices = Prices::start("38123.45").await;
    prices.fail().await;
    let app = spawn_instance(&Wiring::fresh(&prices.url)).await;

    let response = app.put_order("k", "EUR", "10.00").await;

    assert_eq!(response.status(), 503);
    assert_eq!(
        json_of(response).await["error"]["code"],
        "price_unavailable"
    );
    assert_eq!(app.count("buy_orders"), 0);
    prices.set_eur("38123.45").await;
    assert_eq!(app.put_order("k", "EUR", "10.00").await.status(), 201);
}
