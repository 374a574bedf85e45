//! Request ids and per-request logging.
//!
//! Every request gets an id: the client's `X-Request-Id` when it is 1..=128 visible ASCII
//! characters, otherwise a new UUID. The id is a field of the request's tracing span (so every
//! line logged inside it carries it), is returned in the response header, and is available to
//! handlers through the [`RequestId`] extractor to forward on outgoing calls and messages.

use crate::{
    deadline::{DeadlinePassed, limit_of},
    metrics::HttpMetrics,
};
use actix_web::{
    Error, FromRequest, HttpMessage, HttpRequest,
    body::MessageBody,
    dev::{Payload, ServiceRequest, ServiceResponse},
    http::header::{HeaderName, HeaderValue},
    middleware::Next,
    web,
};
use std::{future::Ready, time::Instant};
use tracing::Instrument;

/// The header that carries the request id in and out.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The id of the current request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

impl RequestId {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn accept(incoming: Option<&HeaderValue>) -> Self {
        incoming
            .and_then(|value| value.to_str().ok())
            .filter(|id| {
                !id.is_empty() && id.len() <= 128 && id.bytes().all(|b| b.is_ascii_graphic())
            })
            .map_or_else(
                || Self(uuid::Uuid::new_v4().to_string()),
                |id| Self(id.to_owned()),
            )
    }
}

impl std::fmt::Display for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromRequest for RequestId {
    type Error = Error;
    type Future = Ready<Result<Self, Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let id = req
            .extensions()
            .get::<RequestId>()
            .cloned()
            .unwrap_or_else(|| Self::accept(req.headers().get(REQUEST_ID_HEADER)));
        std::future::ready(Ok(id))
    }
}

/// Middleware (`actix_web::middleware::from_fn`): assigns the id, opens the request span (with
/// `key_name`, the name of the API key that authorised the request, once a route's access check
/// records it), logs the outcome, counts it in [`HttpMetrics`] and sets the response header. A
/// request not answered within the app's deadline (`Common::request_timeout`) is 503
/// `request_timeout`.
pub async fn track_request(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let id = RequestId::accept(request.headers().get(REQUEST_ID_HEADER));
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        method = %request.method(),
        path = %request.path(),
        key_name = tracing::field::Empty,
    );
    request.extensions_mut().insert(id.clone());
    let metrics = request.app_data::<web::Data<HttpMetrics>>().cloned();
    let started = Instant::now();
    let limit = limit_of(&request);
    let method = request.method().clone();
    // The inner services' synchronous part (the access check) runs inside the span too, so it
    // can record the key's name on it.
    let inner = span
        .in_scope(|| next.call(request))
        .instrument(span.clone());
    let called = tokio::time::timeout(limit, inner).await;
    let Ok(called) = called else {
        let elapsed = started.elapsed();
        if let Some(metrics) = metrics {
            metrics.observe(method.as_str(), "timed_out", 503, elapsed);
        }
        span.in_scope(|| {
            tracing::warn!(
                status = 503,
                latency_ms = elapsed.as_millis() as u64,
                "request passed its deadline"
            );
        });
        let request_id = id.0;
        return Err(DeadlinePassed { request_id, limit }.into());
    };
    let mut response = called?;
    let elapsed = started.elapsed();
    let status = response.status();
    if let Ok(value) = HeaderValue::from_str(id.as_str()) {
        response
            .headers_mut()
            .insert(HeaderName::from_static(REQUEST_ID_HEADER), value);
    }
    let route = response
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    if let Some(metrics) = metrics {
        metrics.observe(
            response.request().method().as_str(),
            &route,
            status.as_u16(),
            elapsed,
        );
    }
    span.in_scope(|| {
        if status.is_server_error() {
            tracing::warn!(
                status = status.as_u16(),
                latency_ms = elapsed.as_millis() as u64,
                "request failed"
            );
        } else {
            tracing::info!(
                status = status.as_u16(),
                latency_ms = elapsed.as_millis() as u64,
                "request done"
            );
        }
    });
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_well_formed_incoming_id_is_kept() {
        let value = HeaderValue::from_static("abc-123");
        assert_eq!(RequestId::accept(Some(&value)).as_str(), "abc-123");
    }

    #[test]
    fn a_missing_or_odd_incoming_id_is_replaced_by_a_uuid() {
        let spaced = HeaderValue::from_static("has space");
        for incoming in [None, Some(&spaced)] {
            let id = RequestId::accept(incoming);
            assert!(uuid::Uuid::parse_str(id.as_str()).is_ok(), "{id}");
        }
        let long = HeaderValue::from_str(&"a".repeat(129)).unwrap();
        assert_ne!(RequestId::accept(Some(&long)).as_str().len(), 129);
    }
}
