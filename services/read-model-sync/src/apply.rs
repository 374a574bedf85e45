//! Turning a `buy_order.created` event into a read-model row and writing it idempotently.
//!
//! The row's primary key is the order id, and the insert is `ON CONFLICT (id) DO NOTHING`: a
//! redelivered, duplicated or rebuilt event changes nothing. Values the read model's columns
//! cannot hold exactly are refused before the database sees them, so a bad event is a
//! dead letter, never a message retried forever.

use chrono::{DateTime, Utc};
use diesel::{PgConnection, QueryResult, RunQueryDsl, prelude::Insertable};
use domain::BuyOrderCreated;
use rust_decimal::Decimal;
use std::collections::HashSet;
use store::schema::read::buy_orders;
use uuid::Uuid;

/// One order as the read model stores it.
#[derive(Debug, Clone, PartialEq, Eq, Insertable)]
#[diesel(table_name = buy_orders)]
pub struct ReadOrder {
    /// Order id (primary key).
    pub id: Uuid,
    /// EUR, GBP or USD.
    pub currency: String,
    /// Fiat amount, at most 2 decimals.
    pub amount: Decimal,
    /// Price of 1 BTC used.
    pub exchange_rate: Decimal,
    /// BTC bought, at most 8 decimals.
    pub bitcoin_amount: Decimal,
    /// When the order was created in the write model.
    pub created_at: DateTime<Utc>,
}

/// Largest absolute value a `NUMERIC(p, s)` column with `p - s = 10` integer digits holds.
fn fits(value: Decimal, max_scale: u32) -> bool {
    let limit = Decimal::from(10_000_000_000_i64);
    value.normalize().scale() <= max_scale && value.abs() < limit
}

impl ReadOrder {
    /// The row for `event`, or why the read model cannot store it.
    pub fn from_event(event: &BuyOrderCreated) -> Result<Self, String> {
        if event.amount <= Decimal::ZERO || !fits(event.amount, 2) {
            return Err(format!(
                "amount {} is not a positive value with at most 2 decimals below 10^10",
                event.amount
            ));
        }
        if event.bitcoin_amount <= Decimal::ZERO || !fits(event.bitcoin_amount, 8) {
            return Err(format!(
                "bitcoin_amount {} is not a positive value with at most 8 decimals below 10^10",
                event.bitcoin_amount
            ));
        }
        if event.exchange_rate <= Decimal::ZERO {
            return Err(format!(
                "exchange_rate {} is not positive",
                event.exchange_rate
            ));
        }
        Ok(Self {
            id: event.id,
            currency: event.currency.code().to_owned(),
            amount: event.amount,
            exchange_rate: event.exchange_rate,
            bitcoin_amount: event.bitcoin_amount,
            created_at: event.created_at,
        })
    }
}

/// Inserts the distinct orders of `orders` in one statement, skipping ids already present;
/// returns the ids that were new.
pub fn insert_orders(conn: &mut PgConnection, orders: &[ReadOrder]) -> QueryResult<HashSet<Uuid>> {
    if orders.is_empty() {
        return Ok(HashSet::new());
    }
    let mut seen = HashSet::with_capacity(orders.len());
    let distinct: Vec<&ReadOrder> = orders.iter().filter(|row| seen.insert(row.id)).collect();
    let ids: Vec<Uuid> = diesel::insert_into(buy_orders::table)
        .values(distinct)
        .on_conflict(buy_orders::id)
        .do_nothing()
        .returning(buy_orders::id)
        .get_results(conn)?;
    Ok(ids.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::Currency;
    use std::str::FromStr;

    fn event(amount: &str, bitcoin_amount: &str) -> BuyOrderCreated {
        BuyOrderCreated {
            id: Uuid::nil(),
            idempotence_key: "k".into(),
            currency: Currency::Gbp,
            amount: Decimal::from_str(amount).unwrap(),
            exchange_rate: Decimal::from_str("38123.45").unwrap(),
            bitcoin_amount: Decimal::from_str(bitcoin_amount).unwrap(),
            created_at: Utc::now(),
        }
    }

    #[test]
    fn a_valid_event_becomes_a_row_with_the_same_values() {
        let row = ReadOrder::from_event(&event("100.50", "0.00263617")).unwrap();
        assert_eq!(row.currency, "GBP");
        assert_eq!(row.amount.to_string(), "100.50");
        assert_eq!(row.bitcoin_amount.to_string(), "0.00263617");
    }

    #[test]
    fn trailing_zeros_beyond_the_column_scale_are_accepted() {
        assert!(ReadOrder::from_event(&event("100.500", "0.002636170")).is_ok());
    }

    #[test]
    fn values_the_columns_cannot_hold_exactly_are_refused() {
        assert!(ReadOrder::from_event(&event("100.505", "0.1")).is_err());
        assert!(ReadOrder::from_event(&event("10000000000", "0.1")).is_err());
        assert!(ReadOrder::from_event(&event("0", "0.1")).is_err());
        assert!(ReadOrder::from_event(&event("1", "0.000000001")).is_err());
        assert!(ReadOrder::from_event(&event("1", "-1")).is_err());
    }
}
