//! The schema store over PostgreSQL (`event_schemas`, created by the `migration` service).
//! A unique violation on insert means a concurrent registration took the version.

use crate::core::{EventSummary, InsertOutcome, Name, PortError, SchemaStore, StoredSchema};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::{
    prelude::*,
    result::{DatabaseErrorKind, Error as DieselError},
};
use serde_json::Value;
use store::{PgPool, StoreError, schema::event_gateway::event_schemas};

/// Schema versions in PostgreSQL.
#[derive(Clone)]
pub struct PgSchemaStore {
    pool: PgPool,
}

impl PgSchemaStore {
    /// A store over `pool`.
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

fn port_error(error: StoreError) -> PortError {
    if error.is_unavailable() {
        PortError::Unavailable(error.to_string())
    } else {
        PortError::Failed(http_kit::chain(&error))
    }
}

#[derive(Queryable)]
struct Row {
    version: i32,
    schema: Value,
    created_at: DateTime<Utc>,
}

impl From<Row> for StoredSchema {
    fn from(row: Row) -> Self {
        Self {
            version: row.version,
            schema: row.schema,
            created_at: row.created_at,
        }
    }
}

/// True when a string (or object key) anywhere in `value` holds U+0000, which JSONB refuses.
fn holds_nul(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(holds_nul),
        Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || holds_nul(v)),
        _ => false,
    }
}

#[async_trait]
impl SchemaStore for PgSchemaStore {
    async fn latest_version(&self, client: &Name, event: &Name) -> Result<Option<i32>, PortError> {
        let (client, event) = (client.to_string(), event.to_string());
        store::run(&self.pool, move |conn| {
            event_schemas::table
                .filter(
                    event_schemas::client
                        .eq(client)
                        .and(event_schemas::event.eq(event)),
                )
                .select(diesel::dsl::max(event_schemas::version))
                .first::<Option<i32>>(conn)
        })
        .await
        .map_err(port_error)
    }

    async fn get(
        &self,
        client: &Name,
        event: &Name,
        version: i32,
    ) -> Result<Option<StoredSchema>, PortError> {
        let (client, event) = (client.to_string(), event.to_string());
        let row = store::run(&self.pool, move |conn| {
            event_schemas::table
                .find((client, event, version))
                .select((
                    event_schemas::version,
                    event_schemas::schema,
                    event_schemas::created_at,
                ))
                .first::<Row>(conn)
                .optional()
        })
        .await
        .map_err(port_error)?;
        Ok(row.map(StoredSchema::from))
    }

    async fn insert(
        &self,
        client: &Name,
        event: &Name,
        version: i32,
        schema: &Value,
    ) -> Result<InsertOutcome, PortError> {
        if holds_nul(schema) {
            return Err(PortError::Unsupported(
                "the schema store cannot hold the character U+0000 in a string".to_owned(),
            ));
        }
        let (client, event, schema) = (client.to_string(), event.to_string(), schema.clone());
        let inserted = store::run(&self.pool, move |conn| {
            diesel::insert_into(event_schemas::table)
                .values((
                    event_schemas::client.eq(client),
                    event_schemas::event.eq(event),
                    event_schemas::version.eq(version),
                    event_schemas::schema.eq(schema),
                ))
                .returning((
                    event_schemas::version,
                    event_schemas::schema,
                    event_schemas::created_at,
                ))
                .get_result::<Row>(conn)
        })
        .await;
        match inserted {
            Ok(row) => Ok(InsertOutcome::Inserted(row.into())),
            Err(StoreError::Query(DieselError::DatabaseError(
                DatabaseErrorKind::UniqueViolation,
                _,
            ))) => Ok(InsertOutcome::VersionTaken),
            Err(error) => Err(port_error(error)),
        }
    }

    async fn list(&self, client: &Name) -> Result<Vec<EventSummary>, PortError> {
        let client = client.to_string();
        let rows = store::run(&self.pool, move |conn| {
            event_schemas::table
                .filter(event_schemas::client.eq(client))
                .group_by(event_schemas::event)
                .select((
                    event_schemas::event,
                    diesel::dsl::max(event_schemas::version),
                ))
                .order(event_schemas::event.asc())
                .load::<(String, Option<i32>)>(conn)
        })
        .await
        .map_err(port_error)?;
        Ok(rows
            .into_iter()
            .filter_map(|(event, latest)| {
                latest.map(|latest_version| EventSummary {
                    event,
                    latest_version,
                })
            })
            .collect())
    }
}
