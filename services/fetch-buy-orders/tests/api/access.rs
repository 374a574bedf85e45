//! Access control: `GET /buy_orders` needs `orders:read`.

use crate::helpers::spawn_app_with;
use store::Database;
use test_support::{
    TestDatabase,
    access::{FULL_KEY, api_keys, assert_refused},
};

#[tokio::test]
async fn the_listing_needs_an_orders_read_key() {
    let db = TestDatabase::migrated(Database::Read);
    let url = db.url().to_owned();
    let app = spawn_app_with(db, &url, &[("API_KEYS", api_keys("orders:read"))]).await;
    let client = reqwest::Client::new();
    let listing = format!("{}/buy_orders", app.base_url);
    assert_refused(|| client.get(&listing), "orders:read").await;
    let allowed = client
        .get(&listing)
        .bearer_auth(FULL_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(allowed.status(), 200);
    let open = client
        .get(format!("{}/health/ready", app.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(open.status(), 200);
}
