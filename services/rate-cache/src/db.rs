//! Queries on the rate-cache database. Every write to a pair's samples (record, trim, delete)
//! runs in one transaction holding that pair's advisory lock, so no reader sees half of one
//! and replicas never interleave on a pair.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::{
    Connection, PgConnection, QueryResult, QueryableByName, RunQueryDsl, sql_query,
    sql_types::{BigInt, Bool, Date, Nullable, Numeric, Text, Timestamptz},
};
use rust_decimal::Decimal;

/// A tracked pair.
#[derive(Debug, Clone, QueryableByName)]
pub struct PairRow {
    /// Base currency.
    #[diesel(sql_type = Text)]
    pub base: String,
    /// Quote currency.
    #[diesel(sql_type = Text)]
    pub quote: String,
    /// When it was registered.
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
}

/// A pair with its latest sample.
#[derive(Debug, Clone, QueryableByName)]
pub struct PairWithLatest {
    /// Base currency.
    #[diesel(sql_type = Text)]
    pub base: String,
    /// Quote currency.
    #[diesel(sql_type = Text)]
    pub quote: String,
    /// When it was registered.
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    /// The latest rate, if any sample exists.
    #[diesel(sql_type = Nullable<Numeric>)]
    pub latest_rate: Option<Decimal>,
    /// When the latest rate was observed.
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub latest_observed_at: Option<DateTime<Utc>>,
}

/// Aggregates of one pair's samples on one UTC date.
#[derive(Debug, Clone, QueryableByName)]
pub struct DayStats {
    /// Number of samples.
    #[diesel(sql_type = BigInt)]
    pub samples: i64,
    /// Sum of the rates (exact).
    #[diesel(sql_type = Nullable<Numeric>)]
    pub sum: Option<Decimal>,
    /// Lowest rate.
    #[diesel(sql_type = Nullable<Numeric>)]
    pub min: Option<Decimal>,
    /// Highest rate.
    #[diesel(sql_type = Nullable<Numeric>)]
    pub max: Option<Decimal>,
    /// First observation of the day.
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub first_observed_at: Option<DateTime<Utc>>,
    /// Last observation of the day.
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub last_observed_at: Option<DateTime<Utc>>,
}

#[derive(QueryableByName)]
struct Flag {
    #[diesel(sql_type = Bool)]
    flag: bool,
}

/// What became of a sample to record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// Stored.
    Stored,
    /// This pair already has a sample for this tick (a redelivered job).
    Duplicate,
    /// The pair was deleted meanwhile: nothing stored.
    PairGone,
}

/// Takes `base/quote`'s advisory lock until the end of the current transaction.
fn lock_pair(conn: &mut PgConnection, base: &str, quote: &str) -> QueryResult<()> {
    sql_query(
        "SELECT pg_advisory_xact_lock(hashtextextended('rate_cache:pair:' || $1 || '/' || $2, 0))",
    )
    .bind::<Text, _>(base)
    .bind::<Text, _>(quote)
    .execute(conn)
    .map(|_| ())
}

/// Registers a pair; `true` when it was new.
pub fn insert_pair(
    conn: &mut PgConnection,
    base: &str,
    quote: &str,
) -> QueryResult<(PairRow, bool)> {
    let inserted: Option<PairRow> = sql_query(
        "INSERT INTO currency_pairs (base, quote) VALUES ($1, $2) ON CONFLICT DO NOTHING \
         RETURNING base::text, quote::text, created_at",
    )
    .bind::<Text, _>(base)
    .bind::<Text, _>(quote)
    .get_result(conn)
    .map(Some)
    .or_else(|e| {
        if e == diesel::result::Error::NotFound {
            Ok(None)
        } else {
            Err(e)
        }
    })?;
    if let Some(row) = inserted {
        return Ok((row, true));
    }
    let existing = sql_query("SELECT base::text, quote::text, created_at FROM currency_pairs WHERE base = $1 AND quote = $2")
        .bind::<Text, _>(base)
        .bind::<Text, _>(quote)
        .get_result(conn)?;
    Ok((existing, false))
}

