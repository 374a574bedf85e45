//! The relay's claims: a lease instead of a transaction held across broker I/O, released when a
//! round fails, expiring when a relay vanished; rows that can never be published are parked.

use crate::helpers::{
    Prices, TestApp, Wiring, bind_queue, collect_events, delete_exchange, spawn_instance,
};
use diesel::{RunQueryDsl, sql_types::Text};
use serde_json::json;
use std::time::{Duration, Instant};
use test_support::{TcpProxy, eventually};

const CONFIRM_TIMEOUT_MS: u64 = 500;

/// Inserts an outbox row with `payload` and `lease` (an SQL expression) before any relay runs.
fn insert_row(app_db: &test_support::TestDatabase, payload: &serde_json::Value, lease: &str) {
    let mut conn = app_db.connect();
    diesel::sql_query(format!(
        "INSERT INTO outbox (event_id, event_type, aggregate_id, payload, lease_until) \
         VALUES (gen_random_uuid(), 'buy_order.created', gen_random_uuid(), $1::jsonb, {lease})"
    ))
    .bind::<Text, _>(payload.to_string())
    .execute(&mut conn)
    .unwrap();
}

/// A valid `buy_order.created` envelope for a made-up order `key`.
fn envelope(key: &str) -> serde_json::Value {
    json!({
        "event_id": uuid::Uuid::now_v7(),
        "event_type": "buy_order.created",
        "occurred_at": "2026-12-02T10:00:00Z",
        "correlation_id": null,
        "data": {
            "id": uuid::Uuid::now_v7(),
            "idempotence_key": key,
            "currency": "EUR",
            "amount": "10.00",
            "exchange_rate": "38123.45",
            "bitcoin_amount": "0.00026231",
            "created_at": "2026-12-02T10:00:00Z"
        }
    })
}

fn state_of(app: &TestApp, key: &str) -> String {
    app.text(&format!(
        "SELECT state || '/' || (lease_until IS NOT NULL AND lease_until > now())::text AS v \
         FROM outbox WHERE payload->'data'->>'idempotence_key' = '{key}'"
    ))
}

#[tokio::test]
async fn with_the_broker_blackholed_a_round_ends_within_its_deadline_and_frees_its_rows() {
    let prices = Prices::start("38123.45").await;
    let proxy = TcpProxy::start(&test_support::amqp_address());
    let mut wiring = Wiring::fresh(&prices.url);
    wiring.amqp_url = test_support::via_port(&wiring.amqp_url, proxy.port());
    wiring.extra = vec![
        ("PUBLISH_CONFIRM_TIMEOUT_MS", CONFIRM_TIMEOUT_MS.to_string()),
        ("OUTBOX_LEASE_MS", "600000".to_owned()),
    ];
    let (_connection, channel, queue) = bind_queue(&wiring.exchange).await;
    let mut app = spawn_instance(&wiring).await;
    assert_eq!(app.put_order("link-up", "EUR", "10.00").await.status(), 201);
    collect_events(&channel, &queue, 1, Duration::from_secs(20)).await;

    proxy.blackhole();
    let started = Instant::now();
    assert_eq!(
        app.put_order("blackholed", "EUR", "10.00").await.status(),
        201
    );
    eventually("a failed round", Duration::from_secs(20), || async {
        (app.metric("outbox_relay_failed_rounds_total").await >= 1.0).then_some(())
    })
    .await;
    let round_deadline = messaging::CONNECT_TIMEOUT + Duration::from_millis(CONFIRM_TIMEOUT_MS);
    assert!(
        started.elapsed() < round_deadline,
        "{:?}",
        started.elapsed()
    );
    assert!(state_of(&app, "blackholed").starts_with("pending/"));

    // Released, not left to its ten-minute lease: published soon after the link is back.
    proxy.restore();
    let events = collect_events(&channel, &queue, 1, Duration::from_secs(30)).await;
    assert!(
        events
            .iter()
            .any(|e| e.body["data"]["idempotence_key"] == "blackholed")
    );

    // SIGTERM while a round hangs on a blackholed link (its confirm timed out, so the next round
    // is stuck opening a new link, for up to CONNECT_TIMEOUT): the service stops at once, and
    // the row that round had claimed is claimable again.
    proxy.blackhole();
    let failed = app.metric("outbox_relay_failed_rounds_total").await;
    assert_eq!(
        app.put_order("at-shutdown", "EUR", "10.00").await.status(),
        201
    );
    eventually(
        "a failed round, then a new claim",
        Duration::from_secs(20),
        || async {
            (app.metric("outbox_relay_failed_rounds_total").await > failed
                && state_of(&app, "at-shutdown") == "pending/true")
                .then_some(())
        },
    )
    .await;
    let grace = Duration::from_secs(http_kit::SHUTDOWN_TIMEOUT_SECS);
    let took = app.stop_within(grace).await;
    assert!(took < Duration::from_secs(2), "{took:?}");
    assert_eq!(state_of(&app, "at-shutdown"), "pending/false");
    delete_exchange(&channel, &wiring.exchange).await;
}

