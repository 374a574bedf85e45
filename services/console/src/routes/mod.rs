//! The console's routes: the page and its files, and the JSON API the page calls. Every
//! `/api/...` route forwards to one service with the console's key and answers as the service
//! did, so a page shows the service's own error envelope.

pub mod api;
pub mod pages;

use actix_web::web;
use http_kit::ApiError;

/// Registers every route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(pages::get_index))
        .route("/static/{file}", web::get().to(pages::get_static))
        .route("/api/orders", web::get().to(api::get_orders))
        .route("/api/orders", web::put().to(api::put_order))
        .route("/api/cap", web::get().to(api::get_cap))
        .route("/api/prices", web::get().to(api::get_prices))
        .route("/api/pairs", web::get().to(api::get_pairs))
        .route("/api/pairs", web::post().to(api::post_pair))
        .route(
            "/api/pairs/{base}/{quote}",
            web::delete().to(api::delete_pair),
        )
        .route(
            "/api/rates/{base}/{quote}/daily",
            web::get().to(api::get_daily_rates),
        )
        .route("/api/events/{client}", web::get().to(api::get_event_list))
        .route(
            "/api/events/{client}/{event}/schema",
            web::get().to(api::get_schema),
        )
        .route(
            "/api/events/{client}/{event}/register",
            web::post().to(api::post_schema),
        )
        .route(
            "/api/events/{client}/{event}/send",
            web::post().to(api::post_event),
        )
        .route(
            "/api/sequence/{direction}",
            web::get().to(api::get_sequence),
        )
        .route("/api/cache", web::get().to(api::get_cache_key))
        .route("/api/cache", web::post().to(api::post_cache))
        .route("/api/cache", web::delete().to(api::delete_cache_key))
        .route("/api/cache/info", web::get().to(api::get_cache_info))
        .route("/api/health", web::get().to(api::get_health))
        .route(
            "/api/live/orders",
            web::get().to(crate::live::get_orders_stream),
        )
        .route(
            "/api/live/events/{client}",
            web::get().to(crate::live::get_events_stream),
        );
}

/// `value` when it is a safe path segment for a service's URL (1 to 64 letters, digits, `_`
/// and `-`: what every service accepts in a path), else 422 naming `field`.
pub fn segment<'a>(field: &str, value: &'a str) -> Result<&'a str, ApiError> {
    let fine = (1..=64).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if fine {
        Ok(value)
    } else {
        Err(ApiError::unprocessable(
            &format!("invalid_{field}"),
            format!("{field} must be 1 to 64 letters, digits, '_' or '-'"),
        )
        .with_field(field))
    }
}
