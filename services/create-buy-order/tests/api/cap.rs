//! The 100 BTC cap, across concurrent requests and replicas.

use crate::helpers::{Prices, Wiring, json_of, spawn_instance};
use rust_decimal::Decimal;
use std::str::FromStr;

#[tokio::test]
async fn concurrent_orders_through_two_instances_never_pass_the_cap_and_fill_it_to_within_one_order()
 {
    let prices = Prices::start("10000").await;
    let wiring = Wiring::fresh(&prices.url);
    let instances = [spawn_instance(&wiring).await, spawn_instance(&wiring).await];
    // 100 orders of 1.2 to about 1.4 BTC: about 130 BTC asked for, 100 available.
    let amounts: Vec<String> = (0..100)
        .map(|i| format!("{}.{:02}", 12_000 + i * 20, i % 100))
        .collect();

    let puts = amounts.iter().enumerate().map(|(i, amount)| {
        let (app, key) = (&instances[i % 2], format!("cap-{i}"));
        async move { app.put_order(&key, "EUR", amount).await }
    });
    let responses = futures::future::join_all(puts).await;

    let mut accepted = Decimal::ZERO;
    let mut smallest_refused: Option<Decimal> = None;
    for (response, amount) in responses.into_iter().zip(&amounts) {
        let size = Decimal::from_str(amount).unwrap() / Decimal::from(10_000);
        match response.status().as_u16() {
            201 => {
                accepted +=
                    Decimal::from_str(json_of(response).await["bitcoin_amount"].as_str().unwrap())
                        .unwrap()
            }
            409 => {
                let body = json_of(response).await;
                assert_eq!(body["error"]["code"], "btc_cap_exceeded");
                assert!(
                    body["error"]["message"]
                        .as_str()
                        .unwrap()
                        .contains("remain"),
                    "{body}"
                );
                smallest_refused = Some(smallest_refused.map_or(size, |s: Decimal| s.min(size)));
            }
            other => panic!("unexpected status {other}"),
        }
    }
    let app = &instances[0];
    let total = Decimal::from_str(&app.text("SELECT total_btc::text AS v FROM btc_cap")).unwrap();
    let sum = Decimal::from_str(
        &app.text("SELECT COALESCE(SUM(bitcoin_amount), 0)::text AS v FROM buy_orders"),
    )
    .unwrap();
    assert!(total <= Decimal::from(100), "total {total}");
    assert_eq!(total, sum, "the cap row and the orders agree");
    assert_eq!(
        total, accepted,
        "the cap row counts exactly the accepted orders"
    );
    let smallest_refused = smallest_refused.expect("some orders were refused");
    assert!(
        Decimal::from(100) - total < smallest_refused,
        "the cap is filled to within one order: {total}"
    );
    assert_eq!(app.count("outbox"), app.count("buy_orders"));
}

#[tokio::test]
async fn an_order_over_the_remaining_capacity_is_409_naming_what_remains_and_replays_do_not_count_twice()
 {
    let prices = Prices::start("10000").await;
    let app = spawn_instance(&Wiring::fresh(&prices.url)).await;
    assert_eq!(app.put_order("big", "EUR", "990000.00").await.status(), 201); // 99 BTC

    let refused = app.put_order("too-big", "EUR", "10000.01").await;
    let replay = app.put_order("big", "EUR", "990000.00").await;
    let fits = app.put_order("fits", "EUR", "10000.00").await;

    assert_eq!(refused.status(), 409);
    let body = json_of(refused).await;
    assert_eq!(body["error"]["code"], "btc_cap_exceeded");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("1 BTC remain"),
        "{body}"
    );
    assert_eq!(replay.status(), 200);
    assert_eq!(fits.status(), 201);
    assert_eq!(
        app.text("SELECT total_btc::text AS v FROM btc_cap"),
        "100.00000000"
    );
    assert_eq!(app.count("buy_orders"), 2);
    assert_eq!(app.count("outbox"), 2);
}

#[tokio::test]
async fn an_order_larger_than_any_cap_is_409_not_an_error() {
    let prices = Prices::start("0.0000000001").await;
    let app = spawn_instance(&Wiring::fresh(&prices.url)).await;

    let response = app.put_order("huge", "EUR", "999999999.99").await;

    assert_eq!(response.status(), 409);
    assert_eq!(json_of(response).await["error"]["code"], "btc_cap_exceeded");
    assert_eq!(app.count("buy_orders"), 0);
}

#[tokio::test]
async fn get_cap_answers_the_cap_the_btc_used_and_the_btc_left() {
    let (app, _prices) = crate::helpers::spawn_app().await;
    let cap = |app: &crate::helpers::TestApp| {
        let url = format!("{}/cap", app.address);
        async move { json_of(reqwest::get(url).await.unwrap()).await }
    };
    let before = cap(&app).await;
    assert_eq!(before["cap_btc"], "100", "{before}");
    assert_eq!(before["used_btc"], "0", "{before}");
    assert_eq!(before["remaining_btc"], "100", "{before}");

    let response = app.put_order("cap-route-1", "EUR", "100.00").await;
    assert_eq!(response.status(), 201);
    let bought = json_of(response).await["bitcoin_amount"]
        .as_str()
        .unwrap()
        .to_owned();
    let after = cap(&app).await;
    let used = Decimal::from_str(after["used_btc"].as_str().unwrap()).unwrap();
    let left = Decimal::from_str(after["remaining_btc"].as_str().unwrap()).unwrap();
    assert_eq!(used, Decimal::from_str(&bought).unwrap(), "{after}");
    assert_eq!(used + left, Decimal::from(100), "{after}");
}
