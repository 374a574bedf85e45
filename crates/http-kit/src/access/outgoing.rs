//! A key a service sends to another service (create-buy-order's `BTC_PRICE_API_KEY`): read from
//! the environment and never shown by `Debug`, so printing a config cannot leak it.

use serde::Deserialize;

/// An API key to present to another service.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct OutgoingKey(String);

impl OutgoingKey {
    /// A key from its text (tests; a service reads it from its config).
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    /// The key itself, to put in a header marked sensitive, and nowhere else.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for OutgoingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OutgoingKey(<redacted>)")
    }
}

/// An HTTP client whose calls time out after `timeout` and carry `key`, if any, as a bearer token
/// in a header marked sensitive (so it is never printed). An empty key (as `.env` leaves one)
/// sends none. Fails, naming `variable`, on a key that cannot be a header value.
pub fn client_with_key(
    key: Option<&OutgoingKey>,
    variable: &str,
    timeout: std::time::Duration,
) -> anyhow::Result<reqwest::Client> {
    let mut headers = reqwest::header::HeaderMap::new();
    if let Some(key) = key.filter(|k| !k.expose().is_empty()) {
        let mut value = reqwest::header::HeaderValue::from_str(&format!("Bearer {}", key.expose()))
            .map_err(|_| anyhow::anyhow!("{variable} has characters a header cannot carry"))?;
        value.set_sensitive(true);
        headers.insert(reqwest::header::AUTHORIZATION, value);
    }
    Ok(reqwest::Client::builder()
        .timeout(timeout)
        .default_headers(headers)
        .build()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_key() {
        let key = OutgoingKey::new("s3cret-value");
        assert!(!format!("{key:?}").contains("s3cret"));
        assert_eq!(key.expose(), "s3cret-value");
    }
}
