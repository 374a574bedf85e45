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

impl Deadlines {
    /// How long one call (a statement or a short transaction) may go without an answer before
    /// its session is presumed lost on the link: twice `statement_timeout` and a second, so
    /// the server's own deadline always fires first on a healthy link.
    pub fn stuck_after(&self) -> Duration {
        self.statement_timeout * 2 + Duration::from_secs(1)
    }
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
    with_parameters(url, &[("connect_timeout", seconds.to_string())])
}

/// Seconds of silence before the kernel probes a pooled connection's peer, between probes,
/// and probes unanswered before it gives the connection up: a peer gone behind a partition
/// is noticed within about 20 s even while libpq only waits to read.
const KEEPALIVES: [(&str, u64); 3] = [
    ("keepalives_idle", 10),
    ("keepalives_interval", 3),
    ("keepalives_count", 3),
];

/// `url` with libpq's link deadlines added, each unless the URL has it already: the
/// `connect_timeout`; `tcp_user_timeout`, after which data the peer never acknowledged ends
/// the connection (a query sent into a partition), set to [`Deadlines::stuck_after`]; and TCP
/// keepalives, which end it when the peer stops answering while libpq waits for a reply.
pub fn with_link_deadlines(url: &str, deadlines: &Deadlines) -> String {
    let mut parameters = vec![
        (
            "connect_timeout",
            deadlines.connect_timeout_secs.to_string(),
        ),
        (
            "tcp_user_timeout",
            deadlines.stuck_after().as_millis().to_string(),
        ),
        ("keepalives", "1".to_owned()),
    ];
    parameters.extend(KEEPALIVES.map(|(key, value)| (key, value.to_string())));
    with_parameters(url, &parameters)
}

fn with_parameters(url: &str, parameters: &[(&str, String)]) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else {
        return url.to_owned();
    };
    let present: Vec<String> = parsed
        .query_pairs()
        .map(|(key, _)| key.into_owned())
        .collect();
    let missing: Vec<_> = parameters
        .iter()
        .filter(|(key, _)| !present.iter().any(|p| p == key))
        .collect();
    if missing.is_empty() {
        return url.to_owned();
    }
    let mut query = parsed.query_pairs_mut();
    for (key, value) in missing {
        query.append_pair(key, value);
    }
    drop(query);
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
