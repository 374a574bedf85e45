//! AUTH, HELLO .. AUTH and ACL users (SPEC §11): replies compared with a private redis-server
//! 7 that this test starts on the same ACL file, every command refused before AUTH, key
//! patterns, and redis-py authenticating with `CACHE_PASSWORD`.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use lru_cache_server::cmd::COMMANDS;
use tokio::net::TcpStream;

use crate::helpers::{command, eventually, spawn_app_with, text};
use crate::redis_py::run_python;
use crate::resp_reader::send_and_read;

/// SHA-256 of `secret`.
const SECRET_HASH: &str = "2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b";

/// An ACL file both servers read: a default user with a password, and `app`, limited to
/// reads and SET on `app:*`.
fn acl_file() -> std::path::PathBuf {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("acl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("users.acl");
    let users = format!(
        "user default on #{SECRET_HASH} ~* &* +@all\nuser app on #{SECRET_HASH} ~app:* +@read +set\n"
    );
    std::fs::write(&path, users).expect("ACL file written");
    path
}

/// A redis-server of this test's own, killed on drop.
struct PrivateRedis {
    child: Child,
    port: u16,
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn private_redis(acl: &std::path::Path) -> PrivateRedis {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let dir = acl.parent().expect("the file has a folder");
    let child = Command::new("redis-server")
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
        ])
        .args(["--appendonly", "no", "--dir"])
        .arg(dir)
        .arg("--aclfile")
        .arg(acl)
        .stdout(Stdio::null())
        .spawn()
        .expect("redis-server runs");
    let up = eventually(Duration::from_secs(5), || async move {
        TcpStream::connect(("127.0.0.1", port)).await.is_ok()
    })
    .await;
    assert!(up, "the private redis-server listens");
    PrivateRedis { child, port }
}

#[tokio::test]
async fn auth_and_acl_replies_match_redis_server_on_the_same_acl_file() {
    let acl = acl_file();
    let redis = private_redis(&acl).await;
    let path = acl.to_str().expect("UTF-8 path");
    let app = spawn_app_with(&[("CACHE_USERS_FILE", path)]).await;
    let requests: Vec<Vec<u8>> = [
        &[&b"GET"[..], b"a"][..],
        &[b"FOO"],
        &[b"GET"],
        &[b"PING"],
        &[b"HELLO", b"3"],
        &[b"MULTI"],
        &[b"EXEC"],
        &[b"AUTH", b"wrong"],
        &[b"AUTH", b"app", b"wrong"],
        &[b"AUTH", b"nouser", b"secret"],
        &[b"HELLO", b"3", b"AUTH", b"app", b"wrong"],
        &[b"AUTH", b"app", b"secret"],
        &[b"GET", b"other"],
        &[b"GET", b"app:1"],
        &[b"SET", b"app:1", b"v"],
        &[b"SET", b"other", b"v"],
        &[b"DEL", b"app:1"],
        &[b"MGET", b"app:1", b"other"],
        &[b"MGET", b"app:1", b"app:2"],
        &[b"MULTI"],
        &[b"EXEC"],
        &[b"AUTH", b"a", b"b", b"c"],
        &[b"AUTH", b"secret"],
        &[b"GET", b"other"],
        &[b"DEL", b"app:1"],
        &[b"QUIT"],
    ]
    .iter()
    .map(|args| command(args))
    .collect();
    let mut ours = app.connect().await;
    let mut theirs = TcpStream::connect(("127.0.0.1", redis.port))
        .await
        .expect("connects");
    for request in &requests {
        let a = text(&send_and_read(&mut ours, request, 1).await);
        let b = text(&send_and_read(&mut theirs, request, 1).await);
        assert_eq!(a, b, "reply to {:?}", text(request));
    }
}

