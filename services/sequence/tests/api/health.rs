use crate::helpers::spawn_app;

#[tokio::test]
async fn ready_is_200_on_a_migrated_database() {
    let app = spawn_app().await;
    assert_eq!(app.get("/health/ready").await.status(), 200);
    assert_eq!(app.get("/health/live").await.status(), 200);
}

#[tokio::test]
async fn ready_is_503_when_the_schema_is_not_migrated() {
    let database = std::sync::Arc::new(test_support::TestDatabase::empty("sequence_empty"));
    let app = crate::helpers::spawn_app_on(database).await;
    let response = app.get("/health/ready").await;
    assert_eq!(response.status(), 503);
    assert!(response.text().await.unwrap().contains("migration"));
}

#[tokio::test]
async fn metrics_count_the_numbers_dispensed() {
    let app = spawn_app().await;
    app.batch("forward", 7).await;
    let body = app.get("/metrics").await.text().await.unwrap();
    assert!(
        body.contains("sequence_numbers_dispensed_total{direction=\"forward\"} 7"),
        "{body}"
    );
}

#[tokio::test]
async fn openapi_lists_both_versions() {
    let app = spawn_app().await;
    let body: serde_json::Value = app.get("/openapi.json").await.json().await.unwrap();
    for path in ["/v1/forward", "/v1/reverse", "/v2/forward", "/v2/reverse"] {
        assert!(body["paths"][path].is_object(), "{path}");
    }
}

#[tokio::test]
async fn a_database_outage_is_503_with_retry_after_and_recovers() {
    let database = std::sync::Arc::new(test_support::TestDatabase::migrated(
        store::Database::Sequence,
    ));
    let proxy = test_support::TcpProxy::start(&test_support::database_address());
    let url = test_support::via_port(database.url(), proxy.port());
    let app = crate::helpers::spawn_app_with_url(database, &url).await;
    assert_eq!(app.batch("forward", 2).await, vec![1, 2]);

    proxy.cut();
    let response = app.get("/v2/forward?count=2").await;
    assert_eq!(response.status(), 503);
    assert!(response.headers().contains_key("retry-after"));
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "database_unavailable");

    proxy.restore();
    let after = app.batch("forward", 1).await;
    assert!(
        after[0] > 2,
        "numbers never repeat after an outage: {after:?}"
    );
}
