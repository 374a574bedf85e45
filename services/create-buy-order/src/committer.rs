//! Group commit: concurrent PUTs hand their orders to one task, which commits whatever has
//! queued up (at most `ORDER_BATCH_SIZE`) in one transaction.
//!
//! Every order queues on the single cap row, whose lock is held through each commit's flush, so
//! one transaction per order caps a database at its commit rate. Batching makes the flush
//! shared: while one batch commits, the next one gathers. A lone order is committed at once
//! (no waiting for company), so an idle service answers as fast as before.
//!
//! A batch holds one order per idempotency key. A second order with a key already in the batch
//! waits: when the first is committed (or its key was already taken), the second is answered
//! with that order (`Existing`: the handler replays it or refuses a reused key); when the first
//! is refused by the cap, the second goes into the next batch on its own merits.

use crate::orders::{self, Created, OrderRow, Pending};
use std::collections::HashMap;
use std::sync::Arc;
use store::{PgPool, StoreError};
use tokio::sync::{mpsc, oneshot};

/// What the committer answers: the order's outcome, or the batch's error (shared by all of it).
pub type Outcome = Result<Created, Arc<StoreError>>;

struct Job {
    pending: Pending,
    reply: oneshot::Sender<Outcome>,
}

/// The handle PUTs commit through; the task stops when every handle is dropped.
#[derive(Clone)]
pub struct Committer {
    jobs: mpsc::Sender<Job>,
}

/// The committer task is gone (it only stops when every handle is dropped, or on a panic).
#[derive(Debug, thiserror::Error)]
#[error("the order committer has stopped")]
pub struct Stopped;

impl Committer {
    /// Starts the task committing into `pool`, at most `max_batch` orders per transaction.
    pub fn start(pool: PgPool, max_batch: usize) -> Self {
        let (jobs, queue) = mpsc::channel(max_batch.saturating_mul(4).max(1));
        tokio::spawn(run(pool, queue, max_batch.max(1)));
        Self { jobs }
    }

    /// Commits `order` (with its event, correlated with `request_id`) in the next batch.
    pub async fn commit(&self, order: OrderRow, request_id: String) -> Result<Outcome, Stopped> {
        let (reply, answer) = oneshot::channel();
        let pending = Pending { order, request_id };
        self.jobs
            .send(Job { pending, reply })
            .await
            .map_err(|_| Stopped)?;
        answer.await.map_err(|_| Stopped)
    }
}

async fn run(pool: PgPool, mut queue: mpsc::Receiver<Job>, max_batch: usize) {
    let mut jobs: Vec<Job> = Vec::with_capacity(max_batch);
    loop {
        // Orders carried over from the last batch go first; then whatever has queued.
        if jobs.is_empty() {
            if queue.recv_many(&mut jobs, max_batch).await == 0 {
                return;
            }
        } else {
            while jobs.len() < max_batch {
                match queue.try_recv() {
                    Ok(job) => jobs.push(job),
                    Err(_) => break,
                }
            }
        }
        jobs = commit_batch(&pool, std::mem::take(&mut jobs)).await;
    }
}

