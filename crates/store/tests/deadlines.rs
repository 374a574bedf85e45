//! The PostgreSQL deadlines of every pooled connection, against the real server.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

use diesel::{Connection, PgConnection, RunQueryDsl, connection::SimpleConnection, sql_query};
use std::time::{Duration, Instant};
use store::{
    Deadlines, PgPool, PoolOptions, StoreError, with_connect_timeout, with_link_deadlines,
};
use test_support::{TcpProxy, TestDatabase, database_address, via_port};

fn pool(url: &str, deadlines: Deadlines) -> PgPool {
    store::lazy_pool(
        url,
        PoolOptions {
            max_size: 2,
            connection_timeout: Duration::from_secs(5),
            deadlines,
        },
    )
}

fn short(statement_ms: u64, lock_ms: u64, idle_ms: u64) -> Deadlines {
    Deadlines {
        connect_timeout_secs: 2,
        statement_timeout: Duration::from_millis(statement_ms),
        lock_timeout: Duration::from_millis(lock_ms),
        idle_in_transaction_timeout: Duration::from_millis(idle_ms),
    }
}

fn error_text(result: diesel::QueryResult<usize>) -> String {
    result
        .expect_err("expected the deadline to end it")
        .to_string()
}

#[test]
fn a_statement_past_the_statement_timeout_fails() {
    let db = TestDatabase::empty("deadline_statement");
    let mut conn = pool(db.url(), short(200, 10_000, 60_000)).get().unwrap();
    let started = Instant::now();
    let error = error_text(sql_query("SELECT pg_sleep(5)").execute(&mut conn));
    assert!(error.contains("statement timeout"), "{error}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    // A statement within the deadline runs.
    sql_query("SELECT pg_sleep(0.05)")
        .execute(&mut conn)
        .unwrap();
}

#[tokio::test]
async fn a_lock_wait_past_the_lock_timeout_fails() {
    let db = TestDatabase::empty("deadline_lock");
    let mut holder = db.connect();
    holder.batch_execute("CREATE TABLE t (id int)").unwrap();
    holder
        .batch_execute("BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE")
        .unwrap();
    let mut conn = pool(db.url(), short(10_000, 200, 60_000)).get().unwrap();
    let started = Instant::now();
    let error = error_text(sql_query("SELECT count(*) FROM t").execute(&mut conn));
    assert!(error.contains("lock timeout"), "{error}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    // Through store::run it is a 503-worthy error, not a failed query (the lock is held
    // elsewhere; a retry may get it).
    let pool = pool(db.url(), short(10_000, 200, 60_000));
    let error = store::run(&pool, |conn| {
        sql_query("SELECT count(*) FROM t").execute(conn)
    })
    .await
    .unwrap_err();
    assert!(error.is_unavailable(), "{error}");
    holder.batch_execute("ROLLBACK").unwrap();
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

#[derive(diesel::QueryableByName)]
struct Pid {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pid: i32,
}

#[tokio::test]
async fn an_idle_transaction_is_ended() {
    let db = TestDatabase::empty("deadline_idle");
    let mut conn = pool(db.url(), short(10_000, 10_000, 300)).get().unwrap();
    let Pid { pid } = sql_query("SELECT pg_backend_pid() AS pid")
        .get_result(&mut conn)
        .unwrap();
    conn.batch_execute("BEGIN").unwrap();
    let mut admin = db.connect();
    test_support::eventually(
        "the idle transaction's session to end",
        Duration::from_secs(5),
        || {
            let Count { n } = sql_query(format!(
                "SELECT count(*) AS n FROM pg_stat_activity WHERE pid = {pid}"
            ))
            .get_result(&mut admin)
            .unwrap();
            std::future::ready((n == 0).then_some(()))
        },
    )
    .await;
    assert!(sql_query("SELECT 1").execute(&mut conn).is_err());
}

#[test]
fn connect_timeout_is_added_unless_the_url_has_one() {
    assert_eq!(
        with_connect_timeout("postgres://u@h:5432/db", 5),
        "postgres://u@h:5432/db?connect_timeout=5"
    );
    assert_eq!(
        with_connect_timeout("postgres://u@h/db?sslmode=disable", 3),
        "postgres://u@h/db?sslmode=disable&connect_timeout=3"
    );
    assert_eq!(
        with_connect_timeout("postgres://u@h/db?connect_timeout=9", 3),
        "postgres://u@h/db?connect_timeout=9"
    );
}

#[test]
fn link_deadlines_are_added_unless_the_url_has_them() {
    let url = with_link_deadlines(
        "postgres://u@h/db?keepalives_idle=60",
        &short(500, 500, 500),
    );
    let parsed = url::Url::parse(&url).unwrap();
    let pairs: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
    let value = |key: &str| {
        let found: Vec<_> = pairs.iter().filter(|(k, _)| k == key).collect();
        assert_eq!(found.len(), 1, "{key} once in {url}");
        found[0].1.clone()
    };
    assert_eq!(value("connect_timeout"), "2");
    assert_eq!(value("tcp_user_timeout"), "2000");
    assert_eq!(value("keepalives"), "1");
    assert_eq!(value("keepalives_idle"), "60", "the URL's own value wins");
    assert_eq!(value("keepalives_count"), "3");
    // libpq takes them all: a connection opens.
    let db = TestDatabase::empty("deadline_link");
    PgConnection::establish(&with_link_deadlines(db.url(), &short(500, 500, 500))).unwrap();
}

#[test]
fn connecting_through_a_blackhole_fails_within_the_connect_timeout() {
    let db = TestDatabase::empty("deadline_connect");
    let proxy = TcpProxy::start(&database_address());
    proxy.blackhole();
    let url = via_port(db.url(), proxy.port());

    let started = Instant::now();
    let error = PgConnection::establish(&with_connect_timeout(&url, 2))
        .err()
        .expect("a blackholed server cannot be connected to");
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(1500) && took < Duration::from_secs(4),
        "{took:?}: {error}"
    );

    // The pool's connections carry it: its wait ends with libpq's timeout as the last error,
    // not a bare "timed out waiting for connection".
    let error = pool(&url, short(1000, 1000, 1000))
        .get()
        .err()
        .unwrap()
        .to_string();
    assert!(error.contains("timeout expired"), "{error}");
}

/// A pool of one connection through `proxy`, with a 500 ms statement timeout: a call is stuck
/// after 1 s of waiting for the pool plus 2 s without an answer.
fn one_connection_via(proxy: &TcpProxy, db: &TestDatabase, tested: bool) -> PgPool {
    let options = PoolOptions {
        max_size: 1,
        connection_timeout: Duration::from_secs(1),
        deadlines: short(500, 500, 60_000),
    };
    let url = via_port(db.url(), proxy.port());
    if tested {
        store::lazy_pool(&url, options)
    } else {
        store::lazy_pool_untested(&url, options)
    }
}

async fn select_one(pool: &PgPool) -> Result<usize, StoreError> {
    store::run(pool, |conn| sql_query("SELECT 1").execute(conn)).await
}

/// A query sent into a partition (no reset, no close) gets no answer until it heals, and no
/// server deadline can end it: the call must fail at its own deadline, and the pool's only
/// connection must serve again once the link is back, for both kinds of pool.
#[tokio::test]
async fn a_call_on_a_hung_link_fails_at_its_deadline_and_the_pool_recovers() {
    let db = TestDatabase::empty("deadline_hung");
    for tested in [true, false] {
        let proxy = TcpProxy::start(&database_address());
        let pool = one_connection_via(&proxy, &db, tested);
        select_one(&pool).await.unwrap();

        proxy.blackhole();
        let started = Instant::now();
        let error = tokio::time::timeout(Duration::from_secs(30), select_one(&pool))
            .await
            .expect("the call has a deadline")
            .expect_err("nothing answers through a partition");
        assert!(
            matches!(error, StoreError::Stuck(_)) && error.is_unavailable(),
            "tested {tested}: {error}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{:?}",
            started.elapsed()
        );

        proxy.restore();
        test_support::eventually(
            "the pool's one connection to serve again",
            Duration::from_secs(20),
            || async { select_one(&pool).await.ok() },
        )
        .await;
    }
}
