//! The latest-version cache of `receive`, through the ports with the in-memory adapters:
//! fewer store reads, local registrations at once, other instances' within the TTL.

use crate::{
    adapters::memory::{MemoryEventStream, MemorySchemaStore},
    core::{CoreError, Gateway},
};
use serde_json::{Value, json};
use std::{
    sync::Arc,
    time::{Duration, Instant},
};

fn gateway(store: &Arc<MemorySchemaStore>, ttl: Duration) -> Gateway {
    Gateway::new(store.clone(), Arc::new(MemoryEventStream::default()), 16).with_version_ttl(ttl)
}

async fn send(gateway: &Gateway, body: &Value) -> Result<i32, CoreError> {
    let raw = serde_json::to_vec(body).unwrap();
    gateway
        .receive("shop", "Fruits", body, raw, None)
        .await
        .map(|accepted| accepted.schema_version)
}

#[tokio::test]
async fn with_a_ttl_events_do_not_read_the_latest_version_each_time() {
    let store = Arc::new(MemorySchemaStore::default());
    let gateway = gateway(&store, Duration::from_secs(3600));
    gateway
        .register("shop", "Fruits", &json!({"type": "string"}))
        .await
        .unwrap();
    let reads = store.latest_reads();
    for _ in 0..10 {
        assert_eq!(send(&gateway, &json!("apple")).await.unwrap(), 1);
    }
    assert_eq!(store.latest_reads(), reads, "served from memory");
}

#[tokio::test]
async fn without_a_ttl_every_event_reads_the_latest_version() {
    let store = Arc::new(MemorySchemaStore::default());
    let gateway = gateway(&store, Duration::ZERO);
    gateway
        .register("shop", "Fruits", &json!({"type": "string"}))
        .await
        .unwrap();
    let reads = store.latest_reads();
    for _ in 0..3 {
        send(&gateway, &json!("apple")).await.unwrap();
    }
    assert_eq!(store.latest_reads(), reads + 3);
}

#[tokio::test]
async fn a_local_registration_takes_effect_at_once_whatever_the_ttl() {
    let store = Arc::new(MemorySchemaStore::default());
    let gateway = gateway(&store, Duration::from_secs(3600));
    gateway
        .register("shop", "Fruits", &json!({"type": "string"}))
        .await
        .unwrap();
    assert_eq!(send(&gateway, &json!("apple")).await.unwrap(), 1);
    gateway
        .register("shop", "Fruits", &json!({"type": "integer"}))
        .await
        .unwrap();
    assert!(matches!(
        send(&gateway, &json!("apple")).await,
        Err(CoreError::InvalidEvent { version: 2, .. })
    ));
    assert_eq!(send(&gateway, &json!(7)).await.unwrap(), 2);
}

#[tokio::test]
async fn another_instance_s_registration_is_used_within_the_ttl_not_before_it_is_read() {
    let store = Arc::new(MemorySchemaStore::default());
    let other = gateway(&store, Duration::ZERO);
    let ttl = Duration::from_millis(200);
    let this = gateway(&store, ttl);
    other
        .register("shop", "Fruits", &json!({"type": "string"}))
        .await
        .unwrap();
    assert_eq!(send(&this, &json!("apple")).await.unwrap(), 1);
    other
        .register("shop", "Fruits", &json!({"type": "integer"}))
        .await
        .unwrap();
    let registered = Instant::now();
    let version = test_support::eventually("version 2 to be used", ttl * 10, || async {
        match send(&this, &json!(7)).await {
            Ok(version) => Some(version),
            Err(CoreError::InvalidEvent { version: 1, .. }) => None,
            Err(other) => panic!("unexpected {other:?}"),
        }
    })
    .await;
    assert_eq!(version, 2);
    assert!(
        registered.elapsed() < ttl + Duration::from_millis(500),
        "picked up within the TTL (took {:?})",
        registered.elapsed()
    );
}

#[tokio::test]
async fn an_unknown_event_is_not_remembered() {
    let store = Arc::new(MemorySchemaStore::default());
    let other = gateway(&store, Duration::ZERO);
    let this = gateway(&store, Duration::from_secs(3600));
    other
        .register("shop", "Colors", &json!(true))
        .await
        .unwrap();
    assert!(matches!(
        send(&this, &json!("apple")).await,
        Err(CoreError::UnknownEvent { .. })
    ));
    other
        .register("shop", "Fruits", &json!({"type": "string"}))
        .await
        .unwrap();
    assert_eq!(send(&this, &json!("apple")).await.unwrap(), 1);
}
