//! r2d2 pools of diesel connections, built lazily, and [`run`]: a diesel call on the
//! blocking thread pool, inside the caller's tracing span.

use crate::deadlines::{Deadlines, SessionDeadlines, with_link_deadlines};
use diesel::{
    PgConnection,
    r2d2::{ConnectionManager, Pool, PooledConnection},
};
use env_config::DatabaseSettings;
use std::time::Duration;

/// A pool of PostgreSQL connections: an r2d2 pool (it derefs to one) with the deadline of a
/// [`run`] call. Services call the database only through [`run`]; a connection taken with
/// the r2d2 pool's own `get` (tests do) has the session deadlines but no call deadline.
#[derive(Clone)]
pub struct PgPool {
    inner: Pool<ConnectionManager<PgConnection>>,
    /// How long a [`run`] call waits in all.
    stuck_after: Duration,
}

impl std::ops::Deref for PgPool {
    type Target = Pool<ConnectionManager<PgConnection>>;

    fn deref(&self) -> &Self::Target {
        &self.inner
    }
}

impl std::fmt::Debug for PgPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgPool")
            .field("state", &self.inner.state())
            .field("stuck_after", &self.stuck_after)
            .finish_non_exhaustive()
    }
}

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
    /// The call had no answer within its deadline: the link or the server hung.
    #[error("database did not answer within {0:?}")]
    Stuck(Duration),
    /// The blocking task panicked or was cancelled.
    #[error("database task did not complete: {0}")]
    Task(String),
}

impl StoreError {
    /// True when the database could not be reached (a 503, worth retrying), as opposed to a
    /// query that ran and failed.
    pub fn is_unavailable(&self) -> bool {
        match self {
            Self::Unavailable(_) | Self::Stuck(_) => true,
            Self::Query(diesel::result::Error::DatabaseError(kind, info)) => {
                is_lost_connection(kind) || is_session_deadline(info.message())
            }
            _ => false,
        }
    }
}

/// The connection is gone: closed, or (libpq's "no connection to the server", a connection a
/// restart broke, used before r2d2 noticed) unable to send.
fn is_lost_connection(kind: &diesel::result::DatabaseErrorKind) -> bool {
    matches!(
        kind,
        diesel::result::DatabaseErrorKind::ClosedConnection
            | diesel::result::DatabaseErrorKind::UnableToSendCommand
    )
}

/// A session deadline ended the statement: the database is too slow, or a row is held
/// elsewhere (another replica's transaction stuck on a hung link); worth retrying. diesel has
/// no kind for these and no SQLSTATE (57014, 55P03), so the server's message (with the
/// default `lc_messages`) names them.
fn is_session_deadline(message: &str) -> bool {
    [
        "canceling statement due to statement timeout",
        "canceling statement due to lock timeout",
    ]
    .iter()
    .any(|prefix| message.starts_with(prefix))
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
/// link deadlines (added to the URL, see [`with_link_deadlines`]) and the session timeouts.
/// Each check-out is tested (`SELECT 1`), so connections left broken by a database restart
/// are replaced before anyone sees them.
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
    let inner = Pool::builder()
        .max_size(options.max_size)
        .min_idle(Some(0))
        .connection_timeout(options.connection_timeout)
        .test_on_check_out(test_on_check_out)
        .connection_customizer(Box::new(SessionDeadlines(options.deadlines)))
        .build_unchecked(ConnectionManager::new(with_link_deadlines(
            url,
            &options.deadlines,
        )));
    PgPool {
        inner,
        stuck_after: options.connection_timeout + options.deadlines.stuck_after(),
    }
}

/// Runs `work` with a pooled connection on the blocking pool, inside the current span.
///
/// The call has a client-side deadline: the pool's wait plus [`Deadlines::stuck_after`]. On a
/// link that drops packets without a reset, libpq waits for an answer that `statement_timeout`
/// cannot bring (the server may never have seen the query); past the deadline the caller gets
/// [`StoreError::Stuck`] instead of hanging with it. The blocked thread keeps its connection
/// until the link answers or the kernel gives up on it (`tcp_user_timeout` and keepalives, see
/// [`crate::with_link_deadlines`]); r2d2 then drops it if it broke.
pub async fn run<T, F>(pool: &PgPool, work: F) -> Result<T, StoreError>
where
    T: Send + 'static,
    F: FnOnce(&mut PgConnection) -> diesel::QueryResult<T> + Send + 'static,
{
    let inner = pool.inner.clone();
    let span = tracing::Span::current();
    let task = tokio::task::spawn_blocking(move || {
        let _entered = span.enter();
        let mut conn = inner.get()?;
        work(&mut conn).map_err(StoreError::from)
    });
    match tokio::time::timeout(pool.stuck_after, task).await {
        Ok(joined) => joined.map_err(|e| StoreError::Task(e.to_string()))?,
        Err(_) => Err(StoreError::Stuck(pool.stuck_after)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::result::{DatabaseErrorKind, Error};

    fn query_error(kind: DatabaseErrorKind) -> StoreError {
        StoreError::Query(Error::DatabaseError(
            kind,
            Box::new("no connection to the server".to_owned()),
        ))
    }

    #[test]
    fn a_lost_connection_is_unavailable_and_a_failed_query_is_not() {
        assert!(query_error(DatabaseErrorKind::ClosedConnection).is_unavailable());
        assert!(query_error(DatabaseErrorKind::UnableToSendCommand).is_unavailable());
        assert!(StoreError::Stuck(Duration::from_secs(1)).is_unavailable());
        let lock = StoreError::Query(Error::DatabaseError(
            DatabaseErrorKind::Unknown,
            Box::new("canceling statement due to lock timeout".to_owned()),
        ));
        assert!(lock.is_unavailable());
        assert!(!query_error(DatabaseErrorKind::UniqueViolation).is_unavailable());
        assert!(!StoreError::Query(Error::NotFound).is_unavailable());
    }
}
