//! `POST /pairs`, `DELETE /pairs/{base}/{quote}`, `GET /pairs`.

use super::{State, currency, store_error};
use crate::db;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use http_kit::ApiError;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Body of `POST /pairs`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewPair {
    /// Base currency, e.g. `USD`.
    #[schema(pattern = "^[A-Z]{3}$")]
    pub base: String,
    /// Quote currency, e.g. `EUR`.
    #[schema(pattern = "^[A-Z]{3}$")]
    pub quote: String,
}

/// A registered pair.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Pair {
    /// Base currency.
    pub base: String,
    /// Quote currency.
    pub quote: String,
    /// When it was registered.
    pub created_at: DateTime<Utc>,
}

/// A pair with its latest rate.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PairListItem {
    /// Base currency.
    pub base: String,
    /// Quote currency.
    pub quote: String,
    /// When it was registered.
    pub created_at: DateTime<Utc>,
    /// Units of quote per unit of base, as a decimal string; null before the first sample.
    #[schema(value_type = Option<String>)]
    pub latest_rate: Option<Decimal>,
    /// When the latest rate was observed.
    pub latest_observed_at: Option<DateTime<Utc>>,
}

/// Register a pair: 201 when new, 200 when already registered.
#[utoipa::path(post, path = "/pairs", security(("bearer" = ["rates:admin"])), request_body = NewPair, responses(
    (status = 201, description = "Registered", body = Pair),
    (status = 200, description = "Already registered", body = Pair),
    (status = 400, description = "The body is not JSON", body = http_kit::ErrorEnvelope),
    (status = 415, description = "The body is not sent as application/json", body = http_kit::ErrorEnvelope),
    (status = 422, description = "Not ISO 4217 codes, or base = quote", body = http_kit::ErrorEnvelope),
))]
pub async fn post_pair(
    state: web::Data<State>,
    body: web::Json<NewPair>,
) -> Result<HttpResponse, ApiError> {
    let base = currency(&body.base, "base")?;
    let quote = currency(&body.quote, "quote")?;
    if base == quote {
        return Err(ApiError::unprocessable(
            "same_currency",
            format!("base and quote must differ, both are {base}"),
        )
        .with_field("quote"));
    }
    let (row, created) = store::run(&state.pool, move |conn| {
        db::insert_pair(conn, &base, &quote)
    })
    .await
    .map_err(|e| store_error(&e))?;
    let pair = Pair {
        base: row.base,
        quote: row.quote,
        created_at: row.created_at,
    };
    Ok(if created {
        HttpResponse::Created().json(pair)
    } else {
        HttpResponse::Ok().json(pair)
    })
}

/// Stop tracking a pair and drop its samples.
#[utoipa::path(delete, path = "/pairs/{base}/{quote}", security(("bearer" = ["rates:admin"])), responses(
    (status = 204, description = "Deleted"),
    (status = 404, description = "Not registered", body = http_kit::ErrorEnvelope),
))]
pub async fn delete_pair(
    state: web::Data<State>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (base, quote) = path.into_inner();
    let unknown = || {
        ApiError::not_found(
            "unknown_pair",
            format!("the pair {base}/{quote} is not registered"),
        )
    };
    if !crate::currency::is_iso_4217(&base) || !crate::currency::is_iso_4217(&quote) {
        return Err(unknown());
    }
    let (b, q) = (base.clone(), quote.clone());
    let deleted = store::run(&state.pool, move |conn| db::delete_pair(conn, &b, &q))
        .await
        .map_err(|e| store_error(&e))?;
    if deleted {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(unknown())
    }
}

/// Every pair with its latest rate.
#[utoipa::path(get, path = "/pairs", security(("bearer" = ["rates:read"])), responses((status = 200, description = "Pairs", body = Vec<PairListItem>)))]
pub async fn get_pairs(state: web::Data<State>) -> Result<HttpResponse, ApiError> {
    let rows = store::run(&state.pool, db::list_pairs)
        .await
        .map_err(|e| store_error(&e))?;
    let items: Vec<PairListItem> = rows
        .into_iter()
        .map(|row| PairListItem {
            base: row.base,
            quote: row.quote,
            created_at: row.created_at,
            latest_rate: row.latest_rate.map(|rate| rate.normalize()),
            latest_observed_at: row.latest_observed_at,
        })
        .collect();
    Ok(HttpResponse::Ok().json(items))
}
