//! redis-py at its current release (installed unpinned into a venv this test creates under
//! the target directory) with its defaults (RESP3, `HELLO 3` at connect) and with
//! `protocol=2`.

use std::path::PathBuf;
use std::process::Command;

use crate::helpers::{spawn_app, text};

/// A venv with the current redis-py, made once per target directory: built under a temporary
/// name and renamed into place, so test processes running at once never share a half-made one.
pub fn python_with_redis_py() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let venv = root.join("redis-py-venv");
    let python = venv.join("bin/python");
    if python.exists() {
        return python;
    }
    let building = root.join(format!("redis-py-venv.{}", std::process::id()));
    let run = |cmd: &mut Command| {
        let out = cmd.output().expect("python3 runs");
        assert!(out.status.success(), "{cmd:?}: {}", text(&out.stderr));
    };
    run(Command::new("python3").arg("-m").arg("venv").arg(&building));
    run(Command::new(building.join("bin/pip")).args(["install", "-q", "redis"]));
    // venv scripts hold their own path, so the venv is used from where it was made; the
    // rename only publishes it.
    if std::fs::rename(&building, &venv).is_err() {
        // Another process published one first.
        let _ = std::fs::remove_dir_all(&building);
    }
    if python.exists() {
        python
    } else {
        building.join("bin/python")
    }
}

/// Runs a Python script with `PORT` set to the server's RESP port; returns its stdout.
pub async fn run_python(port: u16, script: String) -> String {
    let out = tokio::task::spawn_blocking(move || {
        let python = python_with_redis_py();
        Command::new(python)
            .arg("-c")
            .arg(script)
            .env("PORT", port.to_string())
            .output()
            .expect("the venv's python runs")
    })
    .await
    .expect("joined");
    assert!(
        out.status.success(),
        "stdout: {}\nstderr: {}",
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// The calls both tests make, then the protocol the connection negotiated.
const CALLS: &str = r#"
import os, redis
def check(r):
    assert r.ping() is True
    assert r.set("k", "v") is True
    assert r.get("k") == b"v"
    assert r.get("missing") is None
    assert r.mget("k", "missing") == [b"v", None]
    assert r.set("k", "w", nx=True) is None
    assert r.incr("n", 3) == 3
    assert r.config_get("maxmemory-policy") == {"maxmemory-policy": "allkeys-lru"}, r.config_get("maxmemory-policy")
    assert r.info("keyspace")["db0"]["keys"] == 2
    assert r.client_setname("py") is True and r.client_getname() in ("py", b"py")
    pipe = r.pipeline()  # MULTI/EXEC
    pipe.set("a", 1).incr("a").get("a")
    assert pipe.execute() == [True, 2, b"2"]
    assert r.delete("k", "n", "a") == 3
    other = redis.Redis(port=r.connection_pool.connection_kwargs["port"])
    with r.pipeline() as watched:
        watched.watch("w")
        other.set("w", "changed")
        watched.multi()
        watched.set("w", "mine")
        try:
            watched.execute()
            raise SystemExit("EXEC ran although a watched key was written")
        except redis.WatchError:
            pass
    assert r.get("w") == b"changed"
    r.delete("w")
    conn = r.connection_pool.get_connection()
    print(f"proto {conn.protocol}, redis-py {redis.__version__} ok")
"#;

#[tokio::test]
async fn redis_py_with_its_defaults_speaks_resp3_and_works() {
    let app = spawn_app().await;
    let script = format!("{CALLS}\ncheck(redis.Redis(port=int(os.environ['PORT'])))\n");
    let out = run_python(app.resp_port, script).await;
    assert!(out.starts_with("proto 3, redis-py "), "{out}");
}

#[tokio::test]
async fn redis_py_with_protocol_2_works() {
    let app = spawn_app().await;
    let script = format!("{CALLS}\ncheck(redis.Redis(port=int(os.environ['PORT']), protocol=2))\n");
    let out = run_python(app.resp_port, script).await;
    assert!(out.starts_with("proto 2, redis-py "), "{out}");
}
