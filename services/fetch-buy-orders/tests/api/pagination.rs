//! Keyset pagination: order, ties, completeness, and stability while orders arrive.

use crate::helpers::*;
use chrono::{Duration, DurationRound, TimeDelta, Utc};
use std::collections::HashSet;

#[tokio::test(flavor = "multi_thread")]
async fn paging_through_1000_orders_with_limit_7_returns_each_exactly_once_newest_first() {
    let app = spawn_app().await;
    let start = Utc::now()
        .duration_trunc(TimeDelta::milliseconds(1))
        .unwrap()
        - Duration::hours(1);
    // Groups of four orders share a created_at, so ties are broken by id across page edges.
    let times: Vec<_> = (0..1000)
        .map(|i| start + Duration::milliseconds(i / 4))
        .collect();
    let rows = insert_orders(&mut app.db.connect(), &times);

    let ids = app.all_ids(7, || {}).await;

    assert_eq!(ids.len(), 1000);
    assert_eq!(
        ids.iter().collect::<HashSet<_>>().len(),
        1000,
        "no order repeated"
    );
    assert_eq!(ids, newest_first(&rows));
}

#[tokio::test(flavor = "multi_thread")]
async fn orders_created_while_paging_never_cause_a_skip_or_repeat_of_older_ones() {
    let app = spawn_app().await;
    let start = Utc::now() - Duration::hours(1);
    let times: Vec<_> = (0..300)
        .map(|i| start + Duration::milliseconds(i / 3))
        .collect();
    let rows = insert_orders(&mut app.db.connect(), &times);
    let mut writer = app.db.connect();
    let newest = *times.last().unwrap();

    // After every page, three orders arrive: two newer ones and one tied with the newest.
    let ids = app
        .all_ids(7, || {
            insert_orders(&mut writer, &[Utc::now(), Utc::now(), newest]);
        })
        .await;

    let older: Vec<_> = ids
        .iter()
        .filter(|id| rows.iter().any(|row| row.id == **id))
        .copied()
        .collect();
    assert_eq!(
        older,
        newest_first(&rows),
        "every original order once, in order"
    );
    assert_eq!(
        ids.iter().collect::<HashSet<_>>().len(),
        ids.len(),
        "no order repeated"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_first_page_has_the_20_newest_orders_with_decimals_as_strings() {
    let app = spawn_app().await;
    let start = Utc::now() - Duration::minutes(5);
    let rows = insert_orders(
        &mut app.db.connect(),
        &(0..25)
            .map(|i| start + Duration::seconds(i))
            .collect::<Vec<_>>(),
    );

    let page = app.page("").await;

    let orders = page["buy_orders"].as_array().unwrap();
    assert_eq!(orders.len(), 20);
    let expected = newest_first(&rows);
    assert_eq!(orders[0]["id"], expected[0].to_string());
    assert_eq!(page["last_reference"], expected[19].to_string());
    assert_eq!(page["has_more"], true);
    let first = &orders[0];
    assert_eq!(first["currency"], "EUR");
    assert_eq!(first["amount"], "100.50");
    assert_eq!(first["exchange_rate"], "38123.45");
    assert_eq!(first["bitcoin_amount"], "0.00263617");
    assert!(
        first["created_at"]
            .as_str()
            .unwrap()
            .parse::<chrono::DateTime<Utc>>()
            .is_ok()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_last_page_says_no_more_and_a_page_past_it_is_empty_with_a_null_reference() {
    let app = spawn_app().await;
    let rows = insert_orders(
        &mut app.db.connect(),
        &[Utc::now() - Duration::seconds(2), Utc::now()],
    );
    let expected = newest_first(&rows);

    let last = app
        .page(&format!("?limit=1&last_reference={}", expected[0]))
        .await;
    let past = app
        .page(&format!("?limit=5&last_reference={}", expected[1]))
        .await;

    assert_eq!(last["buy_orders"].as_array().unwrap().len(), 1);
    assert_eq!(last["has_more"], false);
    assert_eq!(last["last_reference"], expected[1].to_string());
    assert_eq!(
        past,
        serde_json::json!({"buy_orders": [], "last_reference": null, "has_more": false})
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_empty_read_model_gives_an_empty_page() {
    let app = spawn_app().await;

    let page = app.page("?limit=100").await;

    assert_eq!(
        page,
        serde_json::json!({"buy_orders": [], "last_reference": null, "has_more": false})
    );
}
