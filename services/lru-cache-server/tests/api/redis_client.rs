//! The `redis` crate, a real client library, against the server.

use std::time::Duration;

use redis::AsyncCommands;

use crate::helpers::{eventually, spawn_app};

#[tokio::test]
async fn the_redis_crate_sets_gets_and_mgets() {
    let app = spawn_app().await;
    let mut con = app.redis().await;
    let () = con.set("a", "1").await.unwrap();
    let () = con.set("b", "2").await.unwrap();
    let a: String = con.get("a").await.unwrap();
    let missing: Option<String> = con.get("nope").await.unwrap();
    let all: Vec<Option<String>> = con.mget(&["a", "nope", "b"]).await.unwrap();
    assert_eq!(a, "1");
    assert_eq!(missing, None);
    assert_eq!(all, [Some("1".into()), None, Some("2".into())]);
}

#[tokio::test]
async fn a_key_set_with_px_through_the_redis_crate_expires() {
    let app = spawn_app().await;
    let mut con = app.redis().await;
    let () = redis::cmd("SET")
        .arg("t")
        .arg("v")
        .arg("PX")
        .arg(60)
        .query_async(&mut con)
        .await
        .unwrap();
    let now: Option<String> = con.get("t").await.unwrap();
    assert_eq!(now.as_deref(), Some("v"));
    let gone = eventually(Duration::from_secs(3), || {
        let mut con = con.clone();
        async move { con.get::<_, Option<String>>("t").await.unwrap().is_none() }
    })
    .await;
    assert!(gone, "the key outlived its PX");
}

#[tokio::test]
async fn set_ex_through_the_redis_crate_keeps_the_key_until_its_ttl() {
    let app = spawn_app().await;
    let mut con = app.redis().await;
    let () = con.set_ex("t", "v", 100).await.unwrap();
    let exists: bool = con.exists("t").await.unwrap();
    assert!(exists);
}

#[tokio::test]
async fn the_redis_crate_pipelines_incr_and_del() {
    let app = spawn_app().await;
    let mut con = app.redis().await;
    let (one, two, deleted, after): (i64, i64, i64, Option<i64>) = redis::pipe()
        .incr("n", 1)
        .incr("n", 1)
        .del("n")
        .get("n")
        .query_async(&mut con)
        .await
        .unwrap();
    assert_eq!((one, two, deleted, after), (1, 2, 1, None));
}

#[tokio::test]
async fn the_redis_crate_sees_server_errors_as_errors() {
    let app = spawn_app().await;
    let mut con = app.redis().await;
    let () = con.set("s", "text").await.unwrap();
    let error = con.incr::<_, _, i64>("s", 1).await.unwrap_err();
    assert!(error.to_string().contains("not an integer"), "{error}");
    let size: i64 = redis::cmd("DBSIZE").query_async(&mut con).await.unwrap();
    assert_eq!(size, 1);
}

#[tokio::test]
async fn expire_through_the_redis_crate_sets_a_ttl_and_the_key_then_disappears() {
    let app = spawn_app().await;
    let mut con = app.redis().await;
    let () = con.set("k", "v").await.unwrap();
    let set: bool = con.expire("k", 100).await.unwrap();
    let ttl: i64 = con.ttl("k").await.unwrap();
    assert!(set);
    assert_eq!(ttl, 100);
    let _: bool = con.pexpire("k", 40).await.unwrap();
    let gone = eventually(Duration::from_secs(3), || {
        let mut con = con.clone();
        async move { !con.exists::<_, bool>("k").await.unwrap() }
    })
    .await;
    assert!(gone, "the key outlived its PEXPIRE");
}
