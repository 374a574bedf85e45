//! Group commit: one transaction for a batch of orders, each admitted under the cap in order.

use create_buy_order::orders::{self, Created, OrderRow, Pending};
use diesel::{QueryableByName, RunQueryDsl, sql_types::Text};
use domain::Currency;
use rust_decimal::Decimal;
use std::str::FromStr;
use store::Database;
use test_support::TestDatabase;

fn pending(key: &str, btc: &str) -> Pending {
    let btc = Decimal::from_str(btc).unwrap();
    let rate = Decimal::from(10_000);
    Pending {
        order: OrderRow::new(key, Currency::Eur, btc * rate, rate, btc),
        request_id: format!("req-{key}"),
    }
}

#[derive(QueryableByName)]
struct Value {
    #[diesel(sql_type = Text)]
    v: String,
}

fn text(db: &TestDatabase, sql: &str) -> String {
    diesel::sql_query(sql)
        .get_result::<Value>(&mut db.connect())
        .unwrap()
        .v
}

fn outcome_name(created: &Created) -> String {
    match created {
        Created::New(row) => format!("new {}", row.idempotence_key),
        Created::Existing(row) => format!("existing {}", row.idempotence_key),
        Created::CapExceeded { remaining } => format!("refused, {} remain", remaining.normalize()),
    }
}

#[test]
fn a_batch_admits_orders_in_arrival_order_under_the_cap_and_stores_only_the_admitted() {
    let db = TestDatabase::migrated(Database::Write);
    let mut conn = db.connect();
    let batch = [pending("x", "60"), pending("y", "50"), pending("z", "30")];

    let outcomes = orders::create_batch(&mut conn, &batch).unwrap();

    let names: Vec<String> = outcomes.iter().map(outcome_name).collect();
    assert_eq!(
        names,
        ["new x", "refused, 10 remain", "new z"],
        "y no longer fits after x; z still does"
    );
    assert_eq!(
        text(&db, "SELECT total_btc::text AS v FROM btc_cap"),
        "90.00000000"
    );
    assert_eq!(
        text(
            &db,
            "SELECT string_agg(idempotence_key, ',' ORDER BY idempotence_key) AS v FROM buy_orders"
        ),
        "x,z"
    );
    assert_eq!(
        text(
            &db,
            "SELECT string_agg(correlation_id, ',' ORDER BY correlation_id) AS v FROM outbox"
        ),
        "req-x,req-z",
        "one event per admitted order, correlated with its request"
    );
}

#[test]
fn a_key_already_taken_is_answered_with_its_order_and_not_counted_again() {
    let db = TestDatabase::migrated(Database::Write);
    let mut conn = db.connect();
    let first = orders::create_batch(&mut conn, &[pending("taken", "1")]).unwrap();
    let Created::New(original) = &first[0] else {
        panic!("{}", outcome_name(&first[0]))
    };

    let outcomes = orders::create_batch(
        &mut conn,
        &[
            pending("fresh", "2"),
            pending("taken", "3"),
            pending("huge", "98"),
        ],
    )
    .unwrap();

    let names: Vec<String> = outcomes.iter().map(outcome_name).collect();
    assert_eq!(names, ["new fresh", "existing taken", "refused, 97 remain"]);
    let Created::Existing(existing) = &outcomes[1] else {
        unreachable!()
    };
    assert_eq!(
        existing.id, original.id,
        "the original order, not the new attempt"
    );
    assert_eq!(existing.bitcoin_amount, Decimal::ONE);
    assert_eq!(
        text(&db, "SELECT total_btc::text AS v FROM btc_cap"),
        "3.00000000"
    );
    assert_eq!(text(&db, "SELECT count(*)::text AS v FROM outbox"), "2");
    assert_eq!(text(&db, "SELECT count(*)::text AS v FROM buy_orders"), "2");
}

#[test]
fn a_batch_of_only_known_keys_answers_their_orders_and_changes_nothing() {
    let db = TestDatabase::migrated(Database::Write);
    let mut conn = db.connect();
    orders::create_batch(&mut conn, &[pending("a", "1"), pending("b", "2")]).unwrap();

    let outcomes =
        orders::create_batch(&mut conn, &[pending("b", "5"), pending("a", "5")]).unwrap();

    let names: Vec<String> = outcomes.iter().map(outcome_name).collect();
    assert_eq!(names, ["existing b", "existing a"]);
    assert_eq!(
        text(&db, "SELECT total_btc::text AS v FROM btc_cap"),
        "3.00000000"
    );
}
