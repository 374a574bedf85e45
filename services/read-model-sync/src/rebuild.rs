//! The rebuild path: refills the read model from the write model's outbox.
//!
//! Every `buy_order.created` outbox row (published or not) is read in outbox-id order, a
//! batch at a time, and inserted with the same idempotent insert the consumer uses, so a
//! rebuild over a full, partial or empty read model leaves each order exactly once. Run it
//! with `read-model-sync rebuild`; the consumer may keep running meanwhile (an order committed
//! while the scan is past its outbox id still arrives through the queue).

use crate::{
    apply::{ReadOrder, insert_orders},
    config::Config,
};
use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
use domain::{BUY_ORDER_CREATED, BuyOrderCreated};
use messaging::Envelope;
use store::{PgPool, StoreError, schema::write::outbox};

/// Outbox rows read per batch.
pub const BATCH_SIZE: i64 = 1000;

/// What a rebuild did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct RebuildReport {
    /// `buy_order.created` outbox rows read.
    pub scanned: usize,
    /// Orders inserted (the others were already in the read model).
    pub inserted: usize,
    /// Rows whose payload could not be applied (logged).
    pub invalid: usize,
}

/// Copies every order of `write`'s outbox into `read`, skipping ones already present.
pub async fn rebuild(
    write: &PgPool,
    read: &PgPool,
    batch_size: i64,
) -> Result<RebuildReport, StoreError> {
    let mut report = RebuildReport::default();
    let mut after = 0_i64;
    loop {
        let rows: Vec<(i64, serde_json::Value)> = store::run(write, move |conn| {
            outbox::table
                .filter(outbox::event_type.eq(BUY_ORDER_CREATED))
                .filter(outbox::id.gt(after))
                .order(outbox::id.asc())
                .limit(batch_size)
                .select((outbox::id, outbox::payload))
                .load(conn)
        })
        .await?;
        let Some((last, _)) = rows.last() else { break };
        after = *last;
        report.scanned += rows.len();
        let orders: Vec<ReadOrder> = rows
            .into_iter()
            .filter_map(|(id, payload)| match to_order(payload) {
                Ok(order) => Some(order),
                Err(reason) => {
                    tracing::error!(outbox_id = id, reason = %reason, "outbox row skipped");
                    report.invalid += 1;
                    None
                }
            })
            .collect();
        report.inserted += store::run(read, move |conn| insert_orders(conn, &orders))
            .await?
            .len();
        tracing::info!(
            scanned = report.scanned,
            inserted = report.inserted,
            "rebuild progress"
        );
    }
    Ok(report)
}

fn to_order(payload: serde_json::Value) -> Result<ReadOrder, String> {
    let envelope: Envelope<BuyOrderCreated> = serde_json::from_value(payload)
        .map_err(|e| format!("payload is not a {BUY_ORDER_CREATED} envelope: {e}"))?;
    ReadOrder::from_event(&envelope.data)
}

/// `read-model-sync rebuild`: rebuilds with the configured databases.
pub async fn run(config: &Config) -> Result<RebuildReport, StoreError> {
    let write = store::lazy_pool(&config.write_database_url, config.pool_options());
    let read = store::lazy_pool(&config.read_database_url, config.pool_options());
    let report = rebuild(&write, &read, BATCH_SIZE).await?;
    tracing::info!(
        scanned = report.scanned,
        inserted = report.inserted,
        invalid = report.invalid,
        "rebuild finished"
    );
    Ok(report)
}
