use crate::helpers::{TestApp, name, spawn_app, status_json};
use reqwest::StatusCode;
use serde_json::json;
use std::sync::Arc;

/// Registers `count` new schemas of `c`/`race` at once, spread over `apps` in turn; each must be
/// 201. The versions they got, sorted.
async fn register_concurrently(apps: &[Arc<TestApp>], count: usize) -> Vec<i64> {
    let runs: Vec<_> = (0..count)
        .map(|i| {
            let app = apps[i % apps.len()].clone();
            tokio::spawn(async move {
                status_json(app.register("c", "race", &json!({"maxLength": i})).await).await
            })
        })
        .collect();
    let mut versions = Vec::new();
    for run in runs {
        let (status, body) = run.await.unwrap();
        assert_eq!(status, StatusCode::CREATED, "{body}");
        versions.push(body["version"].as_i64().unwrap());
    }
    versions.sort_unstable();
    versions
}

#[tokio::test]
async fn register_a_new_schema_is_201_with_version_1() {
    let app = spawn_app().await;
    let schema = json!({"type": "object", "properties": {"fruit": {"type": "string"}}});
    let (status, body) = status_json(app.register("shop", "Fruits", &schema).await).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        (body["client"].as_str(), body["event"].as_str()),
        (Some("shop"), Some("Fruits"))
    );
    assert_eq!(
        (body["version"].as_i64(), &body["schema"]),
        (Some(1), &schema)
    );
}

#[tokio::test]
async fn register_the_same_schema_again_is_200_and_keeps_the_version() {
    let app = spawn_app().await;
    let schema = json!({"type": "string"});
    app.registered("c", "e", &schema).await;
    let (status, body) = status_json(app.register("c", "e", &schema).await).await;
    assert_eq!(
        (status, body["version"].as_i64()),
        (StatusCode::OK, Some(1))
    );
}

#[tokio::test]
async fn register_a_different_schema_adds_version_2() {
    let app = spawn_app().await;
    app.registered("c", "e", &json!({"type": "string"})).await;
    let (status, body) =
        status_json(app.register("c", "e", &json!({"type": "integer"})).await).await;
    assert_eq!(
        (status, body["version"].as_i64()),
        (StatusCode::CREATED, Some(2))
    );
}

#[tokio::test]
async fn concurrent_registrations_of_new_schemas_all_succeed_with_distinct_versions() {
    let app = Arc::new(spawn_app().await);
    let versions = register_concurrently(&[app], 10).await;
    assert_eq!(versions, (1..=10).collect::<Vec<_>>());
}

#[tokio::test]
async fn register_an_invalid_schema_is_422_with_every_reason() {
    let app = spawn_app().await;
    let (status, body) = status_json(
        app.register("c", "e", &json!({"type": "nope", "minLength": -1}))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["code"], "invalid_schema");
    let details = body["error"]["details"].as_array().unwrap();
    assert!(details.len() >= 2, "{body}");
    assert!(
        details
            .iter()
            .all(|d| d["message"].is_string() && d["instance_path"].is_string()),
        "{body}"
    );
    assert_eq!(
        app.get("/c/list_events").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn register_a_body_that_is_not_json_is_400() {
    let app = spawn_app().await;
    let (status, body) = status_json(
        app.post_raw("/c/e/register_event", "application/json", "{not json")
            .await,
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("malformed_json"))
    );
}

#[tokio::test]
async fn register_with_a_wrong_content_type_is_415() {
    let app = spawn_app().await;
    let (status, body) = status_json(
        app.post_raw("/c/e/register_event", "text/plain", "{}")
            .await,
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Some("unsupported_media_type")
        )
    );
}

