//! `GET /btc_price/{currency}` and `GET /btc_prices`.

use crate::{
    cache::{PriceCache, Served},
    upstream::Snapshot,
};
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use domain::Currency;
use http_kit::ApiError;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The price of 1 BTC in one currency.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PriceView {
    /// EUR, GBP or USD.
    #[schema(value_type = String, example = "EUR")]
    pub currency: Currency,
    /// Price of 1 BTC, as a decimal string.
    #[serde(with = "rust_decimal::serde::str")]
    #[schema(value_type = String, example = "38123.45")]
    pub rate: Decimal,
    /// `coinbase` or `kraken`.
    pub source: String,
    /// When the upstream answered.
    pub fetched_at: DateTime<Utc>,
    /// True when the upstream is failing and this is the last known price.
    pub stale: bool,
}

/// All three prices.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PriceList {
    /// EUR, GBP and USD, in that order.
    pub prices: Vec<PriceView>,
}

fn view(snapshot: &Snapshot, currency: Currency, stale: bool) -> Result<PriceView, ApiError> {
    let rate = snapshot
        .rate(currency)
        .ok_or_else(|| unavailable(&format!("no {currency} price")))?;
    Ok(PriceView {
        currency,
        rate,
        source: snapshot.source.name().to_owned(),
        fetched_at: snapshot.fetched_at,
        stale,
    })
}

fn unavailable(reason: &str) -> ApiError {
    tracing::warn!(reason, "price unavailable");
    ApiError::unavailable(
        "price_unavailable",
        "no recent BTC price is available; try again shortly",
    )
}

async fn current(cache: &PriceCache) -> Result<Served, ApiError> {
    cache.get().await.map_err(|e| unavailable(&e.to_string()))
}

/// `GET /btc_price/{currency}`: the price of 1 BTC in EUR, GBP or USD.
#[utoipa::path(
    get,
    path = "/btc_price/{currency}", security(("bearer" = ["prices:read"])),
    params(("currency" = String, Path, description = "EUR, GBP or USD", pattern = "^(EUR|GBP|USD)$")),
    responses(
        (status = 200, body = PriceView),
        (status = 422, body = http_kit::ErrorEnvelope, description = "not EUR, GBP or USD"),
        (status = 503, body = http_kit::ErrorEnvelope, description = "no price younger than PRICE_MAX_STALE_MS"),
    )
)]
pub async fn get_btc_price(
    path: web::Path<String>,
    cache: web::Data<PriceCache>,
) -> Result<HttpResponse, ApiError> {
    let currency: Currency = path.into_inner().parse().map_err(|_| {
        ApiError::unprocessable(
            "unsupported_currency",
            format!("currency must be one of {}", Currency::allowed_list()),
        )
        .with_field("currency")
    })?;
    let served = current(&cache).await?;
    Ok(HttpResponse::Ok().json(view(&served.snapshot, currency, served.stale)?))
}

/// `GET /btc_prices`: the price of 1 BTC in EUR, GBP and USD.
#[utoipa::path(
    get,
    path = "/btc_prices", security(("bearer" = ["prices:read"])),
    responses(
        (status = 200, body = PriceList),
        (status = 503, body = http_kit::ErrorEnvelope, description = "no price younger than PRICE_MAX_STALE_MS"),
    )
)]
pub async fn get_btc_prices(cache: web::Data<PriceCache>) -> Result<HttpResponse, ApiError> {
    let served = current(&cache).await?;
    let prices = Currency::ALL
        .into_iter()
        .map(|currency| view(&served.snapshot, currency, served.stale))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(PriceList { prices }))
}
