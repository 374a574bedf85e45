//! Health, readiness, metrics, the OpenAPI document, and the database going away.

use crate::helpers::*;
use test_support::{TcpProxy, TestDatabase, database_address, via_port};

#[tokio::test(flavor = "multi_thread")]
async fn live_ready_metrics_and_openapi_answer() {
    let app = spawn_app().await;
    app.page("").await;

    assert_eq!(app.get("/health/live").await.status(), 200);
    assert_eq!(app.get("/health/ready").await.status(), 200);
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains(r#"route="/buy_orders",status="200""#),
        "{metrics}"
    );
    let doc: serde_json::Value = app.get("/openapi.json").await.json().await.unwrap();
    assert!(doc["paths"]["/buy_orders"]["get"].is_object(), "{doc}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_read_database_unreachable_gives_503_with_retry_after_then_recovers() {
    let db = TestDatabase::migrated(store::Database::Read);
    let proxy = TcpProxy::start(&database_address());
    let url = via_port(db.url(), proxy.port());
    let app = spawn_app_on(db, &url).await;

    proxy.cut();
    let down = app.get("/buy_orders").await;
    let retry_after = down.headers().get("retry-after").cloned();
    let (status, body) = (
        down.status(),
        down.json::<serde_json::Value>().await.unwrap(),
    );
    let ready = app.get("/health/ready").await.status();
    proxy.restore();

    assert_eq!(status, 503);
    assert_eq!(body["error"]["code"], "database_unavailable");
    assert!(retry_after.is_some());
    assert_eq!(ready, 503);
    test_support::eventually(
        "the listing back after the database returns",
        std::time::Duration::from_secs(10),
        || async { (app.get("/buy_orders").await.status() == 200).then_some(()) },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn ready_is_503_and_says_to_run_migration_when_the_schema_is_behind() {
    let db = TestDatabase::empty("fetch_buy_orders");
    let config = fetch_buy_orders::config::Config::from_vars(
        [
            ("READ_DATABASE_URL", db.url().to_owned()),
            ("HTTP_PORT", "0".to_owned()),
        ]
        .map(|(k, v)| (k.to_owned(), v)),
    )
    .unwrap();
    let shutdown = tokio_util::sync::CancellationToken::new();
    let app = fetch_buy_orders::startup::Application::build(config, shutdown.clone())
        .await
        .unwrap();
    let url = format!("http://127.0.0.1:{}/health/ready", app.port());
    tokio::spawn(app.run_until_stopped());

    let response = reqwest::get(&url).await.unwrap();

    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("run `migration`"),
        "{body}"
    );
    shutdown.cancel();
}
