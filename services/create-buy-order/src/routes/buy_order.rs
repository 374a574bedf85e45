//! `PUT /buy_order`: create an order, or replay the one created with the same key.

use crate::{
    committer::Committer,
    orders::{self, Created, OrderRow},
    price_client::PriceClient,
    request::{self, RawOrderBody},
};
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use domain::btc_for;
use http_kit::{ApiError, RequestId};
use prometheus::IntCounterVec;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use store::{PgPool, StoreError};
use tokio::sync::Notify;
use uuid::Uuid;

/// Everything the handler needs.
pub struct OrderService {
    /// The write model.
    pub pool: PgPool,
    /// Commits new orders in batches.
    pub committer: Committer,
    /// btc-price.
    pub prices: PriceClient,
    /// Wakes the outbox relay.
    pub relay_wake: Arc<Notify>,
    /// `buy_orders_total{outcome}`.
    pub outcomes: IntCounterVec,
}

/// An order as answered.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BuyOrder {
    /// The order's id.
    pub id: Uuid,
    /// The idempotency key it was created with.
    pub idempotence_key: String,
    /// EUR, GBP or USD.
    pub currency: String,
    /// Fiat amount, 2 decimals.
    #[serde(with = "rust_decimal::serde::str")]
    #[schema(value_type = String, example = "100.50")]
    pub amount: Decimal,
    /// Price of 1 BTC used.
    #[serde(with = "rust_decimal::serde::str")]
    #[schema(value_type = String, example = "38123.45")]
    pub exchange_rate: Decimal,
    /// BTC bought: amount / rate rounded up to 8 decimals.
    #[serde(with = "rust_decimal::serde::str")]
    #[schema(value_type = String, example = "0.00263618")]
    pub bitcoin_amount: Decimal,
    /// Creation time.
    pub created_at: DateTime<Utc>,
}

impl From<OrderRow> for BuyOrder {
    fn from(row: OrderRow) -> Self {
        Self {
            id: row.id,
            idempotence_key: row.idempotence_key,
            currency: row.currency,
            amount: row.amount,
            exchange_rate: row.exchange_rate,
            bitcoin_amount: row.bitcoin_amount,
            created_at: row.created_at,
        }
    }
}

/// Most BTC an order row can hold (`NUMERIC(18,8)`); anything larger is over any cap anyway.
const MAX_ORDER_BTC: Decimal = Decimal::from_parts(1_000_000_000, 0, 0, false, 0);

pub(super) fn store_error(error: &StoreError) -> ApiError {
    if error.is_unavailable() {
        tracing::warn!(error = %http_kit::chain(error), "database unavailable");
        ApiError::unavailable(
            "database_unavailable",
            "the order database is unavailable; try again shortly",
        )
    } else {
        ApiError::internal(error)
    }
}

fn replay(existing: OrderRow, wanted: &request::OrderRequest) -> Result<HttpResponse, ApiError> {
    if existing.currency != wanted.currency.code() || existing.amount != wanted.amount.value() {
        return Err(ApiError::unprocessable(
            "idempotency_key_reused",
            "this idempotency key was already used for an order with another currency or amount",
        )
        .with_field("idempotence_key"));
    }
    Ok(HttpResponse::Ok()
        .insert_header(("Idempotent-Replayed", "true"))
        .json(BuyOrder::from(existing)))
}

fn cap_exceeded(btc: Decimal, remaining: Decimal) -> ApiError {
    ApiError::conflict(
        "btc_cap_exceeded",
        format!(
            "an order of {btc} BTC would exceed the 100 BTC cap; {} BTC remain",
            remaining.normalize()
        ),
    )
}

/// `PUT /buy_order`.
#[utoipa::path(
    put,
    path = "/buy_order", security(("bearer" = ["orders:write"])),
    request_body = RawOrderBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "1 to 255 printable ASCII characters")),
    responses(
        (status = 201, body = BuyOrder, description = "created"),
        (status = 200, body = BuyOrder, description = "replay of the order created with this key (header Idempotent-Replayed: true)"),
        (status = 400, body = http_kit::ErrorEnvelope, description = "malformed JSON, missing or conflicting key"),
        (status = 409, body = http_kit::ErrorEnvelope, description = "btc_cap_exceeded"),
        (status = 415, body = http_kit::ErrorEnvelope, description = "the body is not sent as application/json"),
        (status = 422, body = http_kit::ErrorEnvelope, description = "invalid field or idempotency_key_reused"),
        (status = 503, body = http_kit::ErrorEnvelope, description = "price_unavailable or database_unavailable"),
    )
)]
pub async fn put_buy_order(
    http: HttpRequest,
    body: web::Json<RawOrderBody>,
    request_id: RequestId,
    service: web::Data<OrderService>,
) -> Result<HttpResponse, ApiError> {
    let wanted = request::validate(http.headers(), &body)?;
    let outcome = create(&service, &wanted, request_id.as_str()).await;
    let label = match &outcome {
        Ok(response) => response.status().as_str().to_owned(),
        Err(error) => error.code.clone(),
    };
    service.outcomes.with_label_values(&[&label]).inc();
    outcome
}

async fn create(
    service: &OrderService,
    wanted: &request::OrderRequest,
    request_id: &str,
) -> Result<HttpResponse, ApiError> {
    let key = wanted.key.clone();
    // A replay never needs a price: answer it before calling btc-price.
    let existing = store::run(&service.pool, move |conn| orders::find_by_key(conn, &key))
        .await
        .map_err(|e| store_error(&e))?;
    if let Some(existing) = existing {
        return replay(existing, wanted);
    }
    let rate = service
        .prices
        .rate(wanted.currency, request_id)
        .await
        .map_err(|error| {
            tracing::warn!(error = %http_kit::chain(&error), "no price from btc-price");
            ApiError::unavailable(
                "price_unavailable",
                "the BTC price is unavailable; nothing was stored, try again shortly",
            )
        })?;
    let btc = match btc_for(wanted.amount.value(), rate) {
        Ok(btc) if btc <= MAX_ORDER_BTC => btc,
        // Larger than any order row can hold, so larger than the cap: refuse it as such.
        _ => {
            let remaining = store::run(&service.pool, orders::remaining)
                .await
                .map_err(|e| store_error(&e))?;
            return Err(cap_exceeded(MAX_ORDER_BTC, remaining));
        }
    };
    let order = OrderRow::new(
        &wanted.key,
        wanted.currency,
        wanted.amount.value(),
        rate,
        btc,
    );
    let created = service
        .committer
        .commit(order, request_id.to_owned())
        .await
        .map_err(|stopped| ApiError::internal(&stopped))?
        .map_err(|e| store_error(&e))?;
    match created {
        Created::New(order) => {
            service.relay_wake.notify_one();
            tracing::info!(order_id = %order.id, bitcoin_amount = %order.bitcoin_amount, "order created");
            Ok(HttpResponse::Created().json(BuyOrder::from(order)))
        }
        Created::Existing(existing) => replay(existing, wanted),
        Created::CapExceeded { remaining } => Err(cap_exceeded(btc, remaining)),
    }
}
