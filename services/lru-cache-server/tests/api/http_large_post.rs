//! `POST /api/storage/` with a large body: linear in its pairs, and RESP clients are served
//! while it is stored (it locks one shard at a time).

use std::time::{Duration, Instant};

use redis::AsyncCommands;

use crate::helpers::spawn_app;

const PAIRS: usize = 100_000;

#[tokio::test]
async fn a_large_post_is_stored_whole_while_other_clients_are_served() {
    let app = spawn_app().await;
    // Every key appears twice: the second value wins and each key is listed once.
    let mut body = String::new();
    for round in 0..2 {
        for i in 0..PAIRS / 2 {
            if !body.is_empty() {
                body.push('&');
            }
            body.push_str(&format!("bulk{i}=v{round}"));
        }
    }
    let mut redis = app.redis().await;
    let () = redis.set("other", "x").await.expect("SET");

    let started = Instant::now();
    let post = {
        let (http, url) = (app.http.clone(), app.url("/api/storage/"));
        tokio::spawn(async move {
            http.post(url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body)
                .send()
                .await
        })
    };
    let (mut served, mut slowest) = (0u32, Duration::ZERO);
    while !post.is_finished() {
        let asked = Instant::now();
        let value: Option<String> = redis.get("other").await.expect("GET");
        slowest = slowest.max(asked.elapsed());
        assert_eq!(value.as_deref(), Some("x"));
        served += 1;
    }
    let response = post
        .await
        .expect("the POST task")
        .expect("the POST is answered");
    // Quadratic work (the old de-duplication of the key list) took minutes for this body.
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(response.status(), 201);
    let stored: serde_json::Value = response.json().await.expect("JSON");
    let keys = stored["stored"].as_array().expect("stored keys");
    assert_eq!(keys.len(), PAIRS / 2);
    assert_eq!(keys[0], "bulk0");
    assert!(served > 0, "the RESP client was served while the POST ran");
    assert!(slowest < Duration::from_secs(2), "a GET waited {slowest:?}");
    let size: usize = redis::cmd("DBSIZE")
        .query_async(&mut redis)
        .await
        .expect("DBSIZE");
    assert_eq!(size, PAIRS / 2 + 1);
    let last: Option<String> = redis
        .get(format!("bulk{}", PAIRS / 2 - 1))
        .await
        .expect("GET");
    assert_eq!(last.as_deref(), Some("v1"));
}
