//! Serve mode: `/status`, readiness while a database comes and goes, graceful SIGTERM.

use crate::helpers::{Targets, command};
use migration::{runner::migrate_all, startup::Application};
use serde_json::Value;
use std::time::Duration;
use store::Database;
use test_support::{TcpProxy, database_address, eventually, via_port};
use tokio_util::sync::CancellationToken;

async fn spawn(targets: Vec<(Database, String)>) -> (String, CancellationToken) {
    let token = CancellationToken::new();
    let app =
        Application::build(&http(), targets, http_kit::Access::open(), token.clone()).unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    (base, token)
}

#[tokio::test]
async fn status_lists_applied_and_pending_versions_per_database() {
    let targets = Targets::not_created();
    let urls = targets.urls();
    let for_migrate = urls.clone();
    tokio::task::spawn_blocking(move || migrate_all(&for_migrate[..1]))
        .await
        .unwrap();
    let (base, token) = spawn(urls).await;

    let body: Value = reqwest::get(format!("{base}/status"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    assert_eq!(body["up_to_date"], false);
    let databases = body["databases"].as_array().unwrap();
    assert_eq!(databases.len(), 5);
    assert_eq!(databases[0]["database"], "write");
    assert_eq!(databases[0]["up_to_date"], true);
    assert_eq!(
        databases[0]["applied"].as_array().unwrap().len(),
        Database::Write.versions().len()
    );
    assert_eq!(databases[1]["database"], "read");
    assert_eq!(
        databases[1]["up_to_date"], false,
        "read was never created: {body}"
    );
    token.cancel();
}

#[tokio::test]
async fn readiness_is_503_while_the_database_is_unreachable_and_200_once_it_is_back() {
    let targets = Targets::not_created();
    let urls = targets.urls();
    let for_migrate = urls.clone();
    let outcomes = tokio::task::spawn_blocking(move || migrate_all(&for_migrate))
        .await
        .unwrap();
    assert!(outcomes.iter().all(|o| o.error.is_none()));
    let proxy = TcpProxy::start(&database_address());
    let proxied: Vec<_> = urls
        .into_iter()
        .map(|(d, url)| (d, via_port(&url, proxy.port())))
        .collect();
    let (base, token) = spawn(proxied).await;
    let client = reqwest::Client::new();
    let ready = |client: &reqwest::Client| client.get(format!("{base}/health/ready")).send();
    assert_eq!(ready(&client).await.unwrap().status(), 200);

    proxy.cut();
    let response = ready(&client).await.unwrap();
    assert_eq!(response.status(), 503);
    assert!(response.headers().contains_key("retry-after"));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_ready");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("write"),
        "{body}"
    );

    proxy.restore();
    eventually("readiness to recover", Duration::from_secs(10), || async {
        ready(&client)
            .await
            .ok()
            .filter(|r| r.status() == 200)
            .map(|_| ())
    })
    .await;
    token.cancel();
}

#[tokio::test]
async fn the_serving_binary_stops_cleanly_on_sigterm() {
    let targets = Targets::not_created();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut env = targets.env();
    env.push(("MIGRATION_SERVE".into(), "true".into()));
    env.push(("HTTP_PORT".into(), port.to_string()));
    let mut child = command(&env)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    test_support::wait_until_ready(&base, Duration::from_secs(30)).await;

    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());

    let status = eventually("the process to exit", Duration::from_secs(10), || {
        let exited = child.try_wait().unwrap();
        async move { exited }
    })
    .await;
    assert!(status.success(), "{status:?}");
}

/// The status server's settings, on a free port.
fn http() -> env_config::HttpSettings<8781> {
    env_config::HttpSettings {
        port: 0,
        ..Default::default()
    }
}
