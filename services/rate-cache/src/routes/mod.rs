//! HTTP routes: `/pairs`, `/rates` and `/rates/.../daily`, plus the OpenAPI document.

pub mod daily;
pub mod pairs;
pub mod rates;

use crate::currency::is_iso_4217;
use actix_web::web;
use http_kit::ApiError;
use store::{PgPool, StoreError};

/// What handlers share.
#[derive(Clone)]
pub struct State {
    /// The rate-cache database.
    pub pool: PgPool,
}

/// Maps a database failure: unreachable → 503, anything else → 500 (logged, hidden).
pub fn store_error(error: &StoreError) -> ApiError {
    if error.is_unavailable() {
        tracing::warn!(error = %http_kit::chain(error), "database unavailable");
        ApiError::unavailable(
            "database_unavailable",
            "the rate-cache database is unavailable",
        )
    } else {
        ApiError::internal(error)
    }
}

/// `code` as an ISO 4217 code, or 422 `invalid_currency` naming `field`.
pub fn currency(code: &str, field: &str) -> Result<String, ApiError> {
    if is_iso_4217(code) {
        Ok(code.to_owned())
    } else {
        Err(ApiError::unprocessable(
            "invalid_currency",
            format!("{field} must be an active ISO 4217 currency code (three upper-case letters, e.g. USD), got '{code}'"),
        )
        .with_field(field))
    }
}

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/pairs",
        web::get()
            .to(pairs::get_pairs)
            .wrap(http_kit::require("rates:read")),
    )
    .route(
        "/pairs",
        web::post()
            .to(pairs::post_pair)
            .wrap(http_kit::require("rates:admin")),
    )
    .route(
        "/pairs/{base}/{quote}",
        web::delete()
            .to(pairs::delete_pair)
            .wrap(http_kit::require("rates:admin")),
    )
    .route(
        "/rates/{base}/{quote}",
        web::get()
            .to(rates::get_rate)
            .wrap(http_kit::require("rates:read")),
    )
    .route(
        "/rates/{base}/{quote}/daily",
        web::get()
            .to(daily::get_daily_rates)
            .wrap(http_kit::require("rates:read")),
    );
}

/// The OpenAPI document of the service.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(title = "rate-cache", description = "Cache of fiat exchange rates"),
    paths(
        pairs::post_pair,
        pairs::delete_pair,
        pairs::get_pairs,
        rates::get_rate,
        daily::get_daily_rates
    ),
    components(schemas(
        pairs::NewPair,
        pairs::Pair,
        pairs::PairListItem,
        rates::DayRate,
        daily::DailyRates,
        daily::Day,
        http_kit::ErrorEnvelope,
        http_kit::ErrorBody
    ))
)]
pub struct ApiDoc;
