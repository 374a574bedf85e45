//! HTTP routes: `/v1` (one number as text) and `/v2` (JSON arrays), plus the OpenAPI document.

mod v1;
mod v2;

use crate::blocks::{BlockError, Lane};
use crate::dispenser::{self, Direction};
use actix_web::web;
use http_kit::ApiError;
use prometheus::IntCounterVec;
use std::sync::Arc;
use store::{PgPool, StoreError};

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
    /// Block mode's lanes (forward, reverse); `None` draws each number from the database.
    pub blocks: Option<Arc<(Arc<Lane>, Arc<Lane>)>>,
}

impl State {
    /// Draws `count` numbers, mapping database failures to 503 (down) or 500 (logged).
    async fn draw(&self, direction: Direction, count: u32) -> Result<Vec<i64>, ApiError> {
        let numbers = match &self.blocks {
            None => dispenser::draw(&self.pool, direction, count)
                .await
                .map_err(|e| store_error(&e))?,
            Some(lanes) => {
                let lane = match direction {
                    Direction::Forward => &lanes.0,
                    Direction::Reverse => &lanes.1,
                };
                lane.draw(count).await.map_err(|e| match e {
                    BlockError::Store(e) => store_error(&e),
                    mismatch @ BlockError::SizeMismatch { .. } => {
                        tracing::error!(error = %mismatch, "block size differs from the database's");
                        ApiError::unavailable("block_size_mismatch", mismatch.to_string())
                    }
                })?
            }
        };
        self.dispensed
            .with_label_values(&[direction.name()])
            .inc_by(numbers.len() as u64);
        Ok(numbers)
    }
}

fn store_error(e: &StoreError) -> ApiError {
    if e.is_unavailable() {
        tracing::warn!(error = %http_kit::chain(e), "sequence database unavailable");
        ApiError::unavailable(
            "database_unavailable",
            "the sequence database is unavailable",
        )
    } else {
        ApiError::internal(e)
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
