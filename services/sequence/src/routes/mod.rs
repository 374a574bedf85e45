//! HTTP routes: `/v1` (one number as text) and `/v2` (JSON arrays), plus the OpenAPI document.

mod v1;
mod v2;

use crate::dispenser::{self, Direction};
use actix_web::web;
use http_kit::ApiError;
use prometheus::IntCounterVec;
use store::PgPool;

pub use v1::{get_v1_forward, get_v1_reverse};
pub use v2::{get_v2_forward, get_v2_reverse};

/// What handlers share.
#[derive(Clone)]
pub struct State {
    /// Pool on the sequence database.
    pub pool: PgPool,
    /// Largest `count` accepted on `/v2`.
    pub max_count: u32,
    /// `sequence_numbers_dispensed_total{direction}`.
    pub dispensed: IntCounterVec,
}

impl State {
    /// Draws `count` numbers, mapping database failures to 503 (down) or 500 (logged).
    async fn draw(&self, direction: Direction, count: u32) -> Result<Vec<i64>, ApiError> {
        let numbers = dispenser::draw(&self.pool, direction, count)
            .await
            .map_err(|e| {
                if e.is_unavailable() {
                    tracing::warn!(error = %http_kit::chain(&e), "sequence database unavailable");
                    ApiError::unavailable(
                        "database_unavailable",
                        "the sequence database is unavailable",
                    )
                } else {
                    ApiError::internal(&e)
                }
            })?;
        self.dispensed
            .with_label_values(&[direction.name()])
            .inc_by(numbers.len() as u64);
        Ok(numbers)
    }
}

/// Registers the `/v1` and `/v2` routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/v1/forward",
        web::get()
            .to(get_v1_forward)
            .wrap(http_kit::require("sequence:draw")),
    )
    .route(
        "/v1/reverse",
        web::get()
            .to(get_v1_reverse)
            .wrap(http_kit::require("sequence:draw")),
    )
    .route(
        "/v2/forward",
        web::get()
            .to(get_v2_forward)
            .wrap(http_kit::require("sequence:draw")),
    )
    .route(
        "/v2/reverse",
        web::get()
            .to(get_v2_reverse)
            .wrap(http_kit::require("sequence:draw")),
    );
}

/// The OpenAPI document of the service.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "sequence",
        description = "Big unique numbers from PostgreSQL sequences"
    ),
    paths(
        v1::get_v1_forward,
        v1::get_v1_reverse,
        v2::get_v2_forward,
        v2::get_v2_reverse
    ),
    components(schemas(http_kit::ErrorEnvelope, http_kit::ErrorBody))
)]
pub struct ApiDoc;