#[tokio::test]
async fn register_with_a_remote_ref_is_422_and_nothing_is_fetched() {
    let app = spawn_app().await;
    let upstream = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let schema = json!({"$ref": format!("http://{}/schema.json", upstream.local_addr().unwrap())});
    let (status, body) = status_json(app.register("c", "e", &schema).await).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_schema"))
    );
    let nobody =
        tokio::time::timeout(std::time::Duration::from_millis(100), upstream.accept()).await;
    assert!(nobody.is_err(), "the gateway connected to the remote $ref");
}

#[tokio::test]
async fn names_outside_letters_digits_underscore_dash_or_over_64_are_422() {
    let app = spawn_app().await;
    let long = "x".repeat(65);
    for (client, event, field) in [
        ("a.b", "e", "client"),
        ("c", "e*", "event"),
        ("c", "%23", "event"),
        (long.as_str(), "e", "client"),
    ] {
        let (status, body) = status_json(app.register(client, event, &json!(true)).await).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{client}/{event}: {body}"
        );
        assert_eq!(
            (
                body["error"]["code"].as_str(),
                body["error"]["field"].as_str()
            ),
            (Some("invalid_name"), Some(field))
        );
    }
    let ok = name("ok_name");
    assert_eq!(
        app.register(&ok, &"y".repeat(64), &json!(true))
            .await
            .status(),
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn register_each_draft_by_dollar_schema() {
    let app = spawn_app().await;
    let drafts = [
        ("d4", "http://json-schema.org/draft-04/schema#"),
        ("d6", "http://json-schema.org/draft-06/schema#"),
        ("d7", "http://json-schema.org/draft-07/schema#"),
        ("d2019", "https://json-schema.org/draft/2019-09/schema"),
        ("d2020", "https://json-schema.org/draft/2020-12/schema"),
    ];
    for (event, uri) in drafts {
        let (status, body) = status_json(
            app.register("c", event, &json!({"$schema": uri, "type": "integer"}))
                .await,
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{event}: {body}");
    }
    // Draft 4 only: a boolean exclusiveMinimum.
    let d4 = json!({"$schema": "http://json-schema.org/draft-04/schema#", "minimum": 1, "exclusiveMinimum": true});
    assert_eq!(
        app.register("c", "d4b", &d4).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(
        app.send("c", "d4b", &json!(1)).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let d2020 = json!({"minimum": 1, "exclusiveMinimum": true});
    assert_eq!(
        app.register("c", "d2020b", &d2020).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[tokio::test]
async fn two_instances_registering_concurrently_get_distinct_versions() {
    let one = Arc::new(spawn_app().await);
    let two = Arc::new(crate::helpers::second_instance(&one).await);
    let versions = register_concurrently(&[one, two], 12).await;
    assert_eq!(versions, (1..=12).collect::<Vec<_>>());
}

#[tokio::test]
async fn a_schema_with_a_nul_character_is_422_not_a_server_error() {
    let app = spawn_app().await;
    let (status, body) =
        status_json(app.register("c", "e", &json!({"const": "a\u{0}b"})).await).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("unsupported_value"))
    );
}

#[tokio::test]
async fn an_unknown_format_name_is_422_at_registration_and_nothing_is_stored() {
    let app = spawn_app().await;
    let schema = json!({"properties": {"when": {"type": "string", "format": "date-tme"}}});

    let (status, body) = status_json(app.register("shop", "Typo", &schema).await).await;

    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "invalid_schema");
    assert!(body.to_string().contains("date-tme"), "{body}");
    let (status, _) = status_json(app.get("/shop/Typo/schema").await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Known formats are still fine.
    let known = json!({"properties": {"when": {"type": "string", "format": "date-time"}}});
    app.registered("shop", "Typo", &known).await;
}

#[tokio::test]
async fn a_schema_with_a_key_twice_in_one_object_is_400() {
    let app = spawn_app().await;
    let response = app
        .post_raw(
            "/shop/Dup/register_event",
            "application/json",
            r#"{"type": "string", "type": "integer"}"#,
        )
        .await;
    let (status, body) = status_json(response).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("duplicate_key"))
    );
}
