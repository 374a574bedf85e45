//! Spawning the service in-process on a fresh read database, filling the read model
//! directly, and paging through `GET /buy_orders`.

use chrono::{DateTime, Utc};
use diesel::{ExpressionMethods, PgConnection, RunQueryDsl};
use fetch_buy_orders::{config::Config, startup::Application};
use rust_decimal::Decimal;
use serde_json::Value;
use std::{str::FromStr, time::Duration};
use store::{Database, schema::read::buy_orders};
use test_support::TestDatabase;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// A running app on its own database.
pub struct TestApp {
    pub base_url: String,
    pub db: TestDatabase,
    pub shutdown: CancellationToken,
    client: reqwest::Client,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

pub async fn spawn_app() -> TestApp {
    let db = TestDatabase::migrated(Database::Read);
    let url = db.url().to_owned();
    spawn_app_on(db, &url).await
}

/// Starts the app with `database_url` (maybe a proxy in front of `db`) and waits until ready.
pub async fn spawn_app_on(db: TestDatabase, database_url: &str) -> TestApp {
    spawn_app_with(db, database_url, &[]).await
}

/// As [`spawn_app_on`], with `extra` variables (access control) added.
pub async fn spawn_app_with(
    db: TestDatabase,
    database_url: &str,
    extra: &[(&str, String)],
) -> TestApp {
    let vars = [
        ("READ_DATABASE_URL", database_url.to_owned()),
        ("HTTP_PORT", "0".to_owned()),
        ("DATABASE_TIMEOUT_MS", "500".to_owned()),
    ];
    let vars = vars.into_iter().chain(extra.iter().cloned());
    let config = Config::from_vars(vars.map(|(k, v)| (k.to_owned(), v))).unwrap();
    let shutdown = CancellationToken::new();
    let app = Application::build(config, shutdown.clone()).await.unwrap();
    let base_url = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    test_support::wait_until_ready(&base_url, Duration::from_secs(20)).await;
    TestApp {
        base_url,
        db,
        shutdown,
        client: reqwest::Client::new(),
    }
}

impl TestApp {
    pub async fn get(&self, path_and_query: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path_and_query}", self.base_url))
            .send()
            .await
            .unwrap()
    }

    /// `GET /buy_orders` with a query string, answered 200, as JSON.
    pub async fn page(&self, query: &str) -> Value {
        let response = self.get(&format!("/buy_orders{query}")).await;
        assert_eq!(response.status(), 200, "GET /buy_orders{query}");
        response.json().await.unwrap()
    }

    /// Every id, following `last_reference` with `limit`; calls `between` after each page.
    pub async fn all_ids(&self, limit: u32, mut between: impl FnMut()) -> Vec<Uuid> {
        let mut ids = Vec::new();
        let mut query = format!("?limit={limit}");
        loop {
            let page = self.page(&query).await;
            let orders = page["buy_orders"].as_array().unwrap();
            assert!(orders.len() <= limit as usize);
            ids.extend(
                orders
                    .iter()
                    .map(|o| Uuid::parse_str(o["id"].as_str().unwrap()).unwrap()),
            );
            between();
            if !page["has_more"].as_bool().unwrap() {
                return ids;
            }
            query = format!(
                "?limit={limit}&last_reference={}",
                page["last_reference"].as_str().unwrap()
            );
        }
    }
}

/// A read-model row.
#[derive(Debug, Clone)]
pub struct Row {
    pub id: Uuid,
    pub created_at: DateTime<Utc>,
}

/// Inserts orders with the given creation times (random ids); returns them.
pub fn insert_orders(conn: &mut PgConnection, times: &[DateTime<Utc>]) -> Vec<Row> {
    let rows: Vec<Row> = times
        .iter()
        .map(|&created_at| Row {
            id: Uuid::new_v4(),
            created_at,
        })
        .collect();
    for chunk in rows.chunks(500) {
        let values: Vec<_> = chunk
            .iter()
            .map(|row| {
                (
                    buy_orders::id.eq(row.id),
                    buy_orders::currency.eq("EUR"),
                    buy_orders::amount.eq(Decimal::from_str("100.50").unwrap()),
                    buy_orders::exchange_rate.eq(Decimal::from_str("38123.45").unwrap()),
                    buy_orders::bitcoin_amount.eq(Decimal::from_str("0.00263617").unwrap()),
                    buy_orders::created_at.eq(row.created_at),
                )
            })
            .collect();
        diesel::insert_into(buy_orders::table)
            .values(values)
            .execute(conn)
            .unwrap();
    }
    rows
}

/// Ids in listing order: created_at descending, then id descending.
pub fn newest_first(rows: &[Row]) -> Vec<Uuid> {
    let mut sorted = rows.to_vec();
    sorted.sort_by_key(|row| std::cmp::Reverse((row.created_at, row.id)));
    sorted.into_iter().map(|row| row.id).collect()
}
