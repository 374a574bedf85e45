//! `POST /{client}/{event}/register_event`, `GET /{client}/{event}/schema` and
//! `GET /{client}/list_events`.

use crate::{
    core::{Gateway, StoredSchema},
    error::GatewayError,
    routes::{
        ClientPath, EventPath, GatewayMetrics,
        body::{BodyLimit, read_json},
        metrics::outcome,
    },
};
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

/// One version of a schema.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SchemaVersion {
    /// The client.
    pub client: String,
    /// The event.
    pub event: String,
    /// The version, from 1.
    pub version: i32,
    /// The JSON Schema.
    pub schema: Value,
    /// When this version was registered.
    pub created_at: DateTime<Utc>,
}

impl SchemaVersion {
    fn new(client: String, event: String, stored: StoredSchema) -> Self {
        Self {
            client,
            event,
            version: stored.version,
            schema: stored.schema,
            created_at: stored.created_at,
        }
    }
}

/// A client's events.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EventList {
    /// The client.
    pub client: String,
    /// Its events by name.
    pub events: Vec<ListedEvent>,
}

/// An event name with its latest version.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ListedEvent {
    /// The event.
    pub event: String,
    /// Its latest version.
    pub latest_version: i32,
}

/// `?version=N`
#[derive(Debug, Deserialize, IntoParams)]
pub struct VersionQuery {
    /// A version other than the latest.
    version: Option<i64>,
}

/// Registers a JSON Schema as the next version of an event (or nothing, if it is the latest).
#[utoipa::path(
    post,
    path = "/{client}/{event}/register_event", security(("bearer" = ["events:{client}:admin"])),
    params(EventPath),
    request_body(content = Value, description = "A JSON Schema (draft 4, 6, 7, 2019-09 or 2020-12 by `$schema`; default 2020-12)", content_type = "application/json"),
    responses(
        (status = 201, description = "A new version", body = SchemaVersion),
        (status = 200, description = "The same schema as the latest version: nothing changed", body = SchemaVersion),
        (status = 400, description = "The body is not JSON", body = http_kit::ErrorEnvelope),
        (status = 422, description = "Not a valid JSON Schema (every reason in `details`), or a bad name", body = crate::error::ViolationsEnvelope),
        (status = 503, description = "The database is down", body = http_kit::ErrorEnvelope)
    )
)]
pub async fn post_register_event(
    request: HttpRequest,
    path: web::Path<EventPath>,
    payload: web::Payload,
    gateway: web::Data<Gateway>,
    limit: web::Data<BodyLimit>,
    metrics: web::Data<GatewayMetrics>,
) -> Result<HttpResponse, GatewayError> {
    let EventPath { client, event } = path.into_inner();
    let body = read_json(&request, payload, limit.0).await?;
    match gateway.register(&client, &event, &body.value).await {
        Ok(registration) => {
            let created = registration.created;
            metrics.registration(if created { "created" } else { "unchanged" });
            let version = SchemaVersion::new(client, event, registration.stored);
            Ok(if created {
                HttpResponse::Created().json(version)
            } else {
                HttpResponse::Ok().json(version)
            })
        }
        Err(error) => {
            metrics.registration(outcome(&error));
            Err(error.into())
        }
    }
}

/// The latest schema of an event, or `?version=N`.
#[utoipa::path(
    get,
    path = "/{client}/{event}/schema", security(("bearer" = ["events:{client}:send", "events:{client}:admin"])),
    params(EventPath, VersionQuery),
    responses(
        (status = 200, description = "The schema", body = SchemaVersion),
        (status = 400, description = "A version that is not a number", body = http_kit::ErrorEnvelope),
        (status = 404, description = "Unknown client, event or version", body = http_kit::ErrorEnvelope),
        (status = 422, description = "A bad name", body = http_kit::ErrorEnvelope)
    )
)]
pub async fn get_schema(
    path: web::Path<EventPath>,
    query: web::Query<VersionQuery>,
    gateway: web::Data<Gateway>,
) -> Result<HttpResponse, GatewayError> {
    let EventPath { client, event } = path.into_inner();
    let stored = gateway.schema(&client, &event, query.version).await?;
    Ok(HttpResponse::Ok().json(SchemaVersion::new(client, event, stored)))
}

/// Every event of a client with its latest version.
#[utoipa::path(
    get,
    path = "/{client}/list_events", security(("bearer" = ["events:{client}:send", "events:{client}:admin"])),
    params(ClientPath),
    responses(
        (status = 200, description = "The events, by name", body = EventList),
        (status = 404, description = "The client has no events", body = http_kit::ErrorEnvelope),
        (status = 422, description = "A bad name", body = http_kit::ErrorEnvelope)
    )
)]
pub async fn get_list_events(
    path: web::Path<ClientPath>,
    gateway: web::Data<Gateway>,
) -> Result<HttpResponse, GatewayError> {
    let ClientPath { client } = path.into_inner();
    let events = gateway.list(&client).await?;
    let events = events
        .into_iter()
        .map(|e| ListedEvent {
            event: e.event,
            latest_version: e.latest_version,
        })
        .collect();
    Ok(HttpResponse::Ok().json(EventList { client, events }))
}
