//! Django's and Flask-Caching's Redis cache backends, at their current releases (installed
//! unpinned into a venv this test creates under the target directory), through every call of
//! their cache API against a server started here (`tests/python/cache_backends.py`).
//!
//! Each runs with redis-py's `protocol=2` and with RESP3 (`protocol=3`, redis-py 8's default,
//! `HELLO 3`); every call must pass in both (Django's `set_many` is a MULTI/EXEC pipeline).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::helpers::spawn_app;

/// Creates (once) and upgrades the venv with the current releases of `packages`.
fn venv(name: &str, packages: &[&str]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let python = dir.join("bin/python");
    if !python.exists() {
        let made = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&dir)
            .status()
            .expect("python3 runs");
        assert!(made.success(), "python3 -m venv {}", dir.display());
    }
    let installed = Command::new(dir.join("bin/pip"))
        .args([
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--upgrade",
        ])
        .args(packages)
        .status()
        .expect("pip runs");
    assert!(installed.success(), "pip install {packages:?}");
    python
}

/// Runs the script; the calls that failed, with their details.
fn failures(python: &Path, framework: &str, port: u16, protocol: u8) -> Vec<(String, String)> {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/python/cache_backends.py"
    );
    let output = Command::new(python)
        .arg(script)
        .args([framework, &port.to_string(), &protocol.to_string()])
        .output()
        .expect("the script runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{framework} protocol {protocol}: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object per line"))
        .collect();
    assert!(lines.len() >= 11, "every call reported: {stdout}");
    lines
        .into_iter()
        .filter(|line| line["ok"] != true)
        .map(|line| {
            (
                line["call"].as_str().unwrap_or("").to_owned(),
                line["detail"].to_string(),
            )
        })
        .collect()
}

/// Every cache call of `framework` passes, with redis-py's RESP2 (`protocol=2`) and its default
/// RESP3 (`HELLO 3`).
async fn backend_passes(framework: &str, packages: &'static [&'static str]) {
    let name = format!("cache-backends-{framework}");
    let python = tokio::task::spawn_blocking(move || venv(&name, packages))
        .await
        .expect("venv setup");
    let versions = Command::new(&python)
        .args(["-m", "pip", "list", "--disable-pip-version-check"])
        .output()
        .expect("pip list");
    eprintln!("{}", String::from_utf8_lossy(&versions.stdout));

    let app = spawn_app().await;
    for protocol in [2u8, 3] {
        let (python, name, port) = (python.clone(), framework.to_owned(), app.resp_port);
        let failed = tokio::task::spawn_blocking(move || failures(&python, &name, port, protocol))
            .await
            .expect("the script ran");
        assert!(
            failed.is_empty(),
            "{framework} protocol {protocol}: {failed:?}"
        );
    }
}

#[tokio::test]
async fn djangos_redis_cache_passes_every_call_of_its_api() {
    backend_passes("django", &["django", "redis"]).await;
}

#[tokio::test]
async fn flask_cachings_redis_cache_passes_every_call_of_its_api() {
    backend_passes("flask", &["flask-caching", "redis"]).await;
}
