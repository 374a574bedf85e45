//! Access-control fixtures for every service's `access` tests: two keys, the `API_KEYS` value
//! that configures them, and the check that a route refuses no key, a wrong key and a key
//! without its scope in the error envelope.

use sha2::{Digest, Sha256};

/// The key that holds the scopes a test configures.
pub const FULL_KEY: &str = "test-full-key-6c1d8e2f";
/// A configured key holding only `unrelated:scope`.
pub const OTHER_KEY: &str = "test-other-key-93ab7c04";
/// A key no entry has.
pub const UNKNOWN_KEY: &str = "test-unknown-key-5d2e";

/// The lowercase hex SHA-256 of `key`, as `API_KEYS` holds it.
pub fn hash(key: &str) -> String {
    Sha256::digest(key.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `API_KEYS` with `full` ([`FULL_KEY`]) holding `scopes` (comma-separated) and `other`
/// ([`OTHER_KEY`]) holding `unrelated:scope`.
pub fn api_keys(scopes: &str) -> String {
    format!(
        "full:{}:{scopes};other:{}:unrelated:scope",
        hash(FULL_KEY),
        hash(OTHER_KEY)
    )
}

/// Sends what `request` builds three times, with no key, [`UNKNOWN_KEY`] and [`OTHER_KEY`],
/// and asserts 401 `unauthorized` with `WWW-Authenticate: Bearer` for the first two and 403
/// `forbidden` naming `scope` for the third, each in the error envelope.
pub async fn assert_refused(request: impl Fn() -> reqwest::RequestBuilder, scope: &str) {
    for key in [None, Some(UNKNOWN_KEY)] {
        let builder = request();
        let builder = match key {
            Some(key) => builder.bearer_auth(key),
            None => builder,
        };
        let response = builder.send().await.expect("request sent");
        assert_eq!(response.status().as_u16(), 401, "key {key:?}");
        assert_eq!(
            response
                .headers()
                .get("www-authenticate")
                .map(|v| v.as_bytes()),
            Some(&b"Bearer"[..])
        );
        let body = error_of(response).await;
        assert_eq!(body["code"], "unauthorized", "{body}");
    }
    let response = request()
        .bearer_auth(OTHER_KEY)
        .send()
        .await
        .expect("request sent");
    assert_eq!(response.status().as_u16(), 403);
    let body = error_of(response).await;
    assert_eq!(body["code"], "forbidden", "{body}");
    let message = body["message"].as_str().unwrap_or_default();
    assert!(message.contains(&format!("'{scope}'")), "{body}");
}

async fn error_of(response: reqwest::Response) -> serde_json::Value {
    let body: serde_json::Value = response.json().await.expect("a JSON envelope");
    body["error"].clone()
}
