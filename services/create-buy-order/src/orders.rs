//! The write model: orders, the cap row and the outbox, in one transaction per order.
//!
//! The transaction inserts the order (`ON CONFLICT (idempotence_key) DO NOTHING`: a concurrent
//! request with the same key waits for the first one's commit and then finds its order), then
//! the outbox row, and LAST adds the BTC to the single `btc_cap` row with a conditional
//! `UPDATE … WHERE total_btc + x <= cap_btc`, so the cap row's lock, which every order from
//! every replica queues on, is held only from that statement to the commit.

use chrono::{DateTime, SubsecRound, Utc};
use diesel::{prelude::*, sql_types::Numeric};
use domain::{BUY_ORDER_CREATED, BuyOrderCreated, Currency};
use messaging::Envelope;
use rust_decimal::Decimal;
use std::str::FromStr;
use store::schema::write::{buy_orders, outbox};
use uuid::Uuid;

/// An order row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = buy_orders, check_for_backend(diesel::pg::Pg))]
pub struct OrderRow {
    /// The order's id.
    pub id: Uuid,
    /// The client's key.
    pub idempotence_key: String,
    /// EUR, GBP or USD.
    pub currency: String,
    /// Fiat amount, scale 2.
    pub amount: Decimal,
    /// Price of 1 BTC used.
    pub exchange_rate: Decimal,
    /// BTC bought, scale 8.
    pub bitcoin_amount: Decimal,
    /// Creation time.
    pub created_at: DateTime<Utc>,
}

impl OrderRow {
    /// A new order, now (microseconds, as PostgreSQL stores them).
    pub fn new(
        key: &str,
        currency: Currency,
        amount: Decimal,
        rate: Decimal,
        btc: Decimal,
    ) -> Self {
        Self {
            id: Uuid::now_v7(),
            idempotence_key: key.to_owned(),
            currency: currency.code().to_owned(),
            amount,
            exchange_rate: rate,
            bitcoin_amount: btc,
            created_at: Utc::now().trunc_subsecs(6),
        }
    }

    /// The order as the event and the API show it.
    pub fn to_event(&self) -> Result<BuyOrderCreated, domain::UnknownCurrency> {
        Ok(BuyOrderCreated {
            id: self.id,
            idempotence_key: self.idempotence_key.clone(),
            currency: Currency::from_str(&self.currency)?,
            amount: self.amount,
            exchange_rate: self.exchange_rate,
            bitcoin_amount: self.bitcoin_amount,
            created_at: self.created_at,
        })
    }
}

#[derive(Insertable)]
#[diesel(table_name = outbox)]
struct NewOutboxRow<'a> {
    event_id: Uuid,
    event_type: &'a str,
    aggregate_id: Uuid,
    payload: serde_json::Value,
    correlation_id: Option<&'a str>,
}

/// What an insert attempt came to.
#[derive(Debug)]
pub enum Created {
    /// The order and its event were committed.
    New(OrderRow),
    /// An order with this key already exists (possibly created concurrently): this one.
    Existing(OrderRow),
    /// The order would push the total past the cap; nothing was stored.
    CapExceeded {
        /// BTC still available.
        remaining: Decimal,
    },
}

#[derive(Debug, thiserror::Error)]
enum Abort {
    #[error("cap exceeded")]
    Cap,
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
}

/// The order with `key`, if any.
pub fn find_by_key(conn: &mut PgConnection, key: &str) -> QueryResult<Option<OrderRow>> {
    buy_orders::table
        .filter(buy_orders::idempotence_key.eq(key))
        .select(OrderRow::as_select())
        .first(conn)
        .optional()
}

/// Inserts `order` with its outbox event (correlated with `request_id`) under the cap.
pub fn create(conn: &mut PgConnection, order: &OrderRow, request_id: &str) -> QueryResult<Created> {
    let event = order
        .to_event()
        .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
    let envelope = Envelope::new(BUY_ORDER_CREATED, event, Some(request_id.to_owned()));
    let payload = serde_json::to_value(&envelope)
        .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
    let outcome = conn.transaction::<_, Abort, _>(|conn| {
        let inserted = diesel::insert_into(buy_orders::table)
            .values(order)
            .on_conflict(buy_orders::idempotence_key)
            .do_nothing()
            .execute(conn)?;
        if inserted == 0 {
            let existing = buy_orders::table
                .filter(buy_orders::idempotence_key.eq(&order.idempotence_key))
                .select(OrderRow::as_select())
                .first(conn)?;
            return Ok(Created::Existing(existing));
        }
        diesel::insert_into(outbox::table)
            .values(NewOutboxRow {
                event_id: envelope.event_id,
                event_type: BUY_ORDER_CREATED,
                aggregate_id: order.id,
                payload,
                correlation_id: Some(request_id),
            })
            .execute(conn)?;
        // Last statement: the cap row lock is held only from here to the commit.
        let added = diesel::sql_query(
            "UPDATE btc_cap SET total_btc = total_btc + $1 WHERE singleton AND total_btc + $1 <= cap_btc",
        )
        .bind::<Numeric, _>(order.bitcoin_amount)
        .execute(conn)?;
        if added == 0 {
            return Err(Abort::Cap);
        }
        Ok(Created::New(order.clone()))
    });
    match outcome {
        Ok(created) => Ok(created),
        Err(Abort::Cap) => Ok(Created::CapExceeded {
            remaining: remaining(conn)?,
        }),
        Err(Abort::Query(error)) => Err(error),
    }
}

#[derive(QueryableByName)]
struct Remaining {
    #[diesel(sql_type = Numeric)]
    remaining: Decimal,
}

/// BTC still available under the cap.
pub fn remaining(conn: &mut PgConnection) -> QueryResult<Decimal> {
    diesel::sql_query("SELECT cap_btc - total_btc AS remaining FROM btc_cap WHERE singleton")
        .get_result::<Remaining>(conn)
        .map(|row| row.remaining)
}
