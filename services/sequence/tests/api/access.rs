//! Access control: every draw (`/v1`, `/v2`) needs `sequence:draw`, and a refused draw uses up
//! no number.

use crate::helpers::{TestApp, spawn_app_with};
use std::sync::Arc;
use store::Database;
use test_support::{
    TestDatabase,
    access::{FULL_KEY, api_keys, assert_refused},
};

async fn spawn_with_keys(scopes: &str) -> TestApp {
    let database = Arc::new(TestDatabase::migrated(Database::Sequence));
    let url = database.url().to_owned();
    let keys = api_keys(scopes);
    spawn_app_with(database, &url, &[("API_KEYS", &keys)]).await
}

#[tokio::test]
async fn draws_without_a_sequence_draw_key_are_refused_and_use_up_no_number() {
    let app = spawn_with_keys("sequence:draw").await;
    for path in ["/v1/forward", "/v1/reverse", "/v2/forward", "/v2/reverse"] {
        let url = format!("{}{path}", app.address);
        assert_refused(|| app.client.get(&url), "sequence:draw").await;
    }
    let first = app
        .client
        .get(format!("{}/v1/forward", app.address))
        .bearer_auth(FULL_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 200);
    assert_eq!(first.text().await.unwrap(), "1");
}
