//! Per-test databases and running the `migration` binary against them.

use diesel::{PgConnection, RunQueryDsl, sql_query};
use std::process::{Command, Output};
use store::Database;
use test_support::TestDatabase;

/// Five not-yet-created databases, one per kind, dropped with the value.
pub struct Targets {
    pub databases: Vec<(Database, TestDatabase)>,
}

impl Targets {
    pub fn not_created() -> Self {
        let databases = Database::ALL
            .into_iter()
            .map(|d| (d, TestDatabase::not_created(d.name())))
            .collect();
        Self { databases }
    }

    pub fn urls(&self) -> Vec<(Database, String)> {
        self.databases
            .iter()
            .map(|(d, db)| (*d, db.url().to_owned()))
            .collect()
    }

    pub fn env(&self) -> Vec<(String, String)> {
        self.databases
            .iter()
            .map(|(d, db)| (d.env_var().to_owned(), db.url().to_owned()))
            .collect()
    }

    pub fn get(&self, database: Database) -> &TestDatabase {
        &self
            .databases
            .iter()
            .find(|(d, _)| *d == database)
            .expect("every kind is present")
            .1
    }
}

/// The `migration` command with `env` and JSON logs.
pub fn command(env: &[(String, String)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_migration"));
    command
        .env("LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .envs(env.iter().cloned());
    command
}

/// Starts `runs` migrations at once (all spawned before any is waited for, so they overlap)
/// and asserts that every one of them succeeded.
pub fn run_at_once(env: &[(String, String)], runs: usize) {
    let children: Vec<_> = (0..runs)
        .map(|_| {
            command(env)
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "stderr: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

pub fn run(env: &[(String, String)]) -> Output {
    command(env).output().expect("the migration binary runs")
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

pub fn count(conn: &mut PgConnection, sql: &str) -> i64 {
    sql_query(sql)
        .get_result::<Count>(conn)
        .map(|c| c.n)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// How many tables named `table` exist in the public schema.
pub fn table_exists(conn: &mut PgConnection, table: &str) -> bool {
    count(
        conn,
        &format!(
            "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name = '{table}'"
        ),
    ) == 1
}
