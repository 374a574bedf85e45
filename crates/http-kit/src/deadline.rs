//! The whole-request deadline (`REQUEST_TIMEOUT_MS`): a request still unanswered when it passes
//! gets 503 `request_timeout` in the envelope, with `Retry-After` and its request id, and its
//! handler is dropped. [`crate::request_id::track_request`] applies it around everything else.
//!
//! Work the handler handed to another thread (a diesel call on the blocking pool) is not
//! stopped by this; the PostgreSQL deadlines of `store`'s pools end that.

use crate::{ApiError, request_id::REQUEST_ID_HEADER};
use actix_web::{
    HttpResponse, ResponseError,
    dev::ServiceRequest,
    http::{
        StatusCode,
        header::{HeaderName, HeaderValue},
    },
    web,
};
use std::{fmt, time::Duration};

/// The default whole-request deadline, matching `env_config::HttpSettings`' default.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The deadline in force, as app data.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RequestDeadline(pub Duration);

/// The deadline of `request`'s app ([`DEFAULT_REQUEST_TIMEOUT`] when it sets none).
pub(crate) fn limit_of(request: &ServiceRequest) -> Duration {
    request
        .app_data::<web::Data<RequestDeadline>>()
        .map_or(DEFAULT_REQUEST_TIMEOUT, |deadline| deadline.0)
}

/// A request that passed its deadline. It is an error rather than a response because the
/// request itself went with the dropped handler; its response carries the request id.
#[derive(Debug)]
pub(crate) struct DeadlinePassed {
    /// The request's id, returned in `X-Request-Id`.
    pub request_id: String,
    /// The deadline that passed.
    pub limit: Duration,
}

impl fmt::Display for DeadlinePassed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the request was not answered within {} ms; what it asked for may still take \
             effect, so retry with the same idempotency key where the route takes one",
            self.limit.as_millis()
        )
    }
}

impl ResponseError for DeadlinePassed {
    fn status_code(&self) -> StatusCode {
        StatusCode::SERVICE_UNAVAILABLE
    }

    fn error_response(&self) -> HttpResponse {
        let mut response =
            ApiError::unavailable("request_timeout", self.to_string()).error_response();
        if let Ok(value) = HeaderValue::from_str(&self.request_id) {
            response
                .headers_mut()
                .insert(HeaderName::from_static(REQUEST_ID_HEADER), value);
        }
        response
    }
}