/// Deletes a pair and its samples under the pair's lock; `false` when it did not exist.
pub fn delete_pair(conn: &mut PgConnection, base: &str, quote: &str) -> QueryResult<bool> {
    conn.transaction(|conn| {
        lock_pair(conn, base, quote)?;
        let deleted = sql_query("DELETE FROM currency_pairs WHERE base = $1 AND quote = $2")
            .bind::<Text, _>(base)
            .bind::<Text, _>(quote)
            .execute(conn)?;
        Ok(deleted > 0)
    })
}

/// Every pair with its latest sample, ordered by base then quote.
pub fn list_pairs(conn: &mut PgConnection) -> QueryResult<Vec<PairWithLatest>> {
    sql_query(
        "SELECT p.base::text AS base, p.quote::text AS quote, p.created_at, \
                latest.rate AS latest_rate, latest.observed_at AS latest_observed_at \
         FROM currency_pairs p LEFT JOIN LATERAL ( \
             SELECT rate, observed_at FROM rate_samples s \
             WHERE s.base = p.base AND s.quote = p.quote ORDER BY observed_at DESC, id DESC LIMIT 1 \
         ) latest ON true ORDER BY p.base, p.quote",
    )
    .load(conn)
}

/// Every pair's codes, for dispatching and trimming.
pub fn pair_keys(conn: &mut PgConnection) -> QueryResult<Vec<(String, String)>> {
    Ok(sql_query(
        "SELECT base::text, quote::text, created_at FROM currency_pairs ORDER BY base, quote",
    )
    .load::<PairRow>(conn)?
    .into_iter()
    .map(|row| (row.base, row.quote))
    .collect())
}

/// True when the pair is registered.
pub fn pair_exists(conn: &mut PgConnection, base: &str, quote: &str) -> QueryResult<bool> {
    sql_query("SELECT EXISTS (SELECT 1 FROM currency_pairs WHERE base = $1 AND quote = $2) AS flag")
        .bind::<Text, _>(base)
        .bind::<Text, _>(quote)
        .get_result::<Flag>(conn)
        .map(|row| row.flag)
}

/// Aggregates of the pair's samples observed on `date` (UTC).
pub fn day_stats(
    conn: &mut PgConnection,
    base: &str,
    quote: &str,
    date: NaiveDate,
) -> QueryResult<DayStats> {
    sql_query(
        "SELECT count(*) AS samples, sum(rate) AS sum, min(rate) AS min, max(rate) AS max, \
                min(observed_at) AS first_observed_at, max(observed_at) AS last_observed_at \
         FROM rate_samples WHERE base = $1 AND quote = $2 \
           AND observed_at >= ($3::date)::timestamp AT TIME ZONE 'UTC' \
           AND observed_at < ($3::date + 1)::timestamp AT TIME ZONE 'UTC'",
    )
    .bind::<Text, _>(base)
    .bind::<Text, _>(quote)
    .bind::<Date, _>(date)
    .get_result(conn)
}

/// One UTC day's aggregates of a pair's samples.
#[derive(Debug, Clone, QueryableByName)]
pub struct DailyStats {
    /// The UTC date.
    #[diesel(sql_type = Date)]
    pub date: NaiveDate,
    /// Number of samples (at least 1).
    #[diesel(sql_type = BigInt)]
    pub samples: i64,
    /// Sum of the rates (exact).
    #[diesel(sql_type = Numeric)]
    pub sum: Decimal,
    /// Lowest rate.
    #[diesel(sql_type = Numeric)]
    pub min: Decimal,
    /// Highest rate.
    #[diesel(sql_type = Numeric)]
    pub max: Decimal,
    /// First observation of the day.
    #[diesel(sql_type = Timestamptz)]
    pub first_observed_at: DateTime<Utc>,
    /// Last observation of the day.
    #[diesel(sql_type = Timestamptz)]
    pub last_observed_at: DateTime<Utc>,
}

