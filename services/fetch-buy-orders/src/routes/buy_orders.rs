//! `GET /buy_orders?limit=&last_reference=`: one page of orders, newest first.

use crate::orders::{self, Order};
use actix_web::{HttpResponse, web};
use http_kit::ApiError;
use serde::{Deserialize, Serialize};
use store::PgPool;
use uuid::Uuid;

/// Orders per page when `limit` is absent.
pub const DEFAULT_LIMIT: i64 = 20;
/// Largest `limit` accepted.
pub const MAX_LIMIT: i64 = 100;

/// The query string, read as text so a bad value is a 422 naming its field.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Orders per page, 1 to 100 (default 20).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    pub limit: Option<String>,
    /// The id of the last order of the previous page (`last_reference` of that response).
    #[param(value_type = Option<Uuid>)]
    pub last_reference: Option<String>,
}

/// One page.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BuyOrdersPage {
    /// Newest first.
    pub buy_orders: Vec<Order>,
    /// The id of the last order of this page, or null when the page is empty.
    pub last_reference: Option<Uuid>,
    /// Whether older orders follow.
    pub has_more: bool,
}

fn parse_limit(limit: Option<&str>) -> Result<i64, ApiError> {
    let Some(text) = limit else {
        return Ok(DEFAULT_LIMIT);
    };
    match text.parse::<i64>() {
        Ok(limit) if (1..=MAX_LIMIT).contains(&limit) => Ok(limit),
        _ => Err(ApiError::unprocessable(
            "invalid_limit",
            format!("limit must be a whole number from 1 to {MAX_LIMIT}, got '{text}'"),
        )
        .with_field("limit")),
    }
}

fn parse_reference(reference: Option<&str>) -> Result<Option<Uuid>, ApiError> {
    reference
        .map(|text| {
            Uuid::try_parse(text).map_err(|_| {
                ApiError::unprocessable(
                    "invalid_last_reference",
                    format!("last_reference must be the id (a UUID) of an order, got '{text}'"),
                )
                .with_field("last_reference")
            })
        })
        .transpose()
}

/// Lists orders newest first, `limit` at a time, after `last_reference`.
#[utoipa::path(
    get,
    path = "/buy_orders", security(("bearer" = ["orders:read"])),
    params(PageQuery),
    responses(
        (status = 200, description = "A page of orders, newest first", body = BuyOrdersPage),
        (status = 400, description = "The query string does not parse", body = http_kit::ErrorEnvelope),
        (status = 422, description = "limit out of 1..=100, or last_reference malformed or unknown", body = http_kit::ErrorEnvelope),
        (status = 503, description = "The read model is unreachable", body = http_kit::ErrorEnvelope),
    )
)]
pub async fn get_buy_orders(
    query: web::Query<PageQuery>,
    pool: web::Data<PgPool>,
) -> Result<HttpResponse, ApiError> {
    let limit = parse_limit(query.limit.as_deref())?;
    let reference = parse_reference(query.last_reference.as_deref())?;
    let page = store::run(&pool, move |conn| orders::page(conn, limit, reference))
        .await
        .map_err(|error| {
            if error.is_unavailable() {
                tracing::warn!(error = %http_kit::chain(&error), "read model unavailable");
                ApiError::unavailable(
                    "database_unavailable",
                    "the orders read model is unavailable; retry shortly",
                )
            } else {
                ApiError::internal(&error)
            }
        })?;
    let Some(page) = page else {
        return Err(ApiError::unprocessable(
            "unknown_last_reference",
            format!(
                "no order has the id given as last_reference ({})",
                reference.map(|r| r.to_string()).unwrap_or_default()
            ),
        )
        .with_field("last_reference"));
    };
    let last_reference = page.orders.last().map(|order| order.id);
    Ok(HttpResponse::Ok().json(BuyOrdersPage {
        buy_orders: page.orders,
        last_reference,
        has_more: page.has_more,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_defaults_to_20_and_accepts_only_1_to_100() {
        assert_eq!(parse_limit(None).unwrap(), 20);
        assert_eq!(parse_limit(Some("1")).unwrap(), 1);
        assert_eq!(parse_limit(Some("100")).unwrap(), 100);
        for bad in ["0", "101", "-1", "abc", "1.5", "", "99999999999999999999"] {
            let error = parse_limit(Some(bad)).unwrap_err();
            assert_eq!(
                (error.status.as_u16(), error.field.as_deref()),
                (422, Some("limit")),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_reference_must_be_a_uuid() {
        assert_eq!(parse_reference(None).unwrap(), None);
        assert!(
            parse_reference(Some("0190f7a0-0000-7000-8000-000000000000"))
                .unwrap()
                .is_some()
        );
        for bad in [
            "",
            "42",
            "not-a-uuid",
            "0190f7a0-0000-7000-8000-00000000000g",
        ] {
            assert_eq!(
                parse_reference(Some(bad)).unwrap_err().code,
                "invalid_last_reference",
                "{bad}"
            );
        }
    }
}
