//! Access control: reads (`GET /pairs`, `GET /rates/..`) need `rates:read`, pair changes
//! (`POST /pairs`, `DELETE /pairs/..`) `rates:admin`; a refused change changes nothing.

use crate::helpers::{Options, TestApp, recorded_upstream, spawn_app};
use serde_json::{Value, json};
use test_support::access::{FULL_KEY, api_keys, assert_refused};

async fn spawn_with_keys() -> (TestApp, wiremock::MockServer) {
    let upstream = recorded_upstream().await;
    let options = Options {
        extra: vec![("API_KEYS".to_owned(), api_keys("rates:read,rates:admin"))],
        ..Options::new(&upstream.uri())
    };
    (spawn_app(options).await, upstream)
}

async fn pairs(app: &TestApp) -> Value {
    let response = app
        .client
        .get(format!("{}/pairs", app.address))
        .bearer_auth(FULL_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn pair_changes_need_rates_admin_and_a_refused_change_changes_nothing() {
    let (app, _upstream) = spawn_with_keys().await;
    let post = || {
        app.client
            .post(format!("{}/pairs", app.address))
            .json(&json!({"base": "USD", "quote": "EUR"}))
    };
    assert_refused(post, "rates:admin").await;
    assert_eq!(pairs(&app).await, json!([]), "a refused POST stored a pair");
    assert_eq!(
        post().bearer_auth(FULL_KEY).send().await.unwrap().status(),
        201
    );
    let delete_url = format!("{}/pairs/USD/EUR", app.address);
    assert_refused(|| app.client.delete(&delete_url), "rates:admin").await;
    assert_eq!(
        pairs(&app).await.as_array().unwrap().len(),
        1,
        "a refused DELETE removed it"
    );
}

#[tokio::test]
async fn reads_need_rates_read() {
    let (app, _upstream) = spawn_with_keys().await;
    for path in ["/pairs", "/rates/USD/EUR"] {
        let url = format!("{}{path}", app.address);
        assert_refused(|| app.client.get(&url), "rates:read").await;
        let allowed = app
            .client
            .get(&url)
            .bearer_auth(FULL_KEY)
            .send()
            .await
            .unwrap();
        assert!(![401, 403].contains(&allowed.status().as_u16()), "{path}");
    }
}
