//! The HTTP API: `/api/storage/` over the same store as the RESP side, plus the common
//! health, metrics and OpenAPI routes from `http-kit`.

mod body;
mod metrics;
mod storage;

use actix_web::web;
use utoipa::OpenApi;

pub use metrics::CacheCollector;
pub use storage::data;

/// The OpenAPI document of the HTTP API.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "lru-cache-server",
        description = "An in-memory LRU key-value store; the same data is served over RESP2."
    ),
    paths(storage::post_storage, storage::get_storage, storage::delete_storage),
    components(schemas(
        storage::Stored,
        storage::KeyValue,
        http_kit::ErrorEnvelope,
        http_kit::ErrorBody
    ))
)]
pub struct ApiDoc;

/// Registers the API routes (with and without the trailing slash).
pub fn routes(cfg: &mut web::ServiceConfig) {
    for path in ["/api/storage/", "/api/storage"] {
        cfg.route(
            path,
            web::post()
                .to(storage::post_storage)
                .wrap(http_kit::require("cache:write")),
        )
        .route(
            path,
            web::get()
                .to(storage::get_storage)
                .wrap(http_kit::require("cache:read")),
        )
        .route(
            path,
            web::delete()
                .to(storage::delete_storage)
                .wrap(http_kit::require("cache:write")),
        );
    }
}
