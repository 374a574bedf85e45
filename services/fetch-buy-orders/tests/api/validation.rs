//! Bad query strings: 422 for values out of range or unknown, 400 for one that does not parse.

use crate::helpers::*;
use serde_json::Value;

async fn error_of(app: &TestApp, query: &str) -> (u16, Value) {
    let response = app.get(&format!("/buy_orders{query}")).await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_limit_that_is_0_101_or_not_a_whole_number_is_422_naming_limit() {
    let app = spawn_app().await;
    for query in [
        "?limit=0",
        "?limit=101",
        "?limit=abc",
        "?limit=-1",
        "?limit=1.5",
        "?limit=",
        "?limit=99999999999999999999",
    ] {
        let (status, body) = error_of(&app, query).await;
        assert_eq!(status, 422, "{query}");
        assert_eq!(body["error"]["code"], "invalid_limit", "{query}");
        assert_eq!(body["error"]["field"], "limit", "{query}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_malformed_last_reference_is_422_naming_it() {
    let app = spawn_app().await;
    for query in [
        "?last_reference=abc",
        "?last_reference=",
        "?last_reference=42",
        "?last_reference=%27%20OR%201=1",
    ] {
        let (status, body) = error_of(&app, query).await;
        assert_eq!(status, 422, "{query}");
        assert_eq!(body["error"]["code"], "invalid_last_reference", "{query}");
        assert_eq!(body["error"]["field"], "last_reference", "{query}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_last_reference_is_422() {
    let app = spawn_app().await;
    insert_orders(&mut app.db.connect(), &[chrono::Utc::now()]);

    let (status, body) = error_of(&app, &format!("?last_reference={}", uuid::Uuid::new_v4())).await;

    assert_eq!(status, 422);
    assert_eq!(body["error"]["code"], "unknown_last_reference");
    assert_eq!(body["error"]["field"], "last_reference");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_query_string_that_does_not_parse_is_400_in_the_envelope() {
    let app = spawn_app().await;

    let (status, body) = error_of(&app, "?limit=1&limit=2").await;

    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "invalid_query");
}

#[tokio::test(flavor = "multi_thread")]
async fn another_method_is_405_and_another_path_404_in_the_envelope() {
    let app = spawn_app().await;

    let post = reqwest::Client::new()
        .post(format!("{}/buy_orders", app.base_url))
        .send()
        .await
        .unwrap();
    let allow = post.headers().get("allow").cloned();
    let (status, body) = (post.status(), post.json::<Value>().await.unwrap());
    let missing = app.get("/buy_order").await;

    assert_eq!(status, 405);
    assert_eq!(body["error"]["code"], "method_not_allowed");
    assert_eq!(allow.unwrap(), "GET");
    assert_eq!(missing.status(), 404);
}
