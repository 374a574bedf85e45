//! The core's rules through its ports, with the in-memory adapters.

use crate::{
    adapters::memory::{MemoryEventStream, MemorySchemaStore},
    core::{CoreError, Gateway, PortError},
};
use serde_json::{Value, json};
use std::sync::Arc;

struct Fixture {
    gateway: Arc<Gateway>,
    stream: Arc<MemoryEventStream>,
}

fn fixture() -> Fixture {
    let stream = Arc::new(MemoryEventStream::default());
    let gateway = Gateway::new(Arc::new(MemorySchemaStore::default()), stream.clone(), 16);
    Fixture {
        gateway: Arc::new(gateway),
        stream,
    }
}

fn fruit_schema() -> Value {
    json!({"type": "object", "properties": {"fruit": {"type": "string"}}, "required": ["fruit"]})
}

impl Fixture {
    async fn send(
        &self,
        client: &str,
        event: &str,
        body: &Value,
    ) -> Result<crate::core::Accepted, CoreError> {
        let raw = serde_json::to_vec(body).unwrap();
        self.gateway
            .receive(client, event, body, raw, Some("req-1".to_owned()))
            .await
    }
}

#[tokio::test]
async fn first_registration_is_version_1_and_the_same_schema_again_changes_nothing() {
    let f = fixture();
    let first = f
        .gateway
        .register("shop", "Fruits", &fruit_schema())
        .await
        .unwrap();
    assert!(first.created);
    assert_eq!(first.stored.version, 1);
    let again = f
        .gateway
        .register("shop", "Fruits", &fruit_schema())
        .await
        .unwrap();
    assert!(!again.created);
    assert_eq!(again.stored.version, 1);
}

#[tokio::test]
async fn a_different_schema_adds_the_next_version_and_events_use_the_latest() {
    let f = fixture();
    f.gateway
        .register("shop", "Fruits", &fruit_schema())
        .await
        .unwrap();
    let v2 = json!({"type": "object", "required": ["colour"]});
    assert_eq!(
        f.gateway
            .register("shop", "Fruits", &v2)
            .await
            .unwrap()
            .stored
            .version,
        2
    );
    let rejected = f
        .send("shop", "Fruits", &json!({"fruit": "apple"}))
        .await
        .unwrap_err();
    assert!(
        matches!(rejected, CoreError::InvalidEvent { version: 2, .. }),
        "{rejected:?}"
    );
    let accepted = f
        .send("shop", "Fruits", &json!({"colour": "red"}))
        .await
        .unwrap();
    assert_eq!(accepted.schema_version, 2);
    assert_eq!(
        f.gateway
            .schema("shop", "Fruits", Some(1))
            .await
            .unwrap()
            .schema,
        fruit_schema()
    );
}

#[tokio::test]
async fn concurrent_registrations_of_different_schemas_get_distinct_versions() {
    let f = fixture();
    let runs = (0..8).map(|i| {
        let gateway = f.gateway.clone();
        tokio::spawn(async move { gateway.register("c", "e", &json!({"maxLength": i})).await })
    });
    let mut versions: Vec<i32> = Vec::new();
    for run in runs {
        versions.push(run.await.unwrap().unwrap().stored.version);
    }
    versions.sort_unstable();
    assert_eq!(versions, (1..=8).collect::<Vec<_>>());
}

#[tokio::test]
async fn an_invalid_schema_is_refused_with_its_reasons_and_nothing_is_stored() {
    let f = fixture();
    let error = f
        .gateway
        .register("c", "e", &json!({"type": "nope", "minLength": -1}))
        .await
        .unwrap_err();
    let CoreError::InvalidSchema(reasons) = error else {
        panic!("{error:?}")
    };
    assert!(reasons.len() >= 2, "{reasons:?}");
    assert!(matches!(
        f.gateway.list("c").await,
        Err(CoreError::UnknownClient(_))
    ));
}

#[tokio::test]
async fn the_draft_is_taken_from_dollar_schema() {
    let f = fixture();
    // `exclusiveMinimum` is a boolean in draft 4 and a number from draft 6 on.
    let draft4 = json!({"$schema": "http://json-schema.org/draft-04/schema#", "minimum": 1, "exclusiveMinimum": true});
    assert!(f.gateway.register("c", "d4", &draft4).await.is_ok());
    let as_2020 = json!({"minimum": 1, "exclusiveMinimum": true});
    assert!(matches!(
        f.gateway.register("c", "d2020", &as_2020).await,
        Err(CoreError::InvalidSchema(_))
    ));
    assert!(f.send("c", "d4", &json!(1)).await.is_err());
    assert!(f.send("c", "d4", &json!(2)).await.is_ok());
}

#[tokio::test]
async fn formats_are_asserted() {
    let f = fixture();
    f.gateway
        .register("c", "e", &json!({"type": "string", "format": "email"}))
        .await
        .unwrap();
    assert!(matches!(
        f.send("c", "e", &json!("not an email")).await,
        Err(CoreError::InvalidEvent { .. })
    ));
    assert!(f.send("c", "e", &json!("a@example.com")).await.is_ok());
}

