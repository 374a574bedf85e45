//! The HTTP API of SPEC §7, over the [`Gateway`](crate::core::Gateway) core.

pub mod body;
mod duplicates;
mod events;
mod metrics;
mod schemas;

use actix_web::web;
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi};

pub use events::Sent;
pub use metrics::GatewayMetrics;
pub use schemas::{EventList, ListedEvent, SchemaVersion};

/// The OpenAPI document of the HTTP API.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "event-gateway",
        description = "Validates client events against their registered JSON Schemas and publishes the valid ones to RabbitMQ (topic exchange `events`, routing key `{client}.{event}`)."
    ),
    paths(
        schemas::post_register_event,
        events::post_send_event,
        schemas::get_schema,
        schemas::get_list_events
    ),
    components(schemas(
        SchemaVersion,
        EventList,
        ListedEvent,
        Sent,
        crate::error::ViolationsEnvelope,
        crate::error::ViolationsBody,
        crate::error::Detail,
        http_kit::ErrorEnvelope,
        http_kit::ErrorBody
    ))
)]
pub struct ApiDoc;

/// `{client}` and `{event}` of a path. The core checks the names; the pattern here documents
/// that rule in the OpenAPI document.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct EventPath {
    /// 1..64 of letters, digits, `_` and `-`.
    #[param(pattern = "^[A-Za-z0-9_-]{1,64}$")]
    pub client: String,
    /// 1..64 of letters, digits, `_` and `-`.
    #[param(pattern = "^[A-Za-z0-9_-]{1,64}$")]
    pub event: String,
}

/// `{client}` of a path, as in [`EventPath`].
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ClientPath {
    /// 1..64 of letters, digits, `_` and `-`.
    #[param(pattern = "^[A-Za-z0-9_-]{1,64}$")]
    pub client: String,
}

/// What reading a client's schemas takes: its `send` scope (a sender needs the schema it must
/// meet) or its `admin` scope.
fn read_scope() -> http_kit::access::Require {
    http_kit::require_any_of(&["events:{client}:send", "events:{client}:admin"])
}

/// Registers the API routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/{client}/{event}/register_event",
        web::post()
            .to(schemas::post_register_event)
            .wrap(http_kit::require("events:{client}:admin")),
    )
    .route(
        "/{client}/{event}/send_event",
        web::post()
            .to(events::post_send_event)
            .wrap(http_kit::require("events:{client}:send")),
    )
    .route(
        "/{client}/{event}/schema",
        web::get().to(schemas::get_schema).wrap(read_scope()),
    )
    .route(
        "/{client}/list_events",
        web::get().to(schemas::get_list_events).wrap(read_scope()),
    );
}
