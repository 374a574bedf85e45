//! r2d2 pools of diesel connections, built lazily, and [`run`]: a diesel call on the
//! blocking thread pool, inside the caller's tracing span.

use crate::deadlines::{Deadlines, SessionDeadlines, with_connect_timeout};
use diesel::{
    PgConnection,
    r2d2::{ConnectionManager, Pool, PooledConnection},
};
use env_config::DatabaseSettings;
use std::time::Duration;

/// A pool of PostgreSQL connections.
pub type PgPool = Pool<ConnectionManager<PgConnection>>;

/// A connection taken from a [`PgPool`].
pub type PgPooled = PooledConnection<ConnectionManager<PgConnection>>;

/// Why a database call failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No connection within the pool's timeout: the database is down or saturated.
    #[error("no database connection available: {0}")]
    Unavailable(#[from] diesel::r2d2::PoolError),
    /// The query failed.
    #[error("database query failed")]
    Query(#[from] diesel::result::Error),
    /// The blocking task panicked or was cancelled.
    #[error("database task did not complete: {0}")]
    Task(String),
}

impl StoreError {
    /// True when the database could not be reached (a 503, worth retrying), as opposed to a
    /// query that ran and failed.
    pub fn is_unavailable(&self) -> bool {
        match self {
            Self::Unavailable(_) => true,
            Self::Query(diesel::result::Error::DatabaseError(kind, _)) => {
                matches!(kind, diesel::result::DatabaseErrorKind::ClosedConnection)
            }
            _ => false,
        }
    }
}

/// Pool settings.
#[derive(Debug, Clone, Copy)]
pub struct PoolOptions {
    /// Most connections open at once.
    pub max_size: u32,
    /// How long a caller waits for a connection before [`StoreError::Unavailable`].
    pub connection_timeout: Duration,
    /// The PostgreSQL deadlines of every connection in the pool.
    pub deadlines: Deadlines,
}

impl<const POOL_SIZE: u32> From<&DatabaseSettings<POOL_SIZE>> for PoolOptions {
    fn from(settings: &DatabaseSettings<POOL_SIZE>) -> Self {
        Self {
            max_size: settings.pool_size,
            connection_timeout: Duration::from_millis(settings.pool_timeout_ms),
            deadlines: Deadlines::from(settings),
        }
    }
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self {
            max_size: 10,
            connection_timeout: Duration::from_secs(5),
            deadlines: Deadlines::default(),
        }
    }
}

/// A pool for `url` that opens connections on first use, so a service starts (and reports
/// not-ready) while its database is down. Every connection gets `options.deadlines`: libpq's
/// `connect_timeout` (added to the URL unless it has one) and the session timeouts. Each check-out is tested (`SELECT 1`), so connections
/// left broken by a database restart are replaced before anyone sees them.
pub fn lazy_pool(url: &str, options: PoolOptions) -> PgPool {
    build(url, options, true)
}

/// Like [`lazy_pool`] but without the check-out test, for hot paths where that extra round trip
/// per request matters: a connection broken by a restart then fails one request (a 503) and is
/// dropped by r2d2 (diesel's `has_broken`).
pub fn lazy_pool_untested(url: &str, options: PoolOptions) -> PgPool {
    build(url, options, false)
}

fn build(url: &str, options: PoolOptions, test_on_check_out: bool) -> PgPool {
    Pool::builder()
        .max_size(options.max_size)
        .min_idle(Some(0))
        .connection_timeout(options.connection_timeout)
        .test_on_check_out(test_on_check_out)
        .connection_customizer(Box::new(SessionDeadlines(options.deadlines)))
        .build_unchecked(ConnectionManager::new(with_connect_timeout(
            url,
            options.deadlines.connect_timeout_secs,
        )))
}

/// Runs `work` with a pooled connection on the blocking pool, inside the current span.
pub async fn run<T, F>(pool: &PgPool, work: F) -> Result<T, StoreError>
where
    T: Send + 'static,
    F: FnOnce(&mut PgConnection) -> diesel::QueryResult<T> + Send + 'static,
{
    let pool = pool.clone();
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || {
        let _entered = span.enter();
        let mut conn = pool.get()?;
        work(&mut conn).map_err(StoreError::from)
    })
    .await
    .map_err(|e| StoreError::Task(e.to_string()))?
}
