//! In-memory adapters of both ports: our own ports, so fakes are right for testing the core
//! (the real adapters have their own tests against PostgreSQL and RabbitMQ).

use crate::core::{
    EventStream, EventSummary, InsertOutcome, Name, OutgoingEvent, PortError, SchemaStore,
    StoredSchema,
};
use async_trait::async_trait;
use serde_json::Value;
use std::{
    collections::BTreeMap,
    sync::{
        Mutex,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
};

type Versions = BTreeMap<(String, String), Vec<StoredSchema>>;

/// A schema store in a map.
#[derive(Default)]
pub struct MemorySchemaStore {
    versions: Mutex<Versions>,
    latest_reads: AtomicUsize,
}

impl MemorySchemaStore {
    /// How often `latest_version` was asked.
    pub fn latest_reads(&self) -> usize {
        self.latest_reads.load(Ordering::Relaxed)
    }

    fn with<T>(&self, work: impl FnOnce(&mut Versions) -> T) -> Result<T, PortError> {
        let mut versions = self
            .versions
            .lock()
            .map_err(|e| PortError::Failed(e.to_string()))?;
        Ok(work(&mut versions))
    }
}

fn key(client: &Name, event: &Name) -> (String, String) {
    (client.to_string(), event.to_string())
}

#[async_trait]
impl SchemaStore for MemorySchemaStore {
    async fn latest_version(&self, client: &Name, event: &Name) -> Result<Option<i32>, PortError> {
        self.latest_reads.fetch_add(1, Ordering::Relaxed);
        self.with(|v| {
            v.get(&key(client, event))
                .and_then(|all| all.last())
                .map(|s| s.version)
        })
    }

    async fn get(
        &self,
        client: &Name,
        event: &Name,
        version: i32,
    ) -> Result<Option<StoredSchema>, PortError> {
        self.with(|v| {
            v.get(&key(client, event))
                .and_then(|all| all.iter().find(|s| s.version == version).cloned())
        })
    }

    async fn insert(
        &self,
        client: &Name,
        event: &Name,
        version: i32,
        schema: &Value,
    ) -> Result<InsertOutcome, PortError> {
        self.with(|v| {
            let all = v.entry(key(client, event)).or_default();
            if all.iter().any(|s| s.version == version) {
                return InsertOutcome::VersionTaken;
            }
            let stored = StoredSchema {
                version,
                schema: schema.clone(),
                created_at: chrono::Utc::now(),
            };
            all.push(stored.clone());
            all.sort_by_key(|s| s.version);
            InsertOutcome::Inserted(stored)
        })
    }

    async fn list(&self, client: &Name) -> Result<Vec<EventSummary>, PortError> {
        self.with(|v| {
            v.iter()
                .filter(|((c, _), all)| c == client.as_str() && !all.is_empty())
                .filter_map(|((_, e), all)| {
                    all.last().map(|s| EventSummary {
                        event: e.clone(),
                        latest_version: s.version,
                    })
                })
                .collect()
        })
    }
}

/// An event stream that records what it is given, and can be switched off.
#[derive(Default)]
pub struct MemoryEventStream {
    published: Mutex<Vec<OutgoingEvent>>,
    prepared: Mutex<Vec<String>>,
    down: AtomicBool,
}

impl MemoryEventStream {
    /// Everything published so far.
    pub fn published(&self) -> Vec<OutgoingEvent> {
        self.published.lock().map(|p| p.clone()).unwrap_or_default()
    }

    /// Every client prepared so far, in order (repeats included).
    pub fn prepared(&self) -> Vec<String> {
        self.prepared.lock().map(|p| p.clone()).unwrap_or_default()
    }

    /// Makes every publish and prepare fail as unavailable (`true`) or succeed again.
    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }
}

#[async_trait]
impl EventStream for MemoryEventStream {
    async fn prepare(&self, client: &str) -> Result<(), PortError> {
        if self.down.load(Ordering::SeqCst) {
            return Err(PortError::Unavailable("the stream is down".to_owned()));
        }
        self.prepared
            .lock()
            .map_err(|e| PortError::Failed(e.to_string()))?
            .push(client.to_owned());
        Ok(())
    }

    async fn publish(&self, event: &OutgoingEvent) -> Result<(), PortError> {
        if self.down.load(Ordering::SeqCst) {
            return Err(PortError::Unavailable("the stream is down".to_owned()));
        }
        self.published
            .lock()
            .map_err(|e| PortError::Failed(e.to_string()))?
            .push(event.clone());
        Ok(())
    }
}
