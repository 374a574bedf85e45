//! Extractor error handlers, so a bad body, query or path never reaches a client as text.
//!
//! Malformed JSON → 400 `malformed_json`; well-formed JSON of the wrong shape → 422
//! `invalid_body`; wrong content type → 415; body over the limit → 413; bad query string →
//! 400 `invalid_query`; unparseable path segment → 404; unknown route → 404; a route's path with
//! a method it does not answer → 405 with `Allow`.

use crate::{ApiError, openapi::AllowedMethods};
use actix_web::{
    HttpRequest, HttpResponse,
    error::{JsonPayloadError, PathError, PayloadError, QueryPayloadError, UrlencodedError},
    http::{
        StatusCode,
        header::{self, HeaderValue},
    },
    web,
};

/// Default limit of a JSON or form body, in bytes.
pub const DEFAULT_BODY_LIMIT_BYTES: usize = 256 * 1024;

/// Registers every extractor configuration on `cfg`, with bodies limited to `limit_bytes`.
pub fn configure(cfg: &mut web::ServiceConfig, limit_bytes: usize) {
    cfg.app_data(
        web::JsonConfig::default()
            .limit(limit_bytes)
            .error_handler(|e, _| json_error(e).into()),
    )
    .app_data(
        web::FormConfig::default()
            .limit(limit_bytes)
            .error_handler(|e, _| form_error(e).into()),
    )
    .app_data(web::PayloadConfig::new(limit_bytes))
    .app_data(web::QueryConfig::default().error_handler(|e, _| query_error(e).into()))
    .app_data(web::PathConfig::default().error_handler(|e, _| path_error(e).into()));
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        format!("the request body is larger than the limit of {limit} bytes"),
    )
}

fn wrong_content_type(expected: &str) -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        format!("the request body must be sent as {expected}"),
    )
}

fn payload_error(error: &PayloadError, limit: usize) -> ApiError {
    match error {
        PayloadError::Overflow => too_large(limit),
        other => ApiError::bad_request(
            "unreadable_body",
            format!("the body could not be read: {other}"),
        ),
    }
}

/// Maps a JSON extractor error to the envelope.
pub fn json_error(error: JsonPayloadError) -> ApiError {
    match error {
        JsonPayloadError::OverflowKnownLength { limit, .. }
        | JsonPayloadError::Overflow { limit } => too_large(limit),
        JsonPayloadError::ContentType => wrong_content_type("application/json"),
        JsonPayloadError::Deserialize(e) if e.is_data() => ApiError::unprocessable(
            "invalid_body",
            format!("the JSON body has the wrong shape: {e}"),
        ),
        JsonPayloadError::Deserialize(e) => {
            ApiError::bad_request("malformed_json", format!("the body is not valid JSON: {e}"))
        }
        JsonPayloadError::Payload(e) => payload_error(&e, DEFAULT_BODY_LIMIT_BYTES),
        other => ApiError::bad_request("malformed_json", other.to_string()),
    }
}

/// Maps a form extractor error to the envelope.
pub fn form_error(error: UrlencodedError) -> ApiError {
    match error {
        UrlencodedError::Overflow { limit, .. } => too_large(limit),
        UrlencodedError::ContentType => wrong_content_type("application/x-www-form-urlencoded"),
        UrlencodedError::Payload(e) => payload_error(&e, DEFAULT_BODY_LIMIT_BYTES),
        other => ApiError::bad_request(
            "malformed_form",
            format!("the form body is malformed: {other}"),
        ),
    }
}

/// Maps a query-string extractor error to the envelope.
pub fn query_error(error: QueryPayloadError) -> ApiError {
    ApiError::bad_request(
        "invalid_query",
        format!("the query string is invalid: {error}"),
    )
}

/// Maps a path extractor error to the envelope.
pub fn path_error(error: PathError) -> ApiError {
    ApiError::not_found("not_found", format!("no such resource: {error}"))
}

/// The default service, for a request no route takes: 405 with the route's methods in `Allow`
/// when its path is a route's (only the method is wrong), else 404; both in the envelope.
pub async fn no_route(
    request: HttpRequest,
    allowed: Option<web::Data<AllowedMethods>>,
) -> HttpResponse {
    let Some(pattern) = request.resource_map().match_pattern(request.path()) else {
        let error = ApiError::not_found(
            "not_found",
            format!("no route for {} {}", request.method(), request.path()),
        );
        return actix_web::ResponseError::error_response(&error);
    };
    let allow = allowed
        .as_ref()
        .map_or("", |allowed| allowed.allow(&pattern));
    let error = ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("{} is not allowed on {}", request.method(), request.path()),
    );
    let mut response = actix_web::ResponseError::error_response(&error);
    if let Ok(value) = HeaderValue::from_str(allow) {
        response.headers_mut().insert(header::ALLOW, value);
    }
    response
}