#[tokio::test]
async fn a_remote_ref_is_refused_not_fetched() {
    let f = fixture();
    let schema = json!({"$ref": "http://127.0.0.1:9/schema.json"});
    assert!(matches!(
        f.gateway.register("c", "e", &schema).await,
        Err(CoreError::InvalidSchema(_))
    ));
}

#[tokio::test]
async fn every_violation_is_reported_with_its_instance_path() {
    let f = fixture();
    let schema = json!({"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "string"}}});
    f.gateway.register("c", "e", &schema).await.unwrap();
    let error = f
        .send("c", "e", &json!({"a": "x", "b": 1}))
        .await
        .unwrap_err();
    let CoreError::InvalidEvent { violations, .. } = error else {
        panic!("{error:?}")
    };
    let mut paths: Vec<&str> = violations
        .iter()
        .map(|v| v.instance_path.as_str())
        .collect();
    paths.sort_unstable();
    assert_eq!(paths, ["/a", "/b"]);
    assert!(f.stream.published().is_empty());
}

#[tokio::test]
async fn an_accepted_event_is_published_with_its_metadata_and_bytes() {
    let f = fixture();
    f.gateway
        .register("shop", "Fruits", &fruit_schema())
        .await
        .unwrap();
    let raw = br#"{"fruit":  "apple"}"#.to_vec();
    let accepted = f
        .gateway
        .receive(
            "shop",
            "Fruits",
            &json!({"fruit": "apple"}),
            raw.clone(),
            Some("r".into()),
        )
        .await
        .unwrap();
    let published = f.stream.published();
    assert_eq!(published.len(), 1);
    let event = &published[0];
    assert_eq!(
        (event.event_id, event.routing_key.as_str()),
        (accepted.event_id, "shop.Fruits")
    );
    assert_eq!(
        (
            event.client.as_str(),
            event.event.as_str(),
            event.schema_version
        ),
        ("shop", "Fruits", 1)
    );
    assert_eq!(
        (event.body.clone(), event.correlation_id.as_deref()),
        (raw, Some("r"))
    );
}

#[tokio::test]
async fn unknown_client_and_unknown_event_are_told_apart() {
    let f = fixture();
    assert!(matches!(
        f.send("nobody", "e", &json!({})).await,
        Err(CoreError::UnknownClient(_))
    ));
    f.gateway.register("c", "e", &json!(true)).await.unwrap();
    assert!(matches!(
        f.send("c", "other", &json!({})).await,
        Err(CoreError::UnknownEvent { .. })
    ));
    assert!(matches!(
        f.gateway.schema("c", "e", Some(2)).await,
        Err(CoreError::UnknownVersion { .. })
    ));
}

#[tokio::test]
async fn bad_names_are_refused_before_any_port_is_used() {
    let f = fixture();
    for (client, event, field) in [
        ("a.b", "e", "client"),
        ("c", "*", "event"),
        ("", "e", "client"),
    ] {
        let error = f
            .gateway
            .register(client, event, &json!(true))
            .await
            .unwrap_err();
        assert!(
            matches!(&error, CoreError::InvalidName { field: f } if f == field),
            "{error:?}"
        );
    }
}

#[tokio::test]
async fn a_stream_failure_is_reported_and_nothing_is_claimed() {
    let f = fixture();
    f.gateway.register("c", "e", &json!(true)).await.unwrap();
    f.stream.set_down(true);
    let error = f.send("c", "e", &json!(1)).await.unwrap_err();
    assert!(
        matches!(error, CoreError::Stream(PortError::Unavailable(_))),
        "{error:?}"
    );
    assert!(f.stream.published().is_empty());
}

#[tokio::test]
async fn validators_are_compiled_once_per_version_and_cached() {
    let f = fixture();
    f.gateway
        .register("c", "e", &json!({"type": "integer"}))
        .await
        .unwrap();
    f.gateway
        .register("c", "e", &json!({"type": "string"}))
        .await
        .unwrap();
    assert_eq!(f.gateway.cache().len(), 2);
    for _ in 0..5 {
        f.send("c", "e", &json!("x")).await.unwrap();
    }
    assert_eq!(f.gateway.cache().len(), 2);
}

#[tokio::test]
async fn list_gives_each_event_with_its_latest_version() {
    let f = fixture();
    f.gateway.register("c", "b", &json!(true)).await.unwrap();
    f.gateway.register("c", "a", &json!(true)).await.unwrap();
    f.gateway.register("c", "a", &json!(false)).await.unwrap();
    let listed: Vec<(String, i32)> = f
        .gateway
        .list("c")
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.event, e.latest_version))
        .collect();
    assert_eq!(listed, [("a".to_owned(), 2), ("b".to_owned(), 1)]);
}
