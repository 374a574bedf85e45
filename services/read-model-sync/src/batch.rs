//! Group commit: the orders of deliveries handled at the same time are written in one statement.
//!
//! Each handled delivery sends its row to the [`Batcher`] and waits for that row's own answer.
//! One task collects the rows: it waits for the first, takes whatever else is already queued
//! (up to `APPLY_BATCH_MAX`), and writes them with one `INSERT .. ON CONFLICT DO NOTHING
//! RETURNING id` on one pooled connection. At most `DATABASE_POOL_SIZE` batches are written at
//! once, so the handlers never queue for a connection (and never time out waiting for one);
//! while every connection is busy the next batch grows instead. Under light load a batch is one
//! row and nothing waits; under heavy load one commit carries many rows.
//!
//! A batch the database refuses for a constraint (one row the read model cannot hold) is
//! written again row by row, so only that row is dead-lettered; any other failure answers
//! every row of the batch with the same transient error (each is retried on its own).

use crate::apply::{ReadOrder, insert_orders};
use diesel::{
    PgConnection,
    result::{DatabaseErrorKind, Error as DieselError},
};
use prometheus::IntCounter;
use std::{collections::HashSet, sync::Arc};
use store::PgPool;
use tokio::sync::{Semaphore, mpsc, oneshot};
use uuid::Uuid;

/// What writing one row did.
#[derive(Debug)]
pub enum Written {
    /// The row is new in the read model.
    Inserted,
    /// An order with this id was already there (or earlier in the same batch).
    Duplicate,
}

/// Why one row was not written.
#[derive(Debug)]
pub enum WriteError {
    /// It will fail the same way every time (a constraint of the read model).
    Permanent(String),
    /// The database is down or failed otherwise: try again later.
    Transient(String),
}

type Reply = oneshot::Sender<Result<Written, WriteError>>;

/// The handle handlers write through; cheap to clone.
#[derive(Clone)]
pub struct Batcher {
    sender: mpsc::Sender<(ReadOrder, Reply)>,
}

impl Batcher {
    /// Starts the collecting task: batches of at most `max_rows` rows, at most `concurrency`
    /// of them written at once through `pool`, each counted in `batches`. The task ends when
    /// every handle is dropped.
    pub fn start(pool: PgPool, max_rows: usize, concurrency: usize, batches: IntCounter) -> Self {
        let max_rows = max_rows.max(1);
        let (sender, receiver) = mpsc::channel(max_rows * 2);
        tokio::spawn(collect(
            pool,
            receiver,
            max_rows,
            concurrency.max(1),
            batches,
        ));
        Self { sender }
    }

    /// Writes `row` in the next batch and answers when that batch has committed (or failed).
    pub async fn write(&self, row: ReadOrder) -> Result<Written, WriteError> {
        let (reply, answer) = oneshot::channel();
        if self.sender.send((row, reply)).await.is_err() {
            return Err(WriteError::Transient("the batch writer has stopped".into()));
        }
        answer
            .await
            .unwrap_or_else(|_| Err(WriteError::Transient("the batch was abandoned".into())))
    }
}

async fn collect(
    pool: PgPool,
    mut receiver: mpsc::Receiver<(ReadOrder, Reply)>,
    max_rows: usize,
    concurrency: usize,
    batches: IntCounter,
) {
    let writers = Arc::new(Semaphore::new(concurrency));
    loop {
        // Wait for a free connection first, so rows arriving meanwhile join this batch.
        let Ok(permit) = writers.clone().acquire_owned().await else {
            return;
        };
        let mut batch = Vec::with_capacity(max_rows);
        if receiver.recv_many(&mut batch, max_rows).await == 0 {
            return; // every handle dropped: shutting down
        }
        let pool = pool.clone();
        batches.inc();
        tokio::spawn(async move {
            write_batch(&pool, batch).await;
            drop(permit);
        });
    }
}

async fn write_batch(pool: &PgPool, batch: Vec<(ReadOrder, Reply)>) {
    let (rows, replies): (Vec<ReadOrder>, Vec<Reply>) = batch.into_iter().unzip();
    let outcome = store::run(pool, move |conn| match insert_orders(conn, &rows) {
        Err(error) if is_permanent(&error) => Ok(one_by_one(conn, &rows)),
        inserted => inserted.map(|ids| answers(&rows, &ids)),
    })
    .await;
    let answers = outcome.unwrap_or_else(|error| {
        let reason = http_kit::chain(&error).to_string();
        replies
            .iter()
            .map(|_| Err(WriteError::Transient(reason.clone())))
            .collect()
    });
    for (reply, answer) in replies.into_iter().zip(answers) {
        // A handler that gave up (shutdown) no longer listens; its message is redelivered.
        let _ = reply.send(answer);
    }
}

/// Each row's answer given the ids the batch inserted: the first row of a new id is inserted,
/// every other row of that id a duplicate.
fn answers(rows: &[ReadOrder], inserted: &HashSet<Uuid>) -> Vec<Result<Written, WriteError>> {
    let mut claimed = HashSet::with_capacity(inserted.len());
    rows.iter()
        .map(|row| {
            if inserted.contains(&row.id) && claimed.insert(row.id) {
                Ok(Written::Inserted)
            } else {
                Ok(Written::Duplicate)
            }
        })
        .collect()
}

/// The batch failed on a constraint: each row alone, so only the bad one fails.
fn one_by_one(conn: &mut PgConnection, rows: &[ReadOrder]) -> Vec<Result<Written, WriteError>> {
    rows.iter()
        .map(|row| match insert_orders(conn, std::slice::from_ref(row)) {
            Ok(ids) if ids.contains(&row.id) => Ok(Written::Inserted),
            Ok(_) => Ok(Written::Duplicate),
            Err(error) if is_permanent(&error) => Err(WriteError::Permanent(error.to_string())),
            Err(error) => Err(WriteError::Transient(error.to_string())),
        })
        .collect()
}

/// Constraint violations will fail the same way on every delivery.
pub fn is_permanent(error: &DieselError) -> bool {
    matches!(
        error,
        DieselError::DatabaseError(
            DatabaseErrorKind::CheckViolation | DatabaseErrorKind::NotNullViolation,
            _
        )
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use rust_decimal::Decimal;

    fn row(id: u128) -> ReadOrder {
        ReadOrder {
            id: Uuid::from_u128(id),
            currency: "EUR".into(),
            amount: Decimal::ONE,
            exchange_rate: Decimal::ONE,
            bitcoin_amount: Decimal::ONE,
            created_at: Utc::now(),
        }
    }

    #[test]
    fn only_the_first_row_of_a_new_id_counts_as_inserted() {
        let rows = [row(1), row(2), row(1), row(3)];
        let inserted: HashSet<Uuid> = [Uuid::from_u128(1), Uuid::from_u128(3)].into();
        let kinds: Vec<&str> = answers(&rows, &inserted)
            .iter()
            .map(|answer| match answer {
                Ok(Written::Inserted) => "new",
                Ok(Written::Duplicate) => "dup",
                Err(_) => "err",
            })
            .collect();
        assert_eq!(kinds, ["new", "dup", "dup", "new"]);
    }
}
