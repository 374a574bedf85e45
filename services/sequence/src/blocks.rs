//! Block mode (`SEQUENCE_BLOCK_SIZE` > 1): numbers handed out from memory, one database write
//! per block (the segment mode of Meituan's Leaf).
//!
//! Each direction is a [`Lane`]. One `nextval` on the direction's block sequence reserves block
//! `k`, which covers the positions `first + k·N … first + k·N + N - 1` modulo 2^63-1 (see
//! [`position_to_number`]); `N` and `first` are the database's `block_layout` row, fixed by the
//! first block-mode replica. Blocks never overlap until the numbers wrap, whichever replica
//! reserved them, and a block may straddle the wrap (`…, 2^63-1, 1, 2, …`).
//!
//! The hot path takes no lock: the current block is an `ArcSwap`, and a draw is one
//! `fetch_add` on its counter. When a block is 10% used, a background task reserves the next
//! one (Leaf's double buffer), so no request waits for the database while a block is ready.
//! Only a draw that finds both blocks used up waits, behind one async mutex that also keeps
//! blocks in reservation order (so a batch that spans two blocks stays in sequence order).
//! Numbers left in memory when a replica stops are never handed out: gaps, never repeats.

use crate::dispenser::Direction;
use arc_swap::ArcSwap;
use diesel::{QueryableByName, RunQueryDsl, sql_query, sql_types::BigInt};
use prometheus::IntCounter;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use store::{PgPool, StoreError};
use tokio::sync::{Mutex, OnceCell};

/// How many numbers each sequence holds: 1 ..= 2^63-1.
const SPAN: u64 = i64::MAX as u64;

/// The number at `position` (0-based, modulo [`SPAN`]) of `direction`.
pub fn position_to_number(direction: Direction, position: u64) -> i64 {
    let position = position % SPAN;
    // position < SPAN = i64::MAX, so both results are in 1 ..= i64::MAX.
    let number = match direction {
        Direction::Forward => position + 1,
        Direction::Reverse => SPAN - position,
    };
    i64::try_from(number).unwrap_or(i64::MAX)
}

/// Why a block could not be had.
#[derive(Debug, thiserror::Error)]
pub enum BlockError {
    /// The database failed or could not be reached.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The database's blocks were fixed with another size by an earlier replica.
    #[error(
        "the {direction} blocks of this database are {fixed} numbers long, but SEQUENCE_BLOCK_SIZE is {configured}"
    )]
    SizeMismatch {
        /// `forward` or `reverse`.
        direction: &'static str,
        /// The size in `block_layout`.
        fixed: u64,
        /// This replica's `SEQUENCE_BLOCK_SIZE`.
        configured: u64,
    },
}

/// One reserved block: `len` positions from `start`, `taken` of them handed out (it may run
/// past `len`: every draw adds what it asked for).
#[derive(Debug)]
struct Block {
    start: u64,
    len: u64,
    taken: AtomicU64,
}

impl Block {
    fn empty() -> Self {
        Self {
            start: 0,
            len: 0,
            taken: AtomicU64::new(0),
        }
    }
}

#[derive(Debug, Clone, Copy, QueryableByName)]
struct Layout {
    #[diesel(sql_type = BigInt)]
    block_size: i64,
    #[diesel(sql_type = BigInt)]
    first_position: i64,
}

#[derive(QueryableByName)]
struct Reserved {
    #[diesel(sql_type = BigInt)]
    k: i64,
}

/// One direction's blocks.
pub struct Lane {
    direction: Direction,
    pool: PgPool,
    block_size: u64,
    current: ArcSwap<Block>,
    /// The next block, reserved ahead; the lock also serialises reservations.
    next: Mutex<Option<Block>>,
    refilling: AtomicBool,
    layout: OnceCell<Layout>,
    fetched: IntCounter,
}

impl Lane {
    /// A lane with no block yet: the first draw reserves one. `fetched` counts reservations.
    pub fn new(direction: Direction, pool: PgPool, block_size: u64, fetched: IntCounter) -> Self {
        Self {
            direction,
            pool,
            block_size,
            current: ArcSwap::from_pointee(Block::empty()),
            next: Mutex::new(None),
            refilling: AtomicBool::new(false),
            layout: OnceCell::new(),
            fetched,
        }
    }

    /// `count` numbers in the direction's order, from memory while a block lasts.
    pub async fn draw(self: &Arc<Self>, count: u32) -> Result<Vec<i64>, BlockError> {
        let count = u64::from(count);
        let mut numbers = Vec::with_capacity(count as usize);
        while (numbers.len() as u64) < count {
            let block = self.current.load_full();
            let want = count - numbers.len() as u64;
            let from = block.taken.fetch_add(want, Ordering::Relaxed);
            if from >= block.len {
                self.advance(&block).await?;
                continue;
            }
            let to = block.len.min(from + want);
            numbers.extend((from..to).map(|i| position_to_number(self.direction, block.start + i)));
            // Exactly one draw moves the counter past the 10% mark of a block.
            let mark = block.len / 10;
            if from <= mark && mark < from + want {
                self.refill_in_background();
            }
        }
        Ok(numbers)
    }

