//! Access control: `/status` takes any configured key; health stays open.

use migration::startup::Application;
use store::Database;
use test_support::{
    TestDatabase,
    access::{FULL_KEY, OTHER_KEY, UNKNOWN_KEY, api_keys},
};
use tokio_util::sync::CancellationToken;

#[tokio::test]
async fn status_needs_a_key_any_key() {
    let db = TestDatabase::migrated(Database::Write);
    let targets = vec![(Database::Write, db.url().to_owned())];
    let config = http_kit::AccessConfig {
        api_keys: Some(api_keys("orders:read")),
        ..http_kit::AccessConfig::default()
    };
    let token = CancellationToken::new();
    let http = env_config::HttpSettings {
        port: 0,
        ..Default::default()
    };
    let app = Application::build(&http, targets, config.load().unwrap(), token.clone()).unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::new();
    let status = format!("{base}/status");
    let none = client.get(&status).send().await.unwrap();
    assert_eq!(none.status(), 401);
    assert_eq!(none.headers()["www-authenticate"], "Bearer");
    let unknown = client
        .get(&status)
        .bearer_auth(UNKNOWN_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 401);
    for key in [FULL_KEY, OTHER_KEY] {
        let allowed = client.get(&status).bearer_auth(key).send().await.unwrap();
        assert_eq!(allowed.status(), 200);
    }
    let live = client
        .get(format!("{base}/health/live"))
        .send()
        .await
        .unwrap();
    assert_eq!(live.status(), 200);
    token.cancel();
}
