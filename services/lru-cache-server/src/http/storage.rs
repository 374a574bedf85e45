//! `/api/storage/`: store pairs, read one key, delete one key.

use std::sync::Arc;

use actix_web::{HttpRequest, HttpResponse, web};
use bytes::Bytes;
use http_kit::{ApiError, ErrorEnvelope};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::body;
use crate::db::DbError;
use crate::state::AppState;

/// The keys a POST stored.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Stored {
    /// Every distinct key stored, in request order.
    pub stored: Vec<String>,
}

/// One key and its value.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct KeyValue {
    /// The key.
    pub key: String,
    /// Its value.
    pub value: String,
}

/// `?key=...`
#[derive(Debug, Deserialize, IntoParams)]
pub struct KeyQuery {
    /// The key to read or delete. Required: its absence is a 400 in the envelope, which an
    /// `Option` lets the handler answer (rather than actix-web's query error).
    #[param(required = true)]
    key: Option<String>,
}

impl KeyQuery {
    fn require(self) -> Result<String, ApiError> {
        self.key.ok_or_else(|| {
            ApiError::bad_request("missing_key", "the query parameter 'key' is required")
                .with_field("key")
        })
    }
}

fn not_found(key: &str) -> ApiError {
    ApiError::not_found("key_not_found", format!("no value is stored under '{key}'"))
        .with_field("key")
}

/// Stores every pair of a form or JSON object body, atomically per shard (one shard locked at
/// a time), refusing the whole body before any write when it could not fit.
#[utoipa::path(
    post,
    path = "/api/storage/", security(("bearer" = ["cache:write"])),
    request_body(description = "Pairs to store: a form `k1=v1&k2=v2` or a JSON object of strings",
        content(
            (std::collections::HashMap<String, String> = "application/json"),
            (std::collections::HashMap<String, String> = "application/x-www-form-urlencoded")
        )),
    responses(
        (status = 201, description = "Stored", body = Stored),
        (status = 400, description = "Malformed JSON", body = ErrorEnvelope),
        (status = 413, description = "Body over CACHE_MAX_REQUEST_BYTES", body = ErrorEnvelope),
        (status = 415, description = "Neither JSON nor a form", body = ErrorEnvelope),
        (status = 422, description = "No pairs, a non-string value, or a value too large",
            body = ErrorEnvelope)
    )
)]
pub async fn post_storage(
    request: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let raw = body::read_limited(payload, state.config.cache_max_request_bytes).await?;
    let pairs = body::pairs(&request, &raw)?;
    if pairs.is_empty() {
        return Err(ApiError::unprocessable(
            "no_pairs",
            "the body holds no key-value pair to store",
        ));
    }
    let limit = state.config.cache_max_value_bytes;
    if let Some((key, _)) = pairs
        .iter()
        .find(|(k, v)| k.len() > limit || v.len() > limit)
    {
        return Err(too_large(key, limit));
    }
    let entries: Vec<(Bytes, Bytes)> = pairs
        .iter()
        .map(|(k, v)| {
            (
                Bytes::copy_from_slice(k.as_bytes()),
                Bytes::copy_from_slice(v.as_bytes()),
            )
        })
        .collect();
    // One shard locked at a time, so a large body never holds up the whole store.
    state.db.set_many_per_shard(&entries).map_err(|e| match e {
        DbError::TooLarge { .. } | DbError::TooMany { .. } => {
            ApiError::unprocessable("value_too_large", e.to_string())
        }
        other => ApiError::internal(&other),
    })?;
    let mut seen = std::collections::HashSet::with_capacity(pairs.len());
    let stored: Vec<String> = pairs
        .into_iter()
        .map(|(key, _)| key)
        .filter(|key| seen.insert(key.clone()))
        .collect();
    tracing::debug!(keys = stored.len(), "stored pairs over HTTP");
    Ok(HttpResponse::Created().json(Stored { stored }))
}

fn too_large(key: &str, limit: usize) -> ApiError {
    ApiError::unprocessable(
        "value_too_large",
        format!("the key or value of '{key}' is larger than {limit} bytes (CACHE_MAX_VALUE_BYTES)"),
    )
    .with_field(key)
}

/// Reads one key (counts as a use of it).
#[utoipa::path(
    get,
    path = "/api/storage/", security(("bearer" = ["cache:read"])),
    params(KeyQuery),
    responses(
        (status = 200, description = "The value", body = KeyValue),
        (status = 400, description = "No `key` parameter", body = ErrorEnvelope),
        (status = 404, description = "No such key", body = ErrorEnvelope),
        (status = 409, description = "The value is binary (set over RESP), not UTF-8",
            body = ErrorEnvelope)
    )
)]
pub async fn get_storage(
    query: web::Query<KeyQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let key = query.into_inner().require()?;
    let value = state
        .db
        .get(key.as_bytes())
        .ok_or_else(|| not_found(&key))?;
    let value = String::from_utf8(value.to_vec()).map_err(|_| {
        ApiError::conflict(
            "value_not_utf8",
            format!("the value of '{key}' is not UTF-8 text; read it over RESP"),
        )
        .with_field("key")
    })?;
    Ok(HttpResponse::Ok().json(KeyValue { key, value }))
}

/// Deletes one key: 204, or 404 when there was nothing to delete.
#[utoipa::path(
    delete,
    path = "/api/storage/", security(("bearer" = ["cache:write"])),
    params(KeyQuery),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "No `key` parameter", body = ErrorEnvelope),
        (status = 404, description = "No such key", body = ErrorEnvelope)
    )
)]
pub async fn delete_storage(
    query: web::Query<KeyQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let key = query.into_inner().require()?;
    if state.db.delete(key.as_bytes()) {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(not_found(&key))
    }
}

/// Makes the shared state available to the handlers.
pub fn data(state: &Arc<AppState>) -> web::Data<AppState> {
    web::Data::from(Arc::clone(state))
}
