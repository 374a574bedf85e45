//! [`Gateway`]: the four use cases over the two ports.

use crate::core::{
    CoreError, EventStream, EventSummary, InsertOutcome, Name, OutgoingEvent, SchemaStore,
    StoredSchema, ValidatorCache,
    latest::{Latest, LatestVersions},
    validation::{check_schema_off_thread, violations_bounded},
};
use serde_json::Value;
use std::{sync::Arc, time::Duration};
use uuid::Uuid;

mod lookup;

/// How often a registration retries after a concurrent one (from another instance) took
/// its version.
const MAX_REGISTER_ATTEMPTS: usize = 16;

/// Registrations of one (client, event) in this process take turns on one of these stripes,
/// so they do not race each other for a version; the unique key still settles races
/// between instances.
const REGISTER_STRIPES: usize = 64;

/// The outcome of a registration.
#[derive(Debug, Clone, PartialEq)]
pub struct Registration {
    /// The version now latest.
    pub stored: StoredSchema,
    /// False when the schema equalled the latest version (nothing stored).
    pub created: bool,
}

/// An accepted (published) event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// Its id (the AMQP message id).
    pub event_id: Uuid,
    /// `{client}.{event}`.
    pub routing_key: String,
    /// The schema version it matched.
    pub schema_version: i32,
}

/// The core: register, receive, get schema, list.
pub struct Gateway {
    store: Arc<dyn SchemaStore>,
    stream: Arc<dyn EventStream>,
    cache: ValidatorCache,
    latest: LatestVersions,
    stripes: Vec<tokio::sync::Mutex<()>>,
}

impl Gateway {
    /// A gateway over `store` and `stream`, caching up to `cache_capacity` validators. Each
    /// event reads the latest version from the store; see [`Gateway::with_version_ttl`].
    pub fn new(
        store: Arc<dyn SchemaStore>,
        stream: Arc<dyn EventStream>,
        cache_capacity: usize,
    ) -> Self {
        let stripes = (0..REGISTER_STRIPES)
            .map(|_| tokio::sync::Mutex::new(()))
            .collect();
        Self {
            store,
            stream,
            cache: ValidatorCache::new(cache_capacity),
            latest: LatestVersions::new(cache_capacity, Duration::ZERO),
            stripes,
        }
    }

    /// Lets `receive` use a latest version read from the store for up to `ttl` (zero: read
    /// it for every event). A registration through this gateway takes effect at once; one
    /// through another instance within `ttl`.
    #[must_use]
    pub fn with_version_ttl(mut self, ttl: Duration) -> Self {
        self.latest = LatestVersions::new(self.cache.capacity(), ttl);
        self
    }

    /// The validator cache (for metrics and tests).
    pub fn cache(&self) -> &ValidatorCache {
        &self.cache
    }

    /// Registers `schema` for `client`/`event`: a new version, or nothing when it equals
    /// the latest one. Concurrent registrations each get their own version.
    pub async fn register(
        &self,
        client: &str,
        event: &str,
        schema: &Value,
    ) -> Result<Registration, CoreError> {
        let (client, event) = names(client, event)?;
        let compiled = check_schema_off_thread(schema)
            .await
            .map_err(CoreError::InvalidSchema)?;
        let _turn = self.stripe(&client, &event).lock().await;
        for _ in 0..MAX_REGISTER_ATTEMPTS {
            let latest = self
                .store
                .latest_version(&client, &event)
                .await
                .map_err(CoreError::Store)?;
            if let Some(version) = latest {
                let current = self
                    .store
                    .get(&client, &event, version)
                    .await
                    .map_err(CoreError::Store)?;
                if let Some(current) = current.filter(|c| &c.schema == schema) {
                    // Again, so registering heals a stream that is missing.
                    self.keep_events(&client).await?;
                    self.latest.put(
                        &routing_key(&client, &event),
                        Latest {
                            version,
                            validator: compiled,
                        },
                    );
                    return Ok(Registration {
                        stored: current,
                        created: false,
                    });
                }
            }
            let next = latest.unwrap_or(0).saturating_add(1);
            match self
                .store
                .insert(&client, &event, next, schema)
                .await
                .map_err(CoreError::Store)?
            {
                InsertOutcome::Inserted(stored) => {
                    self.keep_events(&client).await?;
                    self.cache
                        .put(client.as_str(), event.as_str(), next, compiled.clone());
                    self.latest.put(
                        &routing_key(&client, &event),
                        Latest {
                            version: next,
                            validator: compiled,
                        },
                    );
                    tracing::info!(%client, %event, version = next, "schema version registered");
                    return Ok(Registration {
                        stored,
                        created: true,
                    });
                }
                InsertOutcome::VersionTaken => {
                    tracing::debug!(%client, %event, version = next, "version taken concurrently; retrying");
                }
            }
        }
        Err(CoreError::Contended)
    }

