//! Upstream rate providers behind one trait: Coinbase exchange rates (JSON, intraday) and the
//! ECB daily reference rates (XML, cross rates for non-EUR pairs). Rates are `Decimal` from
//! the upstream's text to the database; no float is ever involved.

mod coinbase;
pub mod ecb;

pub use coinbase::Coinbase;
pub use ecb::Ecb;

use crate::config::Config;
use rust_decimal::Decimal;
use std::{str::FromStr, sync::Arc, time::Duration};

/// Why an upstream gave no rate.
#[derive(Debug, thiserror::Error)]
pub enum UpstreamError {
    /// No answer (connection refused, timeout, broken body).
    #[error("upstream unreachable: {0}")]
    Unreachable(String),
    /// A non-success HTTP status.
    #[error("upstream answered HTTP {0}")]
    Status(u16),
    /// The body is not the expected shape (HTML, malformed JSON or XML, bad number).
    #[error("upstream answered an unexpected body: {0}")]
    Malformed(String),
    /// The upstream does not quote this currency.
    #[error("upstream has no rate for {0}")]
    UnknownCurrency(String),
}

impl UpstreamError {
    /// True when trying again later may succeed.
    pub fn is_retryable(&self) -> bool {
        !matches!(self, Self::UnknownCurrency(_))
    }
}

/// One registered pair.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct Pair {
    /// Base currency.
    pub base: String,
    /// Quote currency.
    pub quote: String,
}

/// Which pairs one upstream call can serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Batching {
    /// One call answers every quote of one base (Coinbase).
    PerBase,
    /// One call answers every pair (the ECB feed).
    AllPairs,
}

/// The rates of some pairs, from one upstream answer: each pair's rate, or why the answer
/// has none for it. The outer error is a failure of the call itself (retry it).
pub type Rates = Result<Vec<Result<Decimal, UpstreamError>>, UpstreamError>;

/// A source of exchange rates.
#[async_trait::async_trait]
pub trait RateProvider: Send + Sync + 'static {
    /// `coinbase` or `ecb`, stored with each sample.
    fn source(&self) -> &'static str;

    /// How the scheduler should group a tick's pairs into jobs.
    fn batching(&self) -> Batching;

    /// How many units of `quote` one unit of `base` buys now, for each of `pairs` (same
    /// order). Makes one upstream call per distinct base (Coinbase) or one in all (ECB), and
    /// parses each answer once. `request_id` is forwarded as `X-Request-Id`.
    async fn rates(&self, pairs: &[Pair], request_id: &str) -> Rates;
}

/// The provider `RATES_PROVIDER` names.
pub fn from_config(config: &Config) -> Result<Arc<dyn RateProvider>, reqwest::Error> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(config.upstream_timeout_ms))
        .user_agent("rate-cache/0.1")
        .build()?;
    Ok(match config.rates_provider.as_str() {
        "ecb" => Arc::new(Ecb::new(client, &config.ecb_rates_url)),
        _ => Arc::new(Coinbase::new(client, &config.coinbase_api_url)),
    })
}

/// GETs `url` and returns its body as text, mapping every failure to an [`UpstreamError`].
async fn get_text(
    client: &reqwest::Client,
    url: &str,
    request_id: &str,
) -> Result<String, UpstreamError> {
    let response = client
        .get(url)
        .header(http_kit::REQUEST_ID_HEADER, request_id)
        .send()
        .await
        .map_err(|e| UpstreamError::Unreachable(e.to_string()))?;
    if !response.status().is_success() {
        return Err(UpstreamError::Status(response.status().as_u16()));
    }
    response
        .text()
        .await
        .map_err(|e| UpstreamError::Unreachable(e.to_string()))
}

/// Parses a positive decimal from its text (never through a float).
pub fn parse_rate(text: &str) -> Result<Decimal, UpstreamError> {
    let text = text.trim();
    let rate = Decimal::from_str_exact(text)
        .or_else(|_| Decimal::from_str(text))
        .map_err(|e| UpstreamError::Malformed(format!("'{text}' is not a decimal: {e}")))?;
    if rate <= Decimal::ZERO {
        return Err(UpstreamError::Malformed(format!(
            "rate '{text}' is not positive"
        )));
    }
    Ok(rate.normalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_parsed_exactly_from_text() {
        assert_eq!(parse_rate("0.9512").unwrap().to_string(), "0.9512");
        assert_eq!(parse_rate("162.310").unwrap().to_string(), "162.31");
    }

    #[test]
    fn non_numbers_and_non_positive_rates_are_malformed() {
        for text in ["", "abc", "0", "-1.2", "1,5"] {
            assert!(
                matches!(parse_rate(text), Err(UpstreamError::Malformed(_))),
                "{text}"
            );
        }
    }
}
