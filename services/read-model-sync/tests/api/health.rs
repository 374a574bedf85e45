//! Health, readiness and the OpenAPI document.

use crate::helpers::*;
use std::time::Duration;
use test_support::{TestDatabase, amqp_url};

#[tokio::test(flavor = "multi_thread")]
async fn live_ready_metrics_and_openapi_answer() {
    let world = spawn_world().await;

    assert_eq!(world.app.get("/health/live").await.status(), 200);
    assert_eq!(world.app.get("/health/ready").await.status(), 200);
    let metrics = world.app.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains("read_model_events_applied_total 0"),
        "{metrics}"
    );
    let doc: serde_json::Value = world.app.get("/openapi.json").await.json().await.unwrap();
    assert_eq!(doc["info"]["title"], "read-model-sync");
    delete_exchange(&world.names).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn ready_is_503_and_says_to_run_migration_when_the_schema_is_behind() {
    let db = TestDatabase::empty("read_model_sync");
    let names = Names::unique();
    let config = read_model_sync::config::Config::from_vars(
        [
            ("READ_DATABASE_URL", db.url().to_owned()),
            ("AMQP_URL", amqp_url()),
            ("BUY_ORDERS_EXCHANGE", names.exchange.clone()),
            ("READ_MODEL_QUEUE", names.queue.clone()),
            ("READ_MODEL_QUEUE_EXPIRES_MS", "60000".to_owned()),
            ("HTTP_PORT", "0".to_owned()),
        ]
        .map(|(k, v)| (k.to_owned(), v)),
    )
    .unwrap();
    let shutdown = tokio_util::sync::CancellationToken::new();
    let app = read_model_sync::startup::Application::build(config, shutdown.clone())
        .await
        .unwrap();
    let url = format!("http://127.0.0.1:{}/health/ready", app.port());
    let handle = tokio::spawn(app.run_until_stopped());

    let response = reqwest::get(&url).await.unwrap();

    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_ready");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("run `migration`"),
        "{body}"
    );
    shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(20), handle)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    delete_exchange(&names).await;
}
