//! Reading pages of the read model, newest first, by keyset.
//!
//! A page after reference `r` is `WHERE (created_at, id) < (r.created_at, r.id) ORDER BY
//! created_at DESC, id DESC LIMIT n + 1`: the row comparison is an index condition on
//! `buy_orders_newest_first (created_at DESC, id DESC)`, so a page deep in the list costs what
//! the first one costs, ties on `created_at` are broken by id, and orders inserted meanwhile
//! (newer, hence before the cursor) never shift the pages still to come. One extra row is read
//! to know whether more follow.

use chrono::{DateTime, Utc};
use diesel::{
    OptionalExtension, PgConnection, QueryDsl, QueryResult, QueryableByName, RunQueryDsl,
    sql_query,
    sql_types::{BigInt, Timestamptz, Uuid as SqlUuid},
};
use rust_decimal::Decimal;
use serde::Serialize;
use store::schema::read::buy_orders;
use uuid::Uuid;

/// One order as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, QueryableByName, utoipa::ToSchema)]
#[diesel(table_name = buy_orders)]
pub struct Order {
    /// The order's id; pass the last one as `last_reference` for the next page.
    pub id: Uuid,
    /// EUR, GBP or USD.
    #[schema(example = "EUR")]
    pub currency: String,
    /// Fiat amount, as a decimal string.
    #[serde(with = "rust_decimal::serde::str")]
    #[schema(value_type = String, example = "100.50")]
    pub amount: Decimal,
    /// Price of 1 BTC in `currency` used, as a decimal string.
    #[serde(with = "rust_decimal::serde::str")]
    #[schema(value_type = String, example = "38123.45")]
    pub exchange_rate: Decimal,
    /// BTC bought, as a decimal string with 8 decimals.
    #[serde(with = "rust_decimal::serde::str")]
    #[schema(value_type = String, example = "0.00263617")]
    pub bitcoin_amount: Decimal,
    /// When the order was created.
    pub created_at: DateTime<Utc>,
}

/// A page of orders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// At most `limit` orders, newest first.
    pub orders: Vec<Order>,
    /// Whether older orders follow.
    pub has_more: bool,
}

const COLUMNS: &str = "id, currency, amount, exchange_rate, bitcoin_amount, created_at";

/// The `limit` orders after `reference` (from the newest when `None`); `None` when the
/// reference names no order.
pub fn page(
    conn: &mut PgConnection,
    limit: i64,
    reference: Option<Uuid>,
) -> QueryResult<Option<Page>> {
    let mut orders: Vec<Order> = match reference {
        None => sql_query(format!(
            "SELECT {COLUMNS} FROM buy_orders ORDER BY created_at DESC, id DESC LIMIT $1"
        ))
        .bind::<BigInt, _>(limit + 1)
        .load(conn)?,
        Some(id) => {
            let Some(created_at) = buy_orders::table
                .find(id)
                .select(buy_orders::created_at)
                .first::<DateTime<Utc>>(conn)
                .optional()?
            else {
                return Ok(None);
            };
            sql_query(format!(
                "SELECT {COLUMNS} FROM buy_orders WHERE (created_at, id) < ($1, $2) \
                 ORDER BY created_at DESC, id DESC LIMIT $3"
            ))
            .bind::<Timestamptz, _>(created_at)
            .bind::<SqlUuid, _>(id)
            .bind::<BigInt, _>(limit + 1)
            .load(conn)?
        }
    };
    let has_more = orders.len() as i64 > limit;
    orders.truncate(usize::try_from(limit).unwrap_or(0));
    Ok(Some(Page { orders, has_more }))
}
