use crate::helpers::{Options, insert_sample, recorded_upstream, register};
use diesel::{QueryableByName, RunQueryDsl, sql_query, sql_types::Numeric};
use rust_decimal::Decimal;
use std::time::Duration;

#[derive(QueryableByName)]
struct Rate {
    #[diesel(sql_type = Numeric)]
    rate: Decimal,
}

fn remaining(database: &test_support::TestDatabase) -> Vec<String> {
    sql_query("SELECT rate FROM rate_samples ORDER BY rate")
        .load::<Rate>(&mut database.connect())
        .unwrap()
        .into_iter()
        .map(|r| r.rate.normalize().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn trim_deletes_exactly_the_samples_past_retention() {
    let upstream = recorded_upstream().await;
    let database = std::sync::Arc::new(test_support::TestDatabase::migrated(
        store::Database::RateCache,
    ));
    register(&database, "USD", "EUR");
    register(&database, "EUR", "GBP");
    // Rates encode their age so the survivors are easy to read.
    insert_sample(
        &database,
        "USD",
        "EUR",
        "1.31",
        "now() - interval '31 days'",
    );
    insert_sample(
        &database,
        "USD",
        "EUR",
        "1.3001",
        "now() - interval '30 days 1 minute'",
    );
    insert_sample(
        &database,
        "EUR",
        "GBP",
        "2.400",
        "now() - interval '400 days'",
    );
    insert_sample(
        &database,
        "USD",
        "EUR",
        "1.2959",
        "now() - interval '29 days 23 hours 59 minutes'",
    );
    insert_sample(&database, "USD", "EUR", "1.01", "now() - interval '1 day'");
    insert_sample(&database, "EUR", "GBP", "2.0", "now()");

    let app = crate::helpers::spawn_app_on(
        database.clone(),
        Options {
            trim_secs: 1,
            ..Options::new(&upstream.uri())
        },
    )
    .await;
    test_support::eventually("the trim tick", Duration::from_secs(10), || {
        let database = database.clone();
        async move { (remaining(&database).len() == 3).then_some(()) }
    })
    .await;
    assert_eq!(remaining(&app.database), vec!["1.01", "1.2959", "2"]);
}
