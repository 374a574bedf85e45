//! Access control: `send_event` needs `events:{client}:send`, `register_event`
//! `events:{client}:admin`, and reading schemas either; a key for one client opens nothing of
//! another; refused events are not published and refused schemas not stored.

use crate::helpers::{TestApp, name, spawn_app_with_vars};
use serde_json::{Value, json};
use test_support::access::{FULL_KEY, api_keys, assert_refused};

/// The app with [`FULL_KEY`] holding `scopes`.
async fn spawn_with_keys(scopes: &str) -> TestApp {
    let keys = api_keys(scopes);
    spawn_app_with_vars(&test_support::amqp_url(), &[("API_KEYS", &keys)]).await
}

fn schema() -> Value {
    json!({"type": "object", "required": ["fruit"]})
}

fn post(app: &TestApp, path: &str, body: &Value, key: Option<&str>) -> reqwest::RequestBuilder {
    let request = app.client.post(format!("{}{path}", app.address)).json(body);
    match key {
        Some(key) => request.bearer_auth(key),
        None => request,
    }
}

#[tokio::test]
async fn register_needs_the_clients_admin_scope_and_a_refused_schema_is_not_stored() {
    let client = name("acme");
    let app = spawn_with_keys(&format!("events:{client}:admin")).await;
    let path = format!("/{client}/fruit/register_event");
    assert_refused(
        || post(&app, &path, &schema(), None),
        &format!("events:{client}:admin"),
    )
    .await;
    let read = app
        .client
        .get(format!("{}/{client}/fruit/schema", app.address))
        .bearer_auth(FULL_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 404, "a refused schema was stored");
    let created = post(&app, &path, &schema(), Some(FULL_KEY))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
}

#[tokio::test]
async fn send_needs_the_clients_send_scope_and_a_refused_event_is_not_published() {
    let client = name("acme");
    let scopes = format!("events:{client}:send,events:{client}:admin");
    let app = spawn_with_keys(&scopes).await;
    let registered = post(
        &app,
        &format!("/{client}/fruit/register_event"),
        &schema(),
        Some(FULL_KEY),
    );
    assert_eq!(registered.send().await.unwrap().status(), 201);
    let watcher = app.watch(&format!("{client}.#")).await;
    let path = format!("/{client}/fruit/send_event");
    let refused = json!({"fruit": "refused"});
    assert_refused(
        || post(&app, &path, &refused, None),
        &format!("events:{client}:send"),
    )
    .await;
    let accepted = post(&app, &path, &json!({"fruit": "apple"}), Some(FULL_KEY));
    assert_eq!(accepted.send().await.unwrap().status(), 202);
    // Published in order: had a refused event gone out, it would come first.
    let received = watcher.receive(1).await;
    let body: Value = serde_json::from_slice(&received[0].body).unwrap();
    assert_eq!(body["fruit"], "apple");
    assert!(
        watcher.next().await.is_none(),
        "more than the accepted event was published"
    );
}

#[tokio::test]
async fn a_key_for_one_client_can_neither_send_to_nor_register_for_another() {
    let acme = name("acme");
    let other = name("other");
    let app = spawn_with_keys(&format!("events:{acme}:send,events:{acme}:admin")).await;
    for (path, scope) in [
        (
            format!("/{other}/fruit/register_event"),
            format!("events:{other}:admin"),
        ),
        (
            format!("/{other}/fruit/send_event"),
            format!("events:{other}:send"),
        ),
    ] {
        let response = post(&app, &path, &schema(), Some(FULL_KEY))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "{path}");
        let body: Value = response.json().await.unwrap();
        assert!(
            body["error"]["message"].as_str().unwrap().contains(&scope),
            "{body}"
        );
    }
    let own = post(
        &app,
        &format!("/{acme}/fruit/register_event"),
        &schema(),
        Some(FULL_KEY),
    );
    assert_eq!(own.send().await.unwrap().status(), 201);
}

#[tokio::test]
async fn a_send_key_reads_its_clients_schemas_and_list_but_not_anothers() {
    let acme = name("acme");
    let other = name("other");
    let app = spawn_with_keys(&format!("events:{acme}:send")).await;
    for path in [
        format!("/{acme}/list_events"),
        format!("/{acme}/fruit/schema"),
    ] {
        let response = app
            .client
            .get(format!("{}{path}", app.address))
            .bearer_auth(FULL_KEY)
            .send()
            .await
            .unwrap();
        assert_ne!(response.status().as_u16(), 401, "{path}");
        assert_ne!(response.status().as_u16(), 403, "{path}");
    }
    let url = format!("{}/{other}/list_events", app.address);
    assert_refused(|| app.client.get(&url), &format!("events:{other}:send")).await;
}