    /// Has the stream keep `client`'s events. After the schema is stored, so a stream exists
    /// only for a registered client; a failure here is a 503, and registering again (a no-op
    /// for the schema) retries it.
    async fn keep_events(&self, client: &Name) -> Result<(), CoreError> {
        self.stream
            .prepare(client.as_str())
            .await
            .map_err(CoreError::Stream)
    }

    /// Validates `event_json` (parsed from `body`) against the latest version and publishes
    /// `body` once valid. `Ok` only after the stream confirmed it.
    pub async fn receive(
        &self,
        client: &str,
        event: &str,
        event_json: &Value,
        body: Vec<u8>,
        correlation_id: Option<String>,
    ) -> Result<Accepted, CoreError> {
        let (client, event) = names(client, event)?;
        let routing_key = routing_key(&client, &event);
        let Latest { version, validator } = self.latest(&client, &event, &routing_key).await?;
        let errors = violations_bounded(&validator, event_json, body.len()).await;
        if !errors.is_empty() {
            return Err(CoreError::InvalidEvent {
                version,
                violations: errors,
            });
        }
        let outgoing = OutgoingEvent {
            event_id: Uuid::now_v7(),
            client: client.to_string(),
            event: event.to_string(),
            schema_version: version,
            routing_key,
            body,
            correlation_id,
        };
        self.stream
            .publish(&outgoing)
            .await
            .map_err(CoreError::Stream)?;
        Ok(Accepted {
            event_id: outgoing.event_id,
            routing_key: outgoing.routing_key,
            schema_version: version,
        })
    }

    /// The latest schema of `client`/`event`, or `version` when given.
    pub async fn schema(
        &self,
        client: &str,
        event: &str,
        version: Option<i64>,
    ) -> Result<StoredSchema, CoreError> {
        let (client, event) = names(client, event)?;
        let latest = self
            .store
            .latest_version(&client, &event)
            .await
            .map_err(CoreError::Store)?;
        let Some(latest) = latest else {
            return Err(self.unknown(&client, &event).await);
        };
        let wanted = match version {
            None => latest,
            Some(v) => i32::try_from(v)
                .ok()
                .filter(|v| (1..=latest).contains(v))
                .ok_or_else(|| CoreError::UnknownVersion {
                    event: event.to_string(),
                    version: v,
                })?,
        };
        self.store
            .get(&client, &event, wanted)
            .await
            .map_err(CoreError::Store)?
            .ok_or_else(|| CoreError::UnknownVersion {
                event: event.to_string(),
                version: i64::from(wanted),
            })
    }

    /// Every event of `client` with its latest version.
    pub async fn list(&self, client: &str) -> Result<Vec<EventSummary>, CoreError> {
        let client = Name::parse("client", client)?;
        let events = self.store.list(&client).await.map_err(CoreError::Store)?;
        if events.is_empty() {
            return Err(CoreError::UnknownClient(client.to_string()));
        }
        Ok(events)
    }

    fn stripe(&self, client: &Name, event: &Name) -> &tokio::sync::Mutex<()> {
        use std::hash::{BuildHasher, RandomState};
        static HASHER: std::sync::OnceLock<RandomState> = std::sync::OnceLock::new();
        let hash = HASHER
            .get_or_init(RandomState::new)
            .hash_one((client, event));
        let index = usize::try_from(hash % REGISTER_STRIPES as u64).unwrap_or(0);
        &self.stripes[index]
    }
}

/// `{client}.{event}`: the routing key, and the key of the latest-version cache.
fn routing_key(client: &Name, event: &Name) -> String {
    format!("{client}.{event}")
}

fn names(client: &str, event: &str) -> Result<(Name, Name), CoreError> {
    Ok((Name::parse("client", client)?, Name::parse("event", event)?))
}
