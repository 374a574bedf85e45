//! PostgreSQL deadlines on every pooled connection: libpq's `connect_timeout` in the URL, and
//! `statement_timeout`, `lock_timeout` and `idle_in_transaction_session_timeout` set once per
//! connection when the pool opens it ([`SessionDeadlines`], an r2d2 `CustomizeConnection`).

use diesel::{
    PgConnection,
    connection::SimpleConnection,
    r2d2::{CustomizeConnection, Error},
};
use env_config::DatabaseSettings;
use std::time::Duration;

/// How long PostgreSQL work may wait, per pooled connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlines {
    /// libpq `connect_timeout`, whole seconds (libpq treats 1 as 2).
    pub connect_timeout_secs: u64,
    /// `statement_timeout`: one statement's run time.
    pub statement_timeout: Duration,
    /// `lock_timeout`: one wait for a lock.
    pub lock_timeout: Duration,
    /// `idle_in_transaction_session_timeout`: a transaction left open with nothing running
    /// ends its session.
    pub idle_in_transaction_timeout: Duration,
}

impl<const POOL_SIZE: u32> From<&DatabaseSettings<POOL_SIZE>> for Deadlines {
    fn from(settings: &DatabaseSettings<POOL_SIZE>) -> Self {
        Self {
            connect_timeout_secs: settings.connect_timeout_secs,
            statement_timeout: Duration::from_millis(settings.statement_timeout_ms),
            lock_timeout: Duration::from_millis(settings.lock_timeout_ms),
            idle_in_transaction_timeout: Duration::from_millis(
                settings.idle_in_transaction_timeout_ms,
            ),
        }
    }
}

impl Default for Deadlines {
    /// The defaults of `env_config::DatabaseSettings`.
    fn default() -> Self {
        Self::from(&DatabaseSettings::<1>::default())
    }
}

/// `url` with `connect_timeout` added as a query parameter unless it already has one (the
/// caller's own value wins). A URL that does not parse is returned as it is.
pub fn with_connect_timeout(url: &str, seconds: u64) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else {
        return url.to_owned();
    };
    if parsed
        .query_pairs()
        .any(|(key, _)| key == "connect_timeout")
    {
        return url.to_owned();
    }
    parsed
        .query_pairs_mut()
        .append_pair("connect_timeout", &seconds.to_string());
    parsed.to_string()
}

/// Sets the session deadlines on each connection the pool opens (one round trip per
/// connection, not per check-out).
#[derive(Debug, Clone, Copy)]
pub(crate) struct SessionDeadlines(pub Deadlines);

impl SessionDeadlines {
    fn statements(&self) -> String {
        let d = &self.0;
        format!(
            "SET statement_timeout = {}; SET lock_timeout = {}; \
             SET idle_in_transaction_session_timeout = {}",
            d.statement_timeout.as_millis(),
            d.lock_timeout.as_millis(),
            d.idle_in_transaction_timeout.as_millis()
        )
    }
}

impl CustomizeConnection<PgConnection, Error> for SessionDeadlines {
    fn on_acquire(&self, conn: &mut PgConnection) -> Result<(), Error> {
        conn.batch_execute(&self.statements())
            .map_err(Error::QueryError)
    }
}
