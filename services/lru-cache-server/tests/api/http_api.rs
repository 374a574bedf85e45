//! The HTTP API with reqwest: storing, reading and deleting keys, errors in the envelope.

use serde_json::{Value, json};

use crate::helpers::{command, spawn_app, spawn_app_with, text};

async fn body(response: reqwest::Response) -> Value {
    response.json().await.expect("a JSON body")
}

#[tokio::test]
async fn posting_a_form_stores_every_pair() {
    let app = spawn_app().await;
    let response = app
        .post_storage(
            "application/x-www-form-urlencoded",
            "k1=v1&k2=hello%20world",
        )
        .await;
    assert_eq!(response.status(), 201);
    assert_eq!(body(response).await, json!({"stored": ["k1", "k2"]}));
    let read = app.get_key("k2").await;
    assert_eq!(read.status(), 200);
    assert_eq!(
        body(read).await,
        json!({"key": "k2", "value": "hello world"})
    );
}

#[tokio::test]
async fn posting_a_json_object_stores_every_pair_in_order() {
    let app = spawn_app().await;
    let response = app
        .post_storage("application/json", r#"{"b": "2", "a": "1"}"#)
        .await;
    assert_eq!(response.status(), 201);
    assert_eq!(body(response).await, json!({"stored": ["b", "a"]}));
    assert_eq!(
        body(app.get_key("a").await).await,
        json!({"key": "a", "value": "1"})
    );
}

#[tokio::test]
async fn a_json_value_that_is_not_a_string_is_422_naming_the_key() {
    let app = spawn_app().await;
    let response = app
        .post_storage("application/json", r#"{"ok": "x", "n": 5}"#)
        .await;
    assert_eq!(response.status(), 422);
    let error = body(response).await;
    assert_eq!(error["error"]["code"], "invalid_value");
    assert_eq!(error["error"]["field"], "n");
    assert_eq!(
        app.get_key("ok").await.status(),
        404,
        "nothing is stored on error"
    );
}

#[tokio::test]
async fn malformed_json_is_400_and_a_non_object_is_422() {
    let app = spawn_app().await;
    let malformed = app.post_storage("application/json", "{\"a\": ").await;
    assert_eq!(malformed.status(), 400);
    assert_eq!(body(malformed).await["error"]["code"], "malformed_json");
    let array = app.post_storage("application/json", "[\"a\"]").await;
    assert_eq!(array.status(), 422);
    let empty = app.post_storage("application/json", "{}").await;
    assert_eq!(empty.status(), 422);
    assert_eq!(body(empty).await["error"]["code"], "no_pairs");
}

#[tokio::test]
async fn another_content_type_is_415() {
    let app = spawn_app().await;
    let response = app.post_storage("text/plain", "k=v").await;
    assert_eq!(response.status(), 415);
    assert_eq!(
        body(response).await["error"]["code"],
        "unsupported_media_type"
    );
}

#[tokio::test]
async fn reading_a_missing_key_is_404_in_the_error_envelope() {
    let app = spawn_app().await;
    let response = app.get_key("nope").await;
    assert_eq!(response.status(), 404);
    let error = body(response).await;
    assert_eq!(error["error"]["code"], "key_not_found");
    assert!(error["error"]["message"].as_str().unwrap().contains("nope"));
}

#[tokio::test]
async fn a_request_without_the_key_parameter_is_400() {
    let app = spawn_app().await;
    for method in [reqwest::Method::GET, reqwest::Method::DELETE] {
        let response = app
            .http
            .request(method, app.url("/api/storage/"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
        let error = body(response).await;
        assert_eq!(error["error"]["code"], "missing_key");
        assert_eq!(error["error"]["field"], "key");
    }
}

#[tokio::test]
async fn deleting_a_key_is_204_then_404() {
    let app = spawn_app().await;
    app.post_storage("application/x-www-form-urlencoded", "k=v")
        .await;
    assert_eq!(app.delete_key("k").await.status(), 204);
    assert_eq!(app.delete_key("k").await.status(), 404);
    assert_eq!(app.get_key("k").await.status(), 404);
}

#[tokio::test]
async fn http_and_resp_share_one_store() {
    let app = spawn_app().await;
    app.exchange(&command(&[b"SET", b"from-resp", b"1"])).await;
    assert_eq!(body(app.get_key("from-resp").await).await["value"], "1");
    app.post_storage("application/json", r#"{"from-http": "2"}"#)
        .await;
    let reply = app.exchange(&command(&[b"GET", b"from-http"])).await;
    assert_eq!(text(&reply), "$1\r\n2\r\n");
}

#[tokio::test]
async fn a_binary_value_set_over_resp_is_409_over_http() {
    let app = spawn_app().await;
    app.exchange(&command(&[b"SET", b"bin", b"\xff\xfe"])).await;
    let response = app.get_key("bin").await;
    assert_eq!(response.status(), 409);
    assert_eq!(body(response).await["error"]["code"], "value_not_utf8");
}

#[tokio::test]
async fn values_and_bodies_over_the_limits_are_refused() {
    let app = spawn_app_with(&[
        ("CACHE_MAX_VALUE_BYTES", "1000"),
        ("CACHE_MAX_REQUEST_BYTES", "70000"),
    ])
    .await;
    let big_value = format!("k={}", "v".repeat(1001));
    let response = app
        .post_storage("application/x-www-form-urlencoded", big_value)
        .await;
    assert_eq!(response.status(), 422);
    assert_eq!(body(response).await["error"]["code"], "value_too_large");
    let big_body = format!("k={}", "v".repeat(80_000));
    let response = app
        .post_storage("application/x-www-form-urlencoded", big_body)
        .await;
    assert_eq!(response.status(), 413);
    assert_eq!(body(response).await["error"]["code"], "payload_too_large");
}

#[tokio::test]
async fn another_method_on_the_storage_route_is_405_naming_the_ones_it_answers() {
    let app = spawn_app().await;
    for path in ["/api/storage/", "/api/storage"] {
        let response = app.http.put(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 405, "{path}");
        assert_eq!(response.headers()["allow"], "GET, POST, DELETE", "{path}");
        assert_eq!(body(response).await["error"]["code"], "method_not_allowed");
    }
}

#[tokio::test]
async fn health_metrics_and_openapi_are_served() {
    let app = spawn_app().await;
    app.exchange(&command(&[b"GET", b"nope"])).await;
    for path in ["/health/live", "/health/ready"] {
        assert_eq!(
            app.http.get(app.url(path)).send().await.unwrap().status(),
            200,
            "{path}"
        );
    }
    let metrics = app
        .http
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for name in [
        "cache_hits_total",
        "cache_misses_total 1",
        "cache_keys",
        "cache_evictions_total",
        "cache_connections",
    ] {
        assert!(metrics.contains(name), "/metrics lacks {name}: {metrics}");
    }
    let openapi = body(app.http.get(app.url("/openapi.json")).send().await.unwrap()).await;
    assert!(
        openapi["paths"]["/api/storage/"]["post"].is_object(),
        "{openapi}"
    );
}
