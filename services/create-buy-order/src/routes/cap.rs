//! `GET /cap`: the 100 BTC cap, how much of it orders use and how much is left.

use super::buy_order::{OrderService, store_error};
use crate::orders;
use actix_web::{HttpResponse, web};
use http_kit::ApiError;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The cap's state.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Cap {
    /// Most BTC all orders together may buy.
    #[serde(with = "rust_decimal::serde::str")]
    #[schema(value_type = String, example = "100")]
    pub cap_btc: Decimal,
    /// BTC the orders placed so far bought.
    #[serde(with = "rust_decimal::serde::str")]
    #[schema(value_type = String, example = "12.5")]
    pub used_btc: Decimal,
    /// BTC still available: `cap_btc - used_btc`.
    #[serde(with = "rust_decimal::serde::str")]
    #[schema(value_type = String, example = "87.5")]
    pub remaining_btc: Decimal,
}

/// The cap, as the write model holds it now.
#[utoipa::path(
    get,
    path = "/cap", security(("bearer" = ["orders:read"])),
    responses(
        (status = 200, description = "The cap, the BTC used and the BTC left", body = Cap),
        (status = 503, description = "The write model is unreachable", body = http_kit::ErrorEnvelope),
    )
)]
pub async fn get_cap(service: web::Data<OrderService>) -> Result<HttpResponse, ApiError> {
    let cap = store::run(&service.pool, orders::cap_use)
        .await
        .map_err(|e| store_error(&e))?;
    Ok(HttpResponse::Ok().json(Cap {
        cap_btc: cap.cap_btc.normalize(),
        used_btc: cap.total_btc.normalize(),
        remaining_btc: (cap.cap_btc - cap.total_btc).normalize(),
    }))
}
