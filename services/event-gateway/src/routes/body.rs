//! Reading a JSON body by hand: the raw bytes are kept (events are published byte for
//! byte, so numbers beyond f64 survive), with the size limit, content type and syntax
//! errors in the SPEC §0 envelope.

use actix_web::{HttpRequest, http::StatusCode, web};
use futures::StreamExt;
use http_kit::ApiError;
use serde_json::Value;

/// The largest body accepted, in bytes (app data).
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// A JSON body: the parsed value and the bytes it came from.
pub struct JsonBody {
    /// The parsed document.
    pub value: Value,
    /// The bytes as received.
    pub raw: Vec<u8>,
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        format!("the request body is larger than the limit of {limit} bytes"),
    )
}

/// Reads and parses the body: 415 unless the content type is JSON (or absent), 413 over
/// `limit`, 400 when it is not JSON or an object in it has a key twice.
pub async fn read_json(
    request: &HttpRequest,
    mut payload: web::Payload,
    limit: usize,
) -> Result<JsonBody, ApiError> {
    if let Some(kind) = request.headers().get(actix_web::http::header::CONTENT_TYPE) {
        let kind = kind.to_str().unwrap_or("").to_ascii_lowercase();
        let essence = kind.split(';').next().unwrap_or("").trim();
        if essence != "application/json" && !essence.ends_with("+json") {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "the request body must be sent as application/json",
            ));
        }
    }
    let mut raw = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::bad_request(
                "unreadable_body",
                format!("the body could not be read: {e}"),
            )
        })?;
        if raw.len() + chunk.len() > limit {
            return Err(too_large(limit));
        }
        raw.extend_from_slice(&chunk);
    }
    let value = serde_json::from_slice(&raw).map_err(|e| {
        ApiError::bad_request("malformed_json", format!("the body is not valid JSON: {e}"))
    })?;
    if let Some(pointer) = crate::routes::duplicates::first_duplicate_key(&raw) {
        return Err(ApiError::bad_request(
            "duplicate_key",
            format!("the body has the key at {pointer} twice in one object"),
        )
        .with_field(pointer.trim_start_matches('/').replace('/', ".")));
    }
    Ok(JsonBody { value, raw })
}
