//! One key, one order: concurrency, replays and reuse with other values.

use crate::helpers::{json_of, spawn_app};

#[tokio::test]
async fn sixty_four_concurrent_puts_with_one_key_create_exactly_one_order() {
    let (app, _prices) = spawn_app().await;

    let puts = (0..64).map(|_| app.put_order("same-key", "EUR", "250.00"));
    let responses = futures::future::join_all(puts).await;

    let mut created = 0;
    let mut ids = std::collections::HashSet::new();
    for response in responses {
        let status = response.status().as_u16();
        let replayed = response
            .headers()
            .get("idempotent-replayed")
            .map(|v| v.to_str().unwrap().to_owned());
        match status {
            201 => created += 1,
            200 => assert_eq!(replayed.as_deref(), Some("true")),
            other => panic!("unexpected status {other}"),
        }
        ids.insert(json_of(response).await["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(created, 1);
    assert_eq!(ids.len(), 1, "every answer is the same order");
    assert_eq!(app.count("buy_orders"), 1);
    assert_eq!(app.count("outbox"), 1);
    assert_eq!(
        app.text("SELECT total_btc::text AS v FROM btc_cap"),
        "0.00655765"
    );
}

#[tokio::test]
async fn a_later_replay_returns_the_original_even_after_the_price_moved() {
    let (app, prices) = spawn_app().await;
    let original = json_of(app.put_order("k-1", "EUR", "1000.00").await).await;
    prices.set_eur("50000.00").await;

    let replay = app.put_order("k-1", "EUR", "1000").await;

    assert_eq!(replay.status(), 200);
    assert_eq!(replay.headers().get("idempotent-replayed").unwrap(), "true");
    assert_eq!(json_of(replay).await, original);
    let fresh = json_of(app.put_order("k-2", "EUR", "1000.00").await).await;
    assert_eq!(
        fresh["exchange_rate"], "50000",
        "btc-price normalises rates"
    );
    assert_eq!(app.count("buy_orders"), 2);
}

#[tokio::test]
async fn a_replay_is_answered_even_while_btc_price_is_down() {
    let (app, prices) = spawn_app().await;
    let original = json_of(app.put_order("k", "EUR", "10.00").await).await;
    prices.fail().await;

    let replay = app.put_order("k", "EUR", "10.00").await;

    assert_eq!(replay.status(), 200);
    assert_eq!(json_of(replay).await["id"], original["id"]);
}

#[tokio::test]
async fn the_same_key_with_another_amount_or_currency_is_422_and_changes_nothing() {
    let (app, _prices) = spawn_app().await;
    assert_eq!(app.put_order("k", "EUR", "10.00").await.status(), 201);

    for (currency, amount) in [("EUR", "10.01"), ("USD", "10.00")] {
        let response = app.put_order("k", currency, amount).await;
        assert_eq!(response.status(), 422, "{currency} {amount}");
        let body = json_of(response).await;
        assert_eq!(body["error"]["code"], "idempotency_key_reused");
    }
    assert_eq!(app.count("buy_orders"), 1);
    assert_eq!(app.count("outbox"), 1);
}

#[tokio::test]
async fn concurrent_puts_with_one_key_and_different_amounts_create_one_order() {
    let (app, _prices) = spawn_app().await;

    let puts = (0..16).map(|i| {
        app.put_order(
            "contested",
            "EUR",
            if i % 2 == 0 { "10.00" } else { "20.00" },
        )
    });
    let statuses: Vec<u16> = futures::future::join_all(puts)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();

    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| [200, 201, 422].contains(s)),
        "{statuses:?}"
    );
    assert_eq!(app.count("buy_orders"), 1);
}