#[tokio::test]
async fn every_command_is_refused_before_auth_with_redis_error() {
    let app = spawn_app_with(&[("CACHE_PASSWORD", "secret")]).await;
    let mut stream = app.connect().await;
    for spec in COMMANDS.iter().filter(|spec| spec.name != "quit") {
        let argc = usize::try_from(spec.arity.unsigned_abs()).expect("small");
        let mut args: Vec<&[u8]> = vec![spec.name.as_bytes()];
        args.extend(std::iter::repeat_n(&b"x"[..], argc.saturating_sub(1)));
        let reply = text(&send_and_read(&mut stream, &command(&args), 1).await);
        let expected = match spec.name {
            "auth" => "-WRONGPASS invalid username-password pair or user is disabled.\r\n",
            "hello" => {
                "-NOAUTH HELLO must be called with the client already authenticated, otherwise \
                 the HELLO AUTH <user> <pass> option can be used to authenticate the \
                 client and select the RESP protocol version at the same time\r\n"
            }
            "exec" => {
                "-EXECABORT Transaction discarded because of: NOAUTH Authentication required.\r\n"
            }
            _ => "-NOAUTH Authentication required.\r\n",
        };
        assert_eq!(reply, expected, "{}", spec.name);
    }
    let ok = send_and_read(&mut stream, &command(&[b"AUTH", b"secret"]), 1).await;
    assert_eq!(text(&ok), "+OK\r\n");
    let size = send_and_read(&mut stream, &command(&[b"DBSIZE"]), 1).await;
    assert_eq!(text(&size), ":0\r\n");
}

#[tokio::test]
async fn a_user_limited_to_app_keys_cannot_read_other_keys() {
    let acl = acl_file();
    let path = acl.to_str().expect("UTF-8 path");
    let app = spawn_app_with(&[("CACHE_USERS_FILE", path)]).await;
    let mut admin = app.connect().await;
    let setup = [
        command(&[b"AUTH", b"default", b"secret"]),
        command(&[b"MSET", b"other", b"secret data", b"app:1", b"mine"]),
    ]
    .concat();
    assert_eq!(
        text(&send_and_read(&mut admin, &setup, 2).await),
        "+OK\r\n+OK\r\n"
    );
    let mut app_user = app.connect().await;
    let reads = [
        command(&[b"HELLO", b"3", b"AUTH", b"app", b"secret"]),
        command(&[b"GET", b"app:1"]),
        command(&[b"GET", b"other"]),
        command(&[b"MGET", b"app:1", b"other"]),
    ]
    .concat();
    let reply = text(&send_and_read(&mut app_user, &reads, 4).await);
    let denied =
        "-NOPERM this user has no permissions to access one of the keys used as arguments\r\n";
    assert!(reply.contains("proto\r\n:3\r\n"), "{reply}");
    assert!(
        reply.ends_with(&format!("$4\r\nmine\r\n{denied}{denied}")),
        "{reply}"
    );
    assert!(!reply.contains("secret data"), "{reply}");
}

#[tokio::test]
async fn redis_py_authenticates_with_the_password_and_is_refused_without_it() {
    let app = spawn_app_with(&[("CACHE_PASSWORD", "s3cret pass")]).await;
    let script = r#"
import os, redis
port = int(os.environ["PORT"])
for protocol in (3, 2):
    r = redis.Redis(port=port, password="s3cret pass", protocol=protocol)
    assert r.set("k", "v") and r.get("k") == b"v"
try:
    redis.Redis(port=port, password="wrong").ping()
    raise SystemExit("a wrong password was accepted")
except redis.exceptions.AuthenticationError as e:
    print("wrong:", e)
try:
    redis.Redis(port=port, protocol=2).get("k")
    raise SystemExit("no password was accepted")
except redis.exceptions.AuthenticationError as e:
    print("none:", e)
"#;
    let out = run_python(app.resp_port, script.to_owned()).await;
    assert!(
        out.contains("wrong: invalid username-password pair or user is disabled."),
        "{out}"
    );
    assert!(out.contains("none: Authentication required."), "{out}");
}
