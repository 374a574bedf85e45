//! Two instances behind twemproxy (Debian's `nutcracker`, which speaks RESP2 only), used by
//! redis-py with `protocol=2`: keys spread over both and every one reads back.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tokio::net::TcpStream;

use crate::helpers::{TestApp, command, eventually, spawn_app, text};
use crate::redis_py::run_python;

/// A nutcracker process of this test's own, killed on drop.
struct Proxy(Child);

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn redis_py_through_twemproxy_spreads_keys_over_two_instances() {
    let (one, two) = (spawn_app().await, spawn_app().await);
    let free_port = || {
        std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port()
    };
    let (port, stats_port) = (free_port(), free_port());
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("twemproxy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let conf = dir.join("nutcracker.yml");
    let yaml = format!(
        "cache:\n  listen: 127.0.0.1:{port}\n  hash: fnv1a_64\n  distribution: ketama\n  \
         redis: true\n  auto_eject_hosts: false\n  servers:\n   - 127.0.0.1:{}:1 one\n   - \
         127.0.0.1:{}:1 two\n",
        one.resp_port, two.resp_port
    );
    std::fs::write(&conf, yaml).expect("config written");
    let child = Command::new("nutcracker")
        .arg("-c")
        .arg(&conf)
        .arg("-o")
        .arg(dir.join("nutcracker.log"))
        .args(["-a", "127.0.0.1", "-s", &stats_port.to_string()])
        .stdout(Stdio::null())
        .spawn()
        .expect("nutcracker runs (apt-get install nutcracker)");
    let _proxy = Proxy(child);
    let up = eventually(Duration::from_secs(5), || async move {
        TcpStream::connect(("127.0.0.1", port)).await.is_ok()
    })
    .await;
    assert!(up, "twemproxy listens");
    // twemproxy closes a connection on a command it does not proxy, such as redis-py's
    // CLIENT SETINFO at connect; `driver_info=None` leaves that out.
    let script = r#"
import os, redis
r = redis.Redis(port=int(os.environ["PORT"]), protocol=2, driver_info=None)
for i in range(200):
    assert r.set(f"key:{i}", f"value:{i}") is True
assert [r.get(f"key:{i}") for i in range(200)] == [f"value:{i}".encode() for i in range(200)]
assert r.mget("key:1", "key:2", "missing") == [b"value:1", b"value:2", None]
pipe = r.pipeline(transaction=False)
for i in range(10):
    pipe.incr(f"n:{i}")
assert pipe.execute() == [1] * 10
assert r.delete("key:0") == 1 and r.get("key:0") is None
print("ok")
"#;
    let out = run_python(port, script.to_owned()).await;
    assert_eq!(out.trim(), "ok");
    let (a, b) = (dbsize(&one).await, dbsize(&two).await);
    assert_eq!(a + b, 209, "keys on the instances: {a} + {b}");
    assert!(a > 20 && b > 20, "keys are spread over both: {a} and {b}");
}

async fn dbsize(app: &TestApp) -> u64 {
    let reply = text(&app.exchange(&command(&[b"DBSIZE"])).await);
    reply
        .trim_start_matches(':')
        .trim()
        .parse()
        .expect("an integer")
}
