//! `POST /{client}/{event}/send_event`.

use crate::{
    core::Gateway,
    error::GatewayError,
    routes::{
        EventPath, GatewayMetrics,
        body::{BodyLimit, read_json},
        metrics::outcome,
    },
};
use actix_web::{HttpRequest, HttpResponse, web};
use http_kit::RequestId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// An accepted event.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Sent {
    /// Its id: the AMQP `message_id`.
    pub event_id: Uuid,
    /// `{client}.{event}`, the routing key it was published with.
    pub routing_key: String,
}

/// Validates an event against the latest schema version and publishes it.
#[utoipa::path(
    post,
    path = "/{client}/{event}/send_event", security(("bearer" = ["events:{client}:send"])),
    params(EventPath),
    request_body(content = serde_json::Value, description = "Any JSON value", content_type = "application/json"),
    responses(
        (status = 202, description = "Published and confirmed by the broker", body = Sent),
        (status = 400, description = "The body is not JSON", body = http_kit::ErrorEnvelope),
        (status = 404, description = "Unknown client or event", body = http_kit::ErrorEnvelope),
        (status = 422, description = "The event does not match the schema (every error in `details`), or a bad name", body = crate::error::ViolationsEnvelope),
        (status = 503, description = "The broker or the database is down: the event was not accepted", body = http_kit::ErrorEnvelope)
    )
)]
pub async fn post_send_event(
    request: HttpRequest,
    path: web::Path<EventPath>,
    payload: web::Payload,
    request_id: RequestId,
    gateway: web::Data<Gateway>,
    limit: web::Data<BodyLimit>,
    metrics: web::Data<GatewayMetrics>,
) -> Result<HttpResponse, GatewayError> {
    let EventPath { client, event } = path.into_inner();
    let body = read_json(&request, payload, limit.0).await?;
    match gateway
        .receive(&client, &event, &body.value, body.raw, Some(request_id.0))
        .await
    {
        Ok(accepted) => {
            metrics.event("accepted");
            Ok(HttpResponse::Accepted().json(Sent {
                event_id: accepted.event_id,
                routing_key: accepted.routing_key,
            }))
        }
        Err(error) => {
            metrics.event(outcome(&error));
            Err(error.into())
        }
    }
}