#[tokio::test]
async fn a_row_whose_payload_cannot_be_parsed_is_parked_once_and_the_others_are_published() {
    let prices = Prices::start("38123.45").await;
    let wiring = Wiring::fresh(&prices.url);
    insert_row(
        &wiring.db,
        &json!({"data": {"idempotence_key": "garbage"}}),
        "NULL",
    );
    let (_connection, channel, queue) = bind_queue(&wiring.exchange).await;
    let app = spawn_instance(&wiring).await;

    assert_eq!(
        app.put_order("after-garbage", "EUR", "10.00")
            .await
            .status(),
        201
    );
    collect_events(&channel, &queue, 1, Duration::from_secs(20)).await;
    assert_eq!(state_of(&app, "garbage"), "parked/false");
    // Later rounds never take it again.
    assert_eq!(app.put_order("later", "EUR", "10.00").await.status(), 201);
    collect_events(&channel, &queue, 1, Duration::from_secs(20)).await;
    eventually("the later row marked", Duration::from_secs(5), || async {
        (state_of(&app, "later") == "published/false").then_some(())
    })
    .await;
    assert_eq!(app.metric("outbox_events_parked_total").await, 1.0);
    assert_eq!(state_of(&app, "garbage"), "parked/false");
    delete_exchange(&channel, &wiring.exchange).await;
}

#[tokio::test]
async fn a_row_under_a_live_lease_waits_and_an_expired_lease_is_claimable_again() {
    let prices = Prices::start("38123.45").await;
    let wiring = Wiring::fresh(&prices.url);
    // Claimed by relays that died: one lease still running, one run out.
    insert_row(&wiring.db, &envelope("leased"), "now() + interval '1 hour'");
    insert_row(
        &wiring.db,
        &envelope("expired"),
        "now() - interval '1 second'",
    );
    let (_connection, channel, queue) = bind_queue(&wiring.exchange).await;
    let app = spawn_instance(&wiring).await;

    let first = collect_events(&channel, &queue, 1, Duration::from_secs(20)).await;
    assert!(
        first
            .iter()
            .all(|e| e.body["data"]["idempotence_key"] == "expired")
    );
    assert_eq!(app.put_order("new", "EUR", "10.00").await.status(), 201);
    let second = collect_events(&channel, &queue, 1, Duration::from_secs(20)).await;
    assert!(
        second
            .iter()
            .all(|e| e.body["data"]["idempotence_key"] == "new")
    );
    assert_eq!(state_of(&app, "leased"), "pending/true");

    app.text(
        "UPDATE outbox SET lease_until = now() - interval '1 second' \
              WHERE payload->'data'->>'idempotence_key' = 'leased' RETURNING 'x' AS v",
    );
    let third = collect_events(&channel, &queue, 1, Duration::from_secs(20)).await;
    assert!(
        third
            .iter()
            .all(|e| e.body["data"]["idempotence_key"] == "leased")
    );
    delete_exchange(&channel, &wiring.exchange).await;
}
