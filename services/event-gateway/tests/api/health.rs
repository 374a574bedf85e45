use crate::helpers::{spawn_app, status_json};
use reqwest::StatusCode;

#[tokio::test]
async fn ready_when_database_is_migrated_and_broker_reachable() {
    let app = spawn_app().await;
    test_support::wait_until_ready(&app.address, std::time::Duration::from_secs(10)).await;
    let (status, body) = status_json(app.get("/health/live").await).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("live"))
    );
}

#[tokio::test]
async fn openapi_lists_the_four_endpoints_and_metrics_count_events() {
    let app = spawn_app().await;
    let (status, doc) = status_json(app.get("/openapi.json").await).await;
    assert_eq!(status, StatusCode::OK);
    for path in [
        "/{client}/{event}/register_event",
        "/{client}/{event}/send_event",
        "/{client}/{event}/schema",
        "/{client}/list_events",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} missing");
    }
    let parameters = &doc["paths"]["/{client}/{event}/send_event"]["post"]["parameters"];
    let patterns: Vec<(&str, &str)> = parameters
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap(),
                p["schema"]["pattern"].as_str().unwrap(),
            )
        })
        .collect();
    let names = "^[A-Za-z0-9_-]{1,64}$";
    assert_eq!(patterns, [("client", names), ("event", names)]);
    app.send("nobody", "nothing", &serde_json::json!({})).await;
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains("event_gateway_events_total{outcome=\"unknown\"} 1"),
        "{metrics}"
    );
}
