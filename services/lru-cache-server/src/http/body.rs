//! Reading the pairs of a `POST /api/storage/` body: a form (`k1=v1&k2=v2`) or a JSON object
//! of string values, in the order given.

use std::fmt;

use actix_web::http::StatusCode;
use actix_web::{HttpMessage, HttpRequest, web};
use http_kit::ApiError;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::Value;

/// Reads the body, refusing more than `limit` bytes with 413.
pub async fn read_limited(payload: web::Payload, limit: usize) -> Result<web::Bytes, ApiError> {
    match payload.to_bytes_limited(limit).await {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(e)) => Err(ApiError::bad_request(
            "unreadable_body",
            format!("the body could not be read: {e}"),
        )),
        Err(_) => Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!(
                "the request body is larger than the limit of {limit} bytes (CACHE_MAX_REQUEST_BYTES)"
            ),
        )),
    }
}

/// The key-value pairs of the body, by its content type.
pub fn pairs(request: &HttpRequest, body: &[u8]) -> Result<Vec<(String, String)>, ApiError> {
    match request.content_type() {
        "application/json" => json_pairs(body),
        "application/x-www-form-urlencoded" => Ok(url::form_urlencoded::parse(body)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()),
        _ => Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "the body must be application/json or application/x-www-form-urlencoded",
        )),
    }
}

fn json_pairs(body: &[u8]) -> Result<Vec<(String, String)>, ApiError> {
    let Ordered(pairs) = serde_json::from_slice(body).map_err(|e| {
        if e.is_data() {
            ApiError::unprocessable(
                "invalid_body",
                "the body must be a JSON object whose values are strings",
            )
        } else {
            ApiError::bad_request("malformed_json", format!("the body is not valid JSON: {e}"))
        }
    })?;
    pairs
        .into_iter()
        .map(|(key, value)| match value {
            Value::String(text) => Ok((key, text)),
            other => Err(ApiError::unprocessable(
                "invalid_value",
                format!(
                    "the value of '{key}' must be a string, not {}",
                    kind(&other)
                ),
            )
            .with_field(key)),
        })
        .collect()
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A JSON object's members in document order (`serde_json::Map` would sort them).
struct Ordered(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for Ordered {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(OrderedVisitor)
    }
}

struct OrderedVisitor;

impl<'de> Visitor<'de> for OrderedVisitor {
    type Value = Ordered;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ordered, A::Error> {
        let mut pairs = Vec::new();
        while let Some(pair) = map.next_entry::<String, Value>()? {
            pairs.push(pair);
        }
        Ok(Ordered(pairs))
    }
}
