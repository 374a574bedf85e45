//! The write model: orders, the cap row and the outbox, committed in batches of concurrent
//! orders (group commit, see [`create_batch`]).
//!
//! Each order is inserted with `ON CONFLICT (idempotence_key) DO NOTHING` (a concurrent request
//! with the same key waits for the first one's commit and then finds its order); LAST, the
//! single `btc_cap` row is locked, the new orders are admitted in arrival order while the total
//! stays within the cap, and their outbox rows and BTC are added. The cap row's lock, which every
//! order from every replica queues on, is held only from there to the commit, and that commit
//! now carries a whole batch instead of one order.

use chrono::{DateTime, SubsecRound, Utc};
use diesel::{prelude::*, sql_types::Numeric};
use domain::{BUY_ORDER_CREATED, BuyOrderCreated, Currency};
use messaging::Envelope;
use rust_decimal::Decimal;
use std::collections::{HashMap, HashSet};
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

/// An order waiting for the group commit: the row and the request id its event is correlated with.
#[derive(Debug, Clone)]
pub struct Pending {
    /// The order to insert.
    pub order: OrderRow,
    /// The PUT's request id.
    pub request_id: String,
}

/// The order with `key`, if any.
pub fn find_by_key(conn: &mut PgConnection, key: &str) -> QueryResult<Option<OrderRow>> {
    buy_orders::table
        .filter(buy_orders::idempotence_key.eq(key))
        .select(OrderRow::as_select())
        .first(conn)
        .optional()
}

fn serialization(error: impl std::error::Error + Send + Sync + 'static) -> diesel::result::Error {
    diesel::result::Error::SerializationError(Box::new(error))
}

#[derive(QueryableByName)]
struct CapRow {
    #[diesel(sql_type = Numeric)]
    total_btc: Decimal,
    #[diesel(sql_type = Numeric)]
    cap_btc: Decimal,
}

/// Commits a batch of orders with distinct keys in ONE transaction (group commit) and says
/// what became of each, in the batch's order.
///
/// 1. Every order is inserted with `ON CONFLICT (idempotence_key) DO NOTHING`, in key order
///    (two replicas' batches sharing keys then wait on each other's rows in the same order, so
///    they cannot deadlock); an order not inserted is `Existing`: its key's committed order.
/// 2. LAST, the cap row is locked and the new orders are taken in the batch's order, each
///    accepted while the total stays within the cap; refused ones are deleted again (never
///    visible to anyone) and answered `CapExceeded`. The accepted ones get their outbox rows
///    and one `UPDATE` adds their sum. The cap row's lock is held only from there to the commit,
///    and nothing is waited on while it is held.
pub fn create_batch(conn: &mut PgConnection, batch: &[Pending]) -> QueryResult<Vec<Created>> {
    let mut payloads = Vec::with_capacity(batch.len());
    for pending in batch {
        let event = pending.order.to_event().map_err(serialization)?;
        let envelope = Envelope::new(BUY_ORDER_CREATED, event, Some(pending.request_id.clone()));
        let payload = serde_json::to_value(&envelope).map_err(serialization)?;
        payloads.push((envelope.event_id, payload));
    }
    let mut by_key: Vec<&OrderRow> = batch.iter().map(|p| &p.order).collect();
    by_key.sort_by(|a, b| a.idempotence_key.cmp(&b.idempotence_key));
    let rows: Vec<OrderRow> = by_key.into_iter().cloned().collect();

    conn.transaction(|conn| {
        let inserted: HashSet<Uuid> = diesel::insert_into(buy_orders::table)
            .values(&rows)
            .on_conflict(buy_orders::idempotence_key)
            .do_nothing()
            .returning(buy_orders::id)
            .get_results::<Uuid>(conn)?
            .into_iter()
            .collect();
        let taken: Vec<&str> = batch
            .iter()
            .filter(|p| !inserted.contains(&p.order.id))
            .map(|p| p.order.idempotence_key.as_str())
            .collect();
        let mut existing: HashMap<String, OrderRow> = if taken.is_empty() {
            HashMap::new()
        } else {
            buy_orders::table
                .filter(buy_orders::idempotence_key.eq_any(&taken))
                .select(OrderRow::as_select())
                .load::<OrderRow>(conn)?
                .into_iter()
                .map(|row| (row.idempotence_key.clone(), row))
                .collect()
        };
        if inserted.is_empty() {
            return batch
                .iter()
                .map(|p| take_existing(&mut existing, &p.order.idempotence_key))
                .collect();
        }

        // Last: the cap row. Its lock is held from here to the commit.
        let cap =
            diesel::sql_query("SELECT total_btc, cap_btc FROM btc_cap WHERE singleton FOR UPDATE")
                .get_result::<CapRow>(conn)?;
        let mut total = cap.total_btc;
        let mut accepted = Vec::new();
        let mut refused = Vec::new();
        for (index, pending) in batch.iter().enumerate() {
            if !inserted.contains(&pending.order.id) {
                continue;
            }
            let after = total + pending.order.bitcoin_amount;
            if after <= cap.cap_btc {
                total = after;
                accepted.push(index);
            } else {
                refused.push(pending.order.id);
            }
        }
        if !refused.is_empty() {
            diesel::delete(buy_orders::table.filter(buy_orders::id.eq_any(&refused)))
                .execute(conn)?;
        }
        if !accepted.is_empty() {
            let events: Vec<NewOutboxRow<'_>> = accepted
                .iter()
                .map(|&index| {
                    let (event_id, payload) = &payloads[index];
                    NewOutboxRow {
                        event_id: *event_id,
                        event_type: BUY_ORDER_CREATED,
                        aggregate_id: batch[index].order.id,
                        payload: payload.clone(),
                        correlation_id: Some(batch[index].request_id.as_str()),
                    }
                })
                .collect();
            diesel::insert_into(outbox::table)
                .values(&events)
                .execute(conn)?;
            diesel::sql_query("UPDATE btc_cap SET total_btc = total_btc + $1 WHERE singleton")
                .bind::<Numeric, _>(total - cap.total_btc)
                .execute(conn)?;
        }
        let remaining = cap.cap_btc - total;
        batch
            .iter()
            .map(|p| {
                if !inserted.contains(&p.order.id) {
                    take_existing(&mut existing, &p.order.idempotence_key)
                } else if refused.contains(&p.order.id) {
                    Ok(Created::CapExceeded { remaining })
                } else {
                    Ok(Created::New(p.order.clone()))
                }
            })
            .collect()
    })
}

fn take_existing(existing: &mut HashMap<String, OrderRow>, key: &str) -> QueryResult<Created> {
    existing
        .remove(key)
        .map(Created::Existing)
        .ok_or(diesel::result::Error::NotFound)
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

/// The cap and how much of it the orders use, as one row.
#[derive(QueryableByName, Debug, Clone, Copy, PartialEq, Eq)]
pub struct CapUse {
    /// Most BTC all orders together may buy.
    #[diesel(sql_type = Numeric)]
    pub cap_btc: Decimal,
    /// BTC bought so far.
    #[diesel(sql_type = Numeric)]
    pub total_btc: Decimal,
}

/// The cap and its use now.
pub fn cap_use(conn: &mut PgConnection) -> QueryResult<CapUse> {
    diesel::sql_query("SELECT cap_btc, total_btc FROM btc_cap WHERE singleton").get_result(conn)
}
