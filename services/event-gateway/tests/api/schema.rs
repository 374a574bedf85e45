use crate::helpers::{spawn_app, status_json};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn get_schema_gives_the_latest_or_the_asked_version() {
    let app = spawn_app().await;
    app.registered("c", "e", &json!({"type": "string"})).await;
    app.registered("c", "e", &json!({"type": "integer"})).await;
    let (status, latest) = status_json(app.get("/c/e/schema").await).await;
    assert_eq!(
        (status, latest["version"].as_i64(), &latest["schema"]),
        (StatusCode::OK, Some(2), &json!({"type": "integer"}))
    );
    let (status, first) = status_json(app.get("/c/e/schema?version=1").await).await;
    assert_eq!(
        (status, first["version"].as_i64(), &first["schema"]),
        (StatusCode::OK, Some(1), &json!({"type": "string"}))
    );
}

#[tokio::test]
async fn get_schema_of_unknown_things_is_404_and_a_bad_version_is_400() {
    let app = spawn_app().await;
    app.registered("c", "e", &json!(true)).await;
    for (path, code) in [
        ("/nobody/e/schema", "unknown_client"),
        ("/c/other/schema", "unknown_event"),
        ("/c/e/schema?version=2", "unknown_version"),
        ("/c/e/schema?version=0", "unknown_version"),
    ] {
        let (status, body) = status_json(app.get(path).await).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (StatusCode::NOT_FOUND, Some(code)),
            "{path}"
        );
    }
    let (status, _) = status_json(app.get("/c/e/schema?version=two").await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn list_events_gives_each_event_with_its_latest_version() {
    let app = spawn_app().await;
    app.registered("c", "Fruits", &json!(true)).await;
    app.registered("c", "Colors", &json!(true)).await;
    app.registered("c", "Colors", &json!(false)).await;
    app.registered("other", "Fruits", &json!(true)).await;
    let (status, body) = status_json(app.get("/c/list_events").await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({"client": "c", "events": [
        {"event": "Colors", "latest_version": 2}, {"event": "Fruits", "latest_version": 1}]})
    );
    let (status, body) = status_json(app.get("/nobody/list_events").await).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("unknown_client"))
    );
}

#[tokio::test]
async fn a_route_asked_with_another_method_is_405_naming_the_one_it_answers() {
    let app = spawn_app().await;
    for (path, allow) in [
        ("/shop/Fruits/send_event", "POST"),
        ("/shop/Fruits/register_event", "POST"),
    ] {
        let response = app.get(path).await;
        let allowed = response.headers().get("allow").cloned();
        let (status, body) = status_json(response).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (StatusCode::METHOD_NOT_ALLOWED, Some("method_not_allowed"))
        );
        assert_eq!(allowed.unwrap(), allow, "{path}");
    }
    let response = app
        .post("/shop/Fruits/schema", &serde_json::json!({}))
        .await;
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.headers()["allow"], "GET");
}