/// Aggregates per UTC day of the pair's samples observed from `from` to `to` (both
/// inclusive), oldest first; days without samples are absent. One query.
pub fn daily_stats(
    conn: &mut PgConnection,
    base: &str,
    quote: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<DailyStats>> {
    sql_query(
        "SELECT (observed_at AT TIME ZONE 'UTC')::date AS date, count(*) AS samples, \
                sum(rate) AS sum, min(rate) AS min, max(rate) AS max, \
                min(observed_at) AS first_observed_at, max(observed_at) AS last_observed_at \
         FROM rate_samples WHERE base = $1 AND quote = $2 \
           AND observed_at >= ($3::date)::timestamp AT TIME ZONE 'UTC' \
           AND observed_at < ($4::date + 1)::timestamp AT TIME ZONE 'UTC' \
         GROUP BY 1 ORDER BY 1",
    )
    .bind::<Text, _>(base)
    .bind::<Text, _>(quote)
    .bind::<Date, _>(from)
    .bind::<Date, _>(to)
    .load(conn)
}

/// Records one sample for `tick_at` in one transaction under the pair's lock.
pub fn record_sample(
    conn: &mut PgConnection,
    base: &str,
    quote: &str,
    rate: Decimal,
    source: &str,
    tick_at: DateTime<Utc>,
) -> QueryResult<Recorded> {
    conn.transaction(|conn| {
        lock_pair(conn, base, quote)?;
        if !pair_exists(conn, base, quote)? {
            return Ok(Recorded::PairGone);
        }
        let inserted = sql_query(
            "INSERT INTO rate_samples (base, quote, rate, source, tick_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (base, quote, tick_at) DO NOTHING",
        )
        .bind::<Text, _>(base)
        .bind::<Text, _>(quote)
        .bind::<Numeric, _>(rate)
        .bind::<Text, _>(source)
        .bind::<Timestamptz, _>(tick_at)
        .execute(conn)?;
        Ok(if inserted == 1 { Recorded::Stored } else { Recorded::Duplicate })
    })
}

/// Deletes the pair's samples observed before `cutoff`, under the pair's lock.
pub fn trim_pair(
    conn: &mut PgConnection,
    base: &str,
    quote: &str,
    cutoff: DateTime<Utc>,
) -> QueryResult<usize> {
    conn.transaction(|conn| {
        lock_pair(conn, base, quote)?;
        sql_query("DELETE FROM rate_samples WHERE base = $1 AND quote = $2 AND observed_at < $3")
            .bind::<Text, _>(base)
            .bind::<Text, _>(quote)
            .bind::<Timestamptz, _>(cutoff)
            .execute(conn)
    })
}

/// Claims scheduler tick `tick_at` of `job` (`update`, `trim`): `true` for exactly one caller
/// per tick across every replica. The scheduler's advisory lock (tried, never waited for)
/// makes one replica do the work; the `scheduler_ticks` row, only ever moved forward, makes
/// a replica that gets the lock after the winner committed see the tick as taken.
pub fn claim_tick(conn: &mut PgConnection, job: &str, tick_at: DateTime<Utc>) -> QueryResult<bool> {
    conn.transaction(|conn| {
        let locked = sql_query("SELECT pg_try_advisory_xact_lock(hashtextextended('rate_cache:scheduler:' || $1, 0)) AS flag")
            .bind::<Text, _>(job)
            .get_result::<Flag>(conn)?
            .flag;
        if !locked {
            return Ok(false);
        }
        let claimed = sql_query(
            "INSERT INTO scheduler_ticks (job, last_tick_at) VALUES ($1, $2) \
             ON CONFLICT (job) DO UPDATE SET last_tick_at = EXCLUDED.last_tick_at, dispatched_at = now() \
             WHERE scheduler_ticks.last_tick_at < EXCLUDED.last_tick_at",
        )
        .bind::<Text, _>(job)
        .bind::<Timestamptz, _>(tick_at)
        .execute(conn)?;
        Ok(claimed == 1)
    })
}
