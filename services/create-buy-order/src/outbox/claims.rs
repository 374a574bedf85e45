//! The outbox rows' life in the database: claimed with a lease, then settled, each in its own
//! short transaction, so no transaction is ever open while the relay waits on the broker.
//!
//! `state` is `pending` until the broker confirmed the row's event (`published`, with
//! `published_at`) or its payload turned out never publishable (`parked`). A claim sets
//! `lease_until`; only pending rows with no lease or an expired one are claimable, so a relay
//! that crashed or hung mid-round delays its rows by one lease and loses none.

use chrono::Utc;
use diesel::{
    prelude::*,
    sql_types::{BigInt, Double, Jsonb},
};
use std::time::Duration;
use store::{PgPool, StoreError, schema::write::outbox};

/// A claimed row: its id and event payload.
#[derive(Debug, QueryableByName)]
pub struct Claimed {
    /// Outbox id.
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    /// The `Envelope<BuyOrderCreated>` JSON.
    #[diesel(sql_type = Jsonb)]
    pub payload: serde_json::Value,
}

/// Claims up to `limit` claimable rows for `lease`, oldest first, in one statement (its own
/// transaction). `SKIP LOCKED` keeps concurrent claimers (workers, replicas) on disjoint rows;
/// the lease keeps them apart after the commit.
pub async fn claim(pool: &PgPool, limit: i64, lease: Duration) -> Result<Vec<Claimed>, StoreError> {
    let lease_secs = lease.as_secs_f64();
    store::run(pool, move |conn| {
        let mut rows = diesel::sql_query(
            "UPDATE outbox SET lease_until = now() + make_interval(secs => $2) \
             WHERE id IN (SELECT id FROM outbox \
                 WHERE state = 'pending' AND (lease_until IS NULL OR lease_until < now()) \
                 ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED) \
             RETURNING id, payload",
        )
        .bind::<BigInt, _>(limit)
        .bind::<Double, _>(lease_secs)
        .load::<Claimed>(conn)?;
        rows.sort_by_key(|row| row.id);
        Ok(rows)
    })
    .await
}

/// What one round did with its claimed rows.
#[derive(Debug, Default)]
pub struct Settlement {
    /// Confirmed and routed by the broker.
    pub published: Vec<i64>,
    /// Never publishable (their payload does not parse).
    pub parked: Vec<i64>,
    /// Not published this round: their lease is released so any relay may take them now.
    pub released: Vec<i64>,
}

/// Records `settlement` in one short transaction.
pub async fn settle(pool: &PgPool, settlement: Settlement) -> Result<(), StoreError> {
    if settlement.published.is_empty()
        && settlement.parked.is_empty()
        && settlement.released.is_empty()
    {
        return Ok(());
    }
    store::run(pool, move |conn| {
        conn.transaction(|conn| {
            let no_lease: Option<chrono::DateTime<Utc>> = None;
            if !settlement.published.is_empty() {
                diesel::update(outbox::table.filter(outbox::id.eq_any(&settlement.published)))
                    .set((
                        outbox::state.eq("published"),
                        outbox::published_at.eq(Some(Utc::now())),
                        outbox::lease_until.eq(no_lease),
                    ))
                    .execute(conn)?;
            }
            if !settlement.parked.is_empty() {
                diesel::update(outbox::table.filter(outbox::id.eq_any(&settlement.parked)))
                    .set((outbox::state.eq("parked"), outbox::lease_until.eq(no_lease)))
                    .execute(conn)?;
            }
            if !settlement.released.is_empty() {
                diesel::update(
                    outbox::table
                        .filter(outbox::id.eq_any(&settlement.released))
                        .filter(outbox::state.eq("pending")),
                )
                .set(outbox::lease_until.eq(no_lease))
                .execute(conn)?;
            }
            Ok(())
        })
    })
    .await
}
