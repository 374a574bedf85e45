//! `spawn_app()`: the service in-process on port 0 over a fresh database.

use diesel::{RunQueryDsl, sql_query};
use sequence::{config::Config, startup::Application};
use std::sync::Arc;
use store::Database;
use test_support::TestDatabase;
use tokio_util::sync::CancellationToken;

/// A running instance of the service and the database it uses.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub database: Arc<TestDatabase>,
    shutdown: CancellationToken,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// Starts the service on a fresh clone of the migrated sequence database.
pub async fn spawn_app() -> TestApp {
    spawn_app_on(Arc::new(TestDatabase::migrated(Database::Sequence))).await
}

/// Starts another instance of the service on `database` (a second replica).
pub async fn spawn_app_on(database: Arc<TestDatabase>) -> TestApp {
    let url = database.url().to_owned();
    spawn_app_with_url(database, &url).await
}

/// Starts the service on `database`, reached through `url` (for example via a proxy).
pub async fn spawn_app_with_url(database: Arc<TestDatabase>, url: &str) -> TestApp {
    spawn_app_with_vars(database, url, &[]).await
}

/// As [`spawn_app_with_url`], with `extra` variables (access control) added.
pub async fn spawn_app_with_vars(
    database: Arc<TestDatabase>,
    url: &str,
    extra: &[(&str, &str)],
) -> TestApp {
    telemetry::init_for_tests();
    let vars = [
        ("SEQUENCE_DATABASE_URL", url),
        ("HTTP_PORT", "0"),
        ("DATABASE_POOL_SIZE", "8"),
    ];
    let config: Config = env_config::from_iter(
        vars.iter()
            .chain(extra)
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    )
    .unwrap();
    let shutdown = CancellationToken::new();
    let app = Application::build(config, shutdown.clone()).await.unwrap();
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        client: reqwest::Client::new(),
        database,
        shutdown,
    }
}

impl TestApp {
    /// `GET {path}`.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .unwrap()
    }

    /// `GET /v2/{direction}?count=N` as numbers, asserting 200.
    pub async fn batch(&self, direction: &str, count: u32) -> Vec<i64> {
        let response = self.get(&format!("/v2/{direction}?count={count}")).await;
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    /// Moves `sequence` so that its next value is the one after `value` (`setval`).
    pub fn set_sequence(&self, sequence: &str, value: i64) {
        let mut conn = self.database.connect();
        sql_query(format!("SELECT setval('{sequence}', {value})"))
            .execute(&mut conn)
            .unwrap();
    }
}
