//! Registering has the stream keep the client's events, even when nobody subscribes.

use crate::{
    adapters::memory::{MemoryEventStream, MemorySchemaStore},
    core::{CoreError, Gateway, PortError},
};
use serde_json::json;
use std::sync::Arc;

#[tokio::test]
async fn every_registration_prepares_the_clients_stream_and_a_down_stream_is_unavailable() {
    let stream = Arc::new(MemoryEventStream::default());
    let gateway = Gateway::new(Arc::new(MemorySchemaStore::default()), stream.clone(), 16);

    gateway
        .register("shop", "Fruits", &json!(true))
        .await
        .unwrap();
    gateway
        .register("shop", "Colors", &json!(true))
        .await
        .unwrap();
    stream.set_down(true);
    let refused = gateway.register("shop", "Fruits", &json!(true)).await;
    stream.set_down(false);
    let again = gateway
        .register("shop", "Fruits", &json!(true))
        .await
        .unwrap();

    assert!(
        matches!(refused, Err(CoreError::Stream(PortError::Unavailable(_)))),
        "{refused:?}"
    );
    // The no-op registration (same schema) prepares the stream too, which heals one missing.
    assert!(!again.created);
    assert_eq!(stream.prepared(), ["shop", "shop", "shop"]);
}