/// Commits one batch, answers its jobs and returns the ones to retry in the next batch.
async fn commit_batch(pool: &PgPool, jobs: Vec<Job>) -> Vec<Job> {
    let mut leaders: Vec<Job> = Vec::with_capacity(jobs.len());
    let mut followers: Vec<(usize, Job)> = Vec::new();
    let mut leader_of: HashMap<String, usize> = HashMap::with_capacity(jobs.len());
    for job in jobs {
        let key = job.pending.order.idempotence_key.clone();
        match leader_of.get(&key) {
            Some(&leader) => followers.push((leader, job)),
            None => {
                leader_of.insert(key, leaders.len());
                leaders.push(job);
            }
        }
    }
    // The leaders' orders move into the transaction; only their reply channels stay here.
    let (batch, replies): (Vec<Pending>, Vec<_>) = leaders
        .into_iter()
        .map(|job| (job.pending, job.reply))
        .unzip();
    let size = batch.len();
    let outcome = store::run(pool, move |conn| orders::create_batch(conn, &batch)).await;
    tracing::debug!(size, followers = followers.len(), "order batch committed");
    let mut retry = Vec::new();
    match outcome {
        Ok(outcomes) => {
            for (leader, job) in followers {
                match &outcomes[leader] {
                    Created::New(row) | Created::Existing(row) => {
                        let _ = job.reply.send(Ok(Created::Existing(row.clone())));
                    }
                    Created::CapExceeded { .. } => retry.push(job),
                }
            }
            for (reply, created) in replies.into_iter().zip(outcomes) {
                // A client that went away no longer waits for its answer: nothing to do.
                let _ = reply.send(Ok(created));
            }
        }
        Err(error) => {
            let error = Arc::new(error);
            for reply in replies
                .into_iter()
                .chain(followers.into_iter().map(|(_, job)| job.reply))
            {
                let _ = reply.send(Err(error.clone()));
            }
        }
    }
    retry
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

    use super::*;
    use domain::Currency;
    use rust_decimal::Decimal;
    use store::Database;
    use test_support::TestDatabase;

    fn job(key: &str, btc: u32) -> (Job, oneshot::Receiver<Outcome>) {
        let rate = Decimal::from(10_000);
        let btc = Decimal::from(btc);
        let order = OrderRow::new(key, Currency::Eur, btc * rate, rate, btc);
        let (reply, answer) = oneshot::channel();
        let pending = Pending {
            order,
            request_id: format!("req-{key}"),
        };
        (Job { pending, reply }, answer)
    }

    #[tokio::test]
    async fn a_second_order_with_a_key_in_the_batch_gets_the_first_or_waits_for_the_next_batch() {
        let db = TestDatabase::migrated(Database::Write);
        let (k1, k1_answer) = job("k", 1);
        let (k2, k2_answer) = job("k", 2);
        let (big1, big1_answer) = job("big", 200);
        let (big2, _big2_answer) = job("big", 3);

        let retry = commit_batch(&db.pool(), vec![k1, big1, k2, big2]).await;

        let Ok(Created::New(first)) = k1_answer.await.unwrap() else {
            panic!("the first order with key k is created")
        };
        let Ok(Created::Existing(replayed)) = k2_answer.await.unwrap() else {
            panic!("the second order with key k is answered with the first")
        };
        assert_eq!(replayed.id, first.id);
        assert!(matches!(
            big1_answer.await.unwrap(),
            Ok(Created::CapExceeded { .. })
        ));
        assert_eq!(retry.len(), 1, "the order behind a refused key is retried");
        assert_eq!(retry[0].pending.order.bitcoin_amount, Decimal::from(3));

        let retry = commit_batch(&db.pool(), retry).await;
        assert!(retry.is_empty());
    }

    #[tokio::test]
    async fn concurrent_commits_through_the_task_each_get_their_own_answer() {
        let db = TestDatabase::migrated(Database::Write);
        let committer = Committer::start(db.pool(), 8);
        let rate = Decimal::from(10_000);

        let commits = (0..40u32).map(|i| {
            let committer = committer.clone();
            let btc = Decimal::from(i % 4 + 2);
            let order = OrderRow::new(&format!("c-{i}"), Currency::Eur, btc * rate, rate, btc);
            async move { committer.commit(order, format!("req-{i}")).await }
        });
        let outcomes = futures::future::join_all(commits).await;

        let mut admitted = Decimal::ZERO;
        for (i, outcome) in outcomes.into_iter().enumerate() {
            match outcome.unwrap().unwrap() {
                Created::New(row) => {
                    assert_eq!(row.idempotence_key, format!("c-{i}"));
                    admitted += row.bitcoin_amount;
                }
                Created::CapExceeded { remaining } => {
                    assert!(remaining < Decimal::from(i as u32 % 4 + 2))
                }
                Created::Existing(row) => panic!("no key repeats: {}", row.idempotence_key),
            }
        }
        assert!(admitted <= Decimal::from(100));
        // 140 BTC asked for in orders of 2 to 5: what is left is smaller than a refused order.
        assert!(
            admitted > Decimal::from(95),
            "filled to within one order: {admitted}"
        );
    }
}
