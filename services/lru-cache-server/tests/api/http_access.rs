//! Access control on the HTTP API: `GET` needs `cache:read`, `POST` and `DELETE` need
//! `cache:write`; a refused write stores or deletes nothing. (The RESP port's `AUTH` is its own.)

use crate::helpers::{TestApp, spawn_app_with};
use http_kit::access::hash_key;
use serde_json::Value;

const READER: &str = "lru-reader-key-40c2";
const WRITER: &str = "lru-writer-key-8e17";

async fn spawn_with_keys() -> TestApp {
    let keys = format!(
        "reader:{}:cache:read;writer:{}:cache:write,cache:read",
        hash_key(READER),
        hash_key(WRITER)
    );
    spawn_app_with(&[("API_KEYS", &keys)]).await
}

async fn store(app: &TestApp, key: Option<&str>) -> reqwest::Response {
    let request = app
        .http
        .post(app.url("/api/storage/"))
        .header("content-type", "application/json")
        .body(r#"{"k": "v"}"#);
    let request = match key {
        Some(key) => request.bearer_auth(key),
        None => request,
    };
    request.send().await.expect("request sent")
}

async fn code(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let body: Value = response.json().await.expect("a JSON envelope");
    (
        status,
        body["error"]["code"].as_str().unwrap_or("").to_owned(),
    )
}

#[tokio::test]
async fn writes_need_cache_write_and_a_refused_write_stores_nothing() {
    let app = spawn_with_keys().await;
    let none = store(&app, None).await;
    assert_eq!(none.headers()["www-authenticate"], "Bearer");
    assert_eq!(code(none).await, (401, "unauthorized".to_owned()));
    assert_eq!(code(store(&app, Some("wrong")).await).await.0, 401);
    let (status, code_text) = code(store(&app, Some(READER)).await).await;
    assert_eq!((status, code_text.as_str()), (403, "forbidden"));
    let read = app
        .http
        .get(app.key_url("k"))
        .bearer_auth(READER)
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 404, "a refused write stored the key");
    assert_eq!(store(&app, Some(WRITER)).await.status(), 201);
}

#[tokio::test]
async fn reads_need_cache_read_and_deletes_cache_write() {
    let app = spawn_with_keys().await;
    assert_eq!(store(&app, Some(WRITER)).await.status(), 201);
    assert_eq!(app.get_key("k").await.status(), 401);
    let read = app
        .http
        .get(app.key_url("k"))
        .bearer_auth(READER)
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 200);
    let refused = app
        .http
        .delete(app.key_url("k"))
        .bearer_auth(READER)
        .send()
        .await
        .unwrap();
    let (status, _) = code(refused).await;
    assert_eq!(status, 403);
    let still = app
        .http
        .get(app.key_url("k"))
        .bearer_auth(READER)
        .send()
        .await
        .unwrap();
    assert_eq!(still.status(), 200, "a refused delete deleted the key");
    let deleted = app
        .http
        .delete(app.key_url("k"))
        .bearer_auth(WRITER)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
}