    /// Replaces `used` (exhausted) by the reserved next block, reserving one if none is ready.
    async fn advance(self: &Arc<Self>, used: &Arc<Block>) -> Result<(), BlockError> {
        let mut next = self.next.lock().await;
        if !Arc::ptr_eq(&self.current.load(), used) {
            return Ok(()); // another draw switched blocks while this one waited
        }
        let block = match next.take() {
            Some(block) => block,
            None => self.reserve().await?,
        };
        self.current.store(Arc::new(block));
        Ok(())
    }

    fn refill_in_background(self: &Arc<Self>) {
        if self.refilling.swap(true, Ordering::AcqRel) {
            return;
        }
        let lane = Arc::clone(self);
        tokio::spawn(async move {
            let mut next = lane.next.lock().await;
            if next.is_none() {
                match lane.reserve().await {
                    Ok(block) => *next = Some(block),
                    Err(error) => tracing::warn!(
                        direction = lane.direction.name(),
                        error = %http_kit::chain(&error),
                        "could not reserve the next block; the current one keeps serving"
                    ),
                }
            }
            lane.refilling.store(false, Ordering::Release);
        });
    }

    /// Reserves a block with one `nextval`, after fixing or checking the layout once.
    async fn reserve(&self) -> Result<Block, BlockError> {
        let layout = *self
            .layout
            .get_or_try_init(|| register(&self.pool, self.direction, self.block_size))
            .await?;
        let fixed = u64::try_from(layout.block_size).unwrap_or(0);
        if fixed != self.block_size {
            return Err(BlockError::SizeMismatch {
                direction: self.direction.name(),
                fixed,
                configured: self.block_size,
            });
        }
        let sql = format!(
            "SELECT nextval('{}_block_sequence') AS k",
            self.direction.name()
        );
        let reserved = store::run(&self.pool, move |conn| {
            sql_query(sql).get_result::<Reserved>(conn)
        })
        .await?;
        self.fetched.inc();
        let first = u128::try_from(layout.first_position).unwrap_or(0);
        let k = u128::try_from(reserved.k).unwrap_or(0);
        let start = (first + k * u128::from(fixed)) % u128::from(SPAN);
        Ok(Block {
            start: u64::try_from(start).unwrap_or(0),
            len: fixed,
            taken: AtomicU64::new(0),
        })
    }
}

/// Fixes this database's layout for `direction` if no replica has yet (block 0 starts just
/// past the last number one-number mode handed out), then reads it.
async fn register(
    pool: &PgPool,
    direction: Direction,
    block_size: u64,
) -> Result<Layout, StoreError> {
    let name = direction.name();
    // The position of the next number one-number mode would have handed out.
    let next_position = match direction {
        Direction::Forward => {
            "CASE WHEN is_called THEN last_value % 9223372036854775807 ELSE 0 END"
        }
        Direction::Reverse => {
            "CASE WHEN is_called THEN (9223372036854775807 - last_value + 1) % 9223372036854775807 ELSE 0 END"
        }
    };
    let insert = format!(
        "INSERT INTO block_layout (direction, block_size, first_position) \
         SELECT '{name}', $1, {next_position} FROM {name}_sequence \
         ON CONFLICT (direction) DO NOTHING"
    );
    let select =
        format!("SELECT block_size, first_position FROM block_layout WHERE direction = '{name}'");
    let size = i64::try_from(block_size).unwrap_or(i64::MAX);
    store::run(pool, move |conn| {
        sql_query(insert).bind::<BigInt, _>(size).execute(conn)?;
        sql_query(select).get_result::<Layout>(conn)
    })
    .await
}

/// Readiness for a one-number replica: `Err` once the database is in block mode, because its
/// blocks and `nextval` on the plain sequence would hand out the same numbers.
pub async fn check_not_in_block_mode(pool: &PgPool) -> Result<(), String> {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
        #[diesel(sql_type = BigInt)]
        size: i64,
    }
    let found = store::run(pool, |conn| {
        sql_query("SELECT count(*) AS n, coalesce(max(block_size), 0) AS size FROM block_layout")
            .get_result::<Count>(conn)
    })
    .await
    .map_err(|e| http_kit::chain(&e))?;
    if found.n == 0 {
        Ok(())
    } else {
        Err(format!(
            "this database is in block mode (blocks of {}); set SEQUENCE_BLOCK_SIZE={} on every replica",
            found.size, found.size
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_map_to_both_directions_and_wrap() {
        assert_eq!(position_to_number(Direction::Forward, 0), 1);
        assert_eq!(position_to_number(Direction::Forward, SPAN - 1), i64::MAX);
        assert_eq!(position_to_number(Direction::Forward, SPAN), 1);
        assert_eq!(position_to_number(Direction::Reverse, 0), i64::MAX);
        assert_eq!(position_to_number(Direction::Reverse, SPAN - 1), 1);
        assert_eq!(
            position_to_number(Direction::Reverse, SPAN + 1),
            i64::MAX - 1
        );
    }
}
