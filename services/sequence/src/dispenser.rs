//! Drawing numbers from the two PostgreSQL sequences, one round trip per batch.
//!
//! A batch is one statement: `generate_series(1, count)` numbers the draws, `nextval` runs
//! once per row while the function scan emits rows in that order, and the outer
//! `ORDER BY draw` returns the values in the order the sequence handed them out. Ordering by
//! the value instead would misorder a batch that crosses the wrap (`…, 2^63-1, 1, 2` would
//! come back as `1, 2, …, 2^63-1`). The volatile `nextval` keeps PostgreSQL from flattening
//! the subquery, so every value is computed before the sort. Each session's `nextval` calls
//! return strictly increasing (forward) or decreasing (reverse) values between wraps, so the
//! draw order is the sequence's direction even when other sessions draw concurrently.

use diesel::{QueryableByName, RunQueryDsl, sql_query, sql_types::BigInt, sql_types::Integer};
use store::{PgPool, StoreError};

/// Which sequence to draw from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// `forward_sequence`: 1, 2, … 2^63-1, then 1 again.
    Forward,
    /// `reverse_sequence`: 2^63-1, 2^63-2, … 1, then 2^63-1 again.
    Reverse,
}

impl Direction {
    /// `forward` or `reverse`, for logs and metrics.
    pub fn name(self) -> &'static str {
        match self {
            Self::Forward => "forward",
            Self::Reverse => "reverse",
        }
    }

    fn batch_sql(self) -> &'static str {
        match self {
            Self::Forward => {
                "SELECT n FROM (SELECT draw, nextval('forward_sequence') AS n \
                 FROM generate_series(1, $1) AS draw) AS batch ORDER BY draw"
            }
            Self::Reverse => {
                "SELECT n FROM (SELECT draw, nextval('reverse_sequence') AS n \
                 FROM generate_series(1, $1) AS draw) AS batch ORDER BY draw"
            }
        }
    }
}

#[derive(QueryableByName)]
struct Drawn {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Draws `count` numbers from `direction`'s sequence in one statement, in draw order.
pub async fn draw(pool: &PgPool, direction: Direction, count: u32) -> Result<Vec<i64>, StoreError> {
    // Counts are capped by SEQUENCE_MAX_COUNT (at most 100000), so they fit an i32.
    let count = i32::try_from(count).unwrap_or(i32::MAX);
    store::run(pool, move |conn| {
        sql_query(direction.batch_sql())
            .bind::<Integer, _>(count)
            .load::<Drawn>(conn)
    })
    .await
    .map(|rows| rows.into_iter().map(|row| row.n).collect())
}
