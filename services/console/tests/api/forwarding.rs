//! The API forwards to the services with the console's key, answers as they did, and never
//! shows the key (or the cache's password) to the caller.

use crate::helpers::{spawn_cache, spawn_console};
use serde_json::{Value, json};
use test_support::access::{FULL_KEY, api_keys};

const PASSWORD: &str = "cache-pass-s3cret-71";

/// The response's status, its headers as text and its body as JSON, after checking that no
/// secret is in any of them.
async fn read(response: reqwest::Response) -> (u16, String, Value) {
    let status = response.status().as_u16();
    let headers = format!("{:?}", response.headers());
    let text = response.text().await.unwrap();
    for secret in [FULL_KEY, PASSWORD] {
        assert!(
            !headers.contains(secret) && !text.contains(secret),
            "a secret reached the caller: {headers} {text}"
        );
    }
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, headers, body)
}

#[tokio::test]
async fn the_cache_is_driven_through_the_console_with_its_key_which_never_reaches_a_response() {
    let cache = spawn_cache(&[
        ("API_KEYS", api_keys("cache:read,cache:write")),
        ("CACHE_PASSWORD", PASSWORD.to_owned()),
    ])
    .await;
    let console = spawn_console(&[
        ("CONSOLE_API_KEY", FULL_KEY.to_owned()),
        ("LRU_CACHE_SERVER_URL", cache.http.clone()),
        ("CACHE_RESP_ADDRESS", cache.resp.clone()),
        ("CACHE_PASSWORD", PASSWORD.to_owned()),
    ])
    .await;
    let http = reqwest::Client::new();
    let api = |path: &str| format!("{}/api/{path}", console.address);

    let (status, _, body) = read(
        http.post(api("cache"))
            .json(&json!({"greeting": "hello"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let (status, _, body) = read(http.get(api("cache?key=greeting")).send().await.unwrap()).await;
    assert_eq!((status, &body["value"]), (200, &json!("hello")), "{body}");
    let (status, _, info) = read(http.get(api("cache/info")).send().await.unwrap()).await;
    assert_eq!(status, 200, "{info}");
    assert_eq!(
        (info["keys"].as_u64(), info["hits"].as_u64()),
        (Some(1), Some(1)),
        "{info}"
    );

    let (status, _, _) = read(http.delete(api("cache?key=greeting")).send().await.unwrap()).await;
    assert!((200..300).contains(&status), "{status}");
    let (status, _, body) = read(http.get(api("cache?key=greeting")).send().await.unwrap()).await;
    assert_eq!(status, 404, "the service's own 404 envelope: {body}");
    assert!(body["error"]["message"].is_string(), "{body}");
    let (_, _, info) = read(http.get(api("cache/info")).send().await.unwrap()).await;
    assert_eq!(info["misses"].as_u64(), Some(1), "{info}");

    // A caller's own Authorization header is not what the console sends on.
    let (status, _, _) = read(
        http.get(api("cache?key=x"))
            .bearer_auth("someone-elses-key")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn without_its_key_the_console_passes_the_services_refusal_on() {
    let cache = spawn_cache(&[("API_KEYS", api_keys("cache:read"))]).await;
    let console = spawn_console(&[("LRU_CACHE_SERVER_URL", cache.http.clone())]).await;
    let (status, headers, body) = read(
        reqwest::get(format!("{}/api/cache?key=k", console.address))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"]["code"], "unauthorized");
    assert!(
        !headers.to_lowercase().contains("www-authenticate"),
        "no browser login prompt for the service's key: {headers}"
    );
    // A wrong cache password is the cache's refusal, shown as a 503 with the reason.
    let guarded = spawn_cache(&[("CACHE_PASSWORD", PASSWORD.to_owned())]).await;
    let console = spawn_console(&[
        ("CACHE_RESP_ADDRESS", guarded.resp.clone()),
        ("CACHE_PASSWORD", "wrong".to_owned()),
    ])
    .await;
    let (status, _, body) = read(
        reqwest::get(format!("{}/api/cache/info", console.address))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 503, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("WRONGPASS"),
        "{body}"
    );
}

#[tokio::test]
async fn a_service_that_is_down_is_a_503_naming_it_and_health_says_which_and_why() {
    let cache = spawn_cache(&[]).await;
    let console = spawn_console(&[("LRU_CACHE_SERVER_URL", cache.http.clone())]).await;
    let response = reqwest::get(format!("{}/api/sequence/forward?count=2", console.address))
        .await
        .unwrap();
    assert_eq!(response.status(), 503);
    assert!(response.headers().contains_key("retry-after"));
    let (_, _, body) = read(response).await;
    assert_eq!(body["error"]["code"], "sequence_unavailable", "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("sequence")
    );

    let (status, _, health) = read(
        reqwest::get(format!("{}/api/health", console.address))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    let services = health["services"].as_array().unwrap();
    assert_eq!(services.len(), 8, "{health}");
    for service in services {
        if service["name"] == "lru-cache-server" {
            assert_eq!(service["ready"], true, "{service}");
        } else {
            assert_eq!(service["ready"], false, "{service}");
            assert!(
                service["reason"]
                    .as_str()
                    .unwrap()
                    .contains("not reachable"),
                "{service}"
            );
        }
    }
}

#[tokio::test]
async fn path_segments_that_could_leave_their_route_are_refused_before_any_call() {
    let console = spawn_console(&[]).await;
    let http = reqwest::Client::new();
    for (request, field) in [
        (
            http.get(format!("{}/api/events/a.b", console.address)),
            "client",
        ),
        (
            http.post(format!(
                "{}/api/events/ok/..%2F..%2Fx/send",
                console.address
            )),
            "event",
        ),
        (
            http.get(format!("{}/api/sequence/sideways", console.address)),
            "direction",
        ),
        (
            http.delete(format!("{}/api/pairs/US%2FD/EUR", console.address)),
            "base",
        ),
        (
            http.get(format!("{}/api/live/events/a%20b", console.address)),
            "client",
        ),
    ] {
        let (status, _, body) = read(request.send().await.unwrap()).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["error"]["field"], field, "{body}");
    }
}

#[tokio::test]
async fn a_service_behind_a_hung_link_is_a_503_at_the_console_deadline_not_a_hang() {
    let cache = spawn_cache(&[]).await;
    let http_link = test_support::TcpProxy::start(cache.http.trim_start_matches("http://"));
    let resp_link = test_support::TcpProxy::start(&cache.resp);
    let console = spawn_console(&[
        ("CONSOLE_UPSTREAM_TIMEOUT_MS", "500".to_owned()),
        (
            "LRU_CACHE_SERVER_URL",
            format!("http://127.0.0.1:{}", http_link.port()),
        ),
        (
            "CACHE_RESP_ADDRESS",
            format!("127.0.0.1:{}", resp_link.port()),
        ),
    ])
    .await;
    let get = |path: &str| reqwest::get(format!("{}/api/{path}", console.address));
    let (status, _, _) = read(get("cache/info").await.unwrap()).await;
    assert_eq!(status, 200, "through the links while they pass bytes");

    // Packets dropped, no RST: each call ends at CONSOLE_UPSTREAM_TIMEOUT_MS with a 503.
    http_link.blackhole();
    resp_link.blackhole();
    let (status, _, body) = read(get("cache?key=k").await.unwrap()).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(
        body["error"]["code"], "lru_cache_server_unavailable",
        "{body}"
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("in time"),
        "{body}"
    );
    let (status, _, body) = read(get("cache/info").await.unwrap()).await;
    assert_eq!(status, 503, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("in time"),
        "{body}"
    );
    let (status, _, health) = read(get("health").await.unwrap()).await;
    assert_eq!(status, 200);
    let cache_health = health["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "lru-cache-server")
        .unwrap()
        .clone();
    assert_eq!(cache_health["ready"], false, "{cache_health}");

    http_link.restore();
    resp_link.restore();
    let (status, _, body) = read(get("cache?key=k").await.unwrap()).await;
    assert_eq!(status, 404, "answered again once the link heals: {body}");
}
