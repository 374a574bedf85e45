//! Finding an event's latest version and its compiled validator, and telling an unknown
//! client from an unknown event.

use super::Gateway;
use crate::core::{
    CompiledSchema, CoreError, Name, latest::Latest, validation::compile_off_thread,
};

impl Gateway {
    /// The latest version and its validator: from memory while fresh, else from the store
    /// (then remembered).
    pub(super) async fn latest(
        &self,
        client: &Name,
        event: &Name,
        routing_key: &str,
    ) -> Result<Latest, CoreError> {
        if let Some(latest) = self.latest.fresh(routing_key) {
            return Ok(latest);
        }
        let Some(version) = self
            .store
            .latest_version(client, event)
            .await
            .map_err(CoreError::Store)?
        else {
            return Err(self.unknown(client, event).await);
        };
        let latest = Latest {
            version,
            validator: self.validator(client, event, version).await?,
        };
        self.latest.put(routing_key, latest.clone());
        Ok(latest)
    }

    /// The cached validator of a version, compiling (and caching) it on a miss.
    async fn validator(
        &self,
        client: &Name,
        event: &Name,
        version: i32,
    ) -> Result<CompiledSchema, CoreError> {
        if let Some(cached) = self.cache.get(client.as_str(), event.as_str(), version) {
            return Ok(cached);
        }
        let stored = self
            .store
            .get(client, event, version)
            .await
            .map_err(CoreError::Store)?
            .ok_or_else(|| CoreError::UnknownEvent {
                client: client.to_string(),
                event: event.to_string(),
            })?;
        let compiled =
            compile_off_thread(stored.schema)
                .await
                .map_err(|reason| CoreError::Corrupt {
                    client: client.to_string(),
                    event: event.to_string(),
                    version,
                    reason,
                })?;
        self.cache
            .put(client.as_str(), event.as_str(), version, compiled.clone());
        Ok(compiled)
    }

    /// `UnknownClient` when the client has no event at all, else `UnknownEvent`.
    pub(super) async fn unknown(&self, client: &Name, event: &Name) -> CoreError {
        match self.store.list(client).await {
            Ok(events) if events.is_empty() => CoreError::UnknownClient(client.to_string()),
            Ok(_) => CoreError::UnknownEvent {
                client: client.to_string(),
                event: event.to_string(),
            },
            Err(error) => CoreError::Store(error),
        }
    }
}
