//! The upstream price sources: Coinbase first, Kraken when Coinbase fails.
//!
//! Every call has a timeout; retryable failures (timeouts, transport errors, 5xx, bodies that
//! are not the JSON we expect, such as an HTML error page) are retried up to
//! `UPSTREAM_MAX_ATTEMPTS` times with a short doubling pause. A 429 is never retried at once:
//! the source is left alone until its `Retry-After` has passed, and the next source is asked.

mod coinbase;
mod kraken;
mod retry_after;

use chrono::{DateTime, Utc};
use domain::Currency;
use prometheus::{IntCounterVec, Opts, Registry};
use reqwest::{Client, StatusCode, header::RETRY_AFTER};
use rust_decimal::Decimal;
use std::{
    collections::BTreeMap,
    sync::Mutex,
    time::{Duration, Instant},
};

/// Where a price came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    /// Coinbase exchange rates.
    Coinbase,
    /// Kraken Ticker.
    Kraken,
}

impl Source {
    /// Lower-case name, as in responses and metrics.
    pub fn name(self) -> &'static str {
        match self {
            Self::Coinbase => "coinbase",
            Self::Kraken => "kraken",
        }
    }
}

/// The three prices fetched in one upstream call.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// Price of 1 BTC per currency.
    pub rates: BTreeMap<&'static str, Decimal>,
    /// Which source answered.
    pub source: Source,
    /// When it answered (wall clock, for clients).
    pub fetched_at: DateTime<Utc>,
    /// When it answered (monotonic, for freshness).
    pub fetched: Instant,
}

impl Snapshot {
    /// The rate of `currency`.
    pub fn rate(&self, currency: Currency) -> Option<Decimal> {
        self.rates.get(currency.code()).copied()
    }
}

/// Why an upstream call failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum UpstreamError {
    /// No answer within the timeout.
    #[error("no answer within the timeout")]
    Timeout,
    /// Connection refused, reset, DNS, …
    #[error("transport error: {0}")]
    Transport(String),
    /// A status other than 200 (and 429).
    #[error("unexpected status {0}")]
    Status(u16),
    /// 429 Too Many Requests.
    #[error("rate limited; retry after {0:?}")]
    RateLimited(Duration),
    /// A body that is not JSON (an HTML error page, …).
    #[error("the body is not JSON: {0}")]
    NotJson(String),
    /// JSON without the prices we need, or an error reported inside it.
    #[error("unusable answer: {0}")]
    Unusable(String),
    /// The source is cooling down after a 429.
    #[error("skipped: cooling down after a 429")]
    CoolingDown,
    /// The fetch task died.
    #[error("fetch task failed: {0}")]
    Task(String),
}

impl UpstreamError {
    fn retryable(&self) -> bool {
        match self {
            Self::Timeout | Self::Transport(_) | Self::NotJson(_) => true,
            Self::Status(code) => *code >= 500,
            _ => false,
        }
    }
}

/// Both sources, their cool-downs and call metrics.
pub struct Upstreams {
    client: Client,
    coinbase_url: String,
    kraken_url: String,
    max_attempts: u32,
    cooldowns: Mutex<BTreeMap<&'static str, Instant>>,
    calls: IntCounterVec,
}

/// Longest `Retry-After` honoured; a bigger one is capped so a source is never lost for long.
const MAX_COOLDOWN: Duration = Duration::from_secs(300);

impl Upstreams {
    /// Sources at the given base URLs; registers `btc_price_upstream_calls_total` on `registry`.
    pub fn new(
        coinbase_url: &str,
        kraken_url: &str,
        timeout: Duration,
        max_attempts: u32,
        registry: &Registry,
    ) -> anyhow::Result<Self> {
        let client = Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .build()?;
        let calls = IntCounterVec::new(
            Opts::new(
                "btc_price_upstream_calls_total",
                "Upstream HTTP calls, by source and outcome",
            ),
            &["source", "outcome"],
        )?;
        registry.register(Box::new(calls.clone()))?;
        Ok(Self {
            client,
            coinbase_url: coinbase_url.trim_end_matches('/').to_owned(),
            kraken_url: kraken_url.trim_end_matches('/').to_owned(),
            max_attempts,
            cooldowns: Mutex::new(BTreeMap::new()),
            calls,
        })
    }

    /// All three prices from the first source that answers.
    pub async fn fetch(&self) -> Result<Snapshot, UpstreamError> {
        let coinbase = self.ask_source(Source::Coinbase).await;
        let error = match coinbase {
            Ok(snapshot) => return Ok(snapshot),
            Err(error) => error,
        };
        tracing::warn!(source = "coinbase", error = %error, "primary price source failed; trying kraken");
        self.ask_source(Source::Kraken).await
    }

    async fn ask_source(&self, source: Source) -> Result<Snapshot, UpstreamError> {
        if self.cooling_down(source) {
            return Err(UpstreamError::CoolingDown);
        }
        let mut pause = Duration::from_millis(100);
        let mut attempt = 1;
        loop {
            let outcome = self.call(source).await;
            let label = match &outcome {
                Ok(_) => "ok",
                Err(UpstreamError::RateLimited(_)) => "rate_limited",
                Err(UpstreamError::Timeout) => "timeout",
                Err(_) => "error",
            };
            self.calls.with_label_values(&[source.name(), label]).inc();
            match outcome {
                Ok(rates) => {
                    return Ok(Snapshot {
                        rates,
                        source,
                        fetched_at: Utc::now(),
                        fetched: Instant::now(),
                    });
                }
                Err(UpstreamError::RateLimited(wait)) => {
                    self.cool_down(source, wait);
                    return Err(UpstreamError::RateLimited(wait));
                }
                Err(error) if error.retryable() && attempt < self.max_attempts => {
                    tracing::info!(source = source.name(), attempt, error = %error, "retrying upstream");
                    tokio::time::sleep(pause).await;
                    pause *= 2;
                    attempt += 1;
                }
                Err(error) => return Err(error),
            }
        }
    }

    async fn call(&self, source: Source) -> Result<BTreeMap<&'static str, Decimal>, UpstreamError> {
        let url = match source {
            Source::Coinbase => format!("{}/v2/exchange-rates?currency=BTC", self.coinbase_url),
            Source::Kraken => format!("{}/0/public/Ticker?pair={}", self.kraken_url, kraken::PAIRS),
        };
        let body = self.get(&url).await?;
        match source {
            Source::Coinbase => coinbase::parse(&body),
            Source::Kraken => kraken::parse(&body),
        }
    }

    async fn get(&self, url: &str) -> Result<serde_json::Value, UpstreamError> {
        let response = self
            .client
            .get(url)
            .header("accept", "application/json")
            .send()
            .await
            .map_err(transport)?;
        let status = response.status();
        if status == StatusCode::TOO_MANY_REQUESTS {
            let wait = response
                .headers()
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| retry_after::parse(v, Utc::now()))
                .unwrap_or(Duration::from_secs(1));
            return Err(UpstreamError::RateLimited(wait.min(MAX_COOLDOWN)));
        }
        if status != StatusCode::OK {
            return Err(UpstreamError::Status(status.as_u16()));
        }
        let bytes = response.bytes().await.map_err(transport)?;
        serde_json::from_slice(&bytes).map_err(|e| {
            let start = String::from_utf8_lossy(&bytes[..bytes.len().min(40)]).into_owned();
            UpstreamError::NotJson(format!("{e}; body starts with {start:?}"))
        })
    }

    fn cooling_down(&self, source: Source) -> bool {
        let cooldowns = self
            .cooldowns
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        cooldowns
            .get(source.name())
            .is_some_and(|until| Instant::now() < *until)
    }

    fn cool_down(&self, source: Source, wait: Duration) {
        tracing::warn!(
            source = source.name(),
            retry_after_ms = wait.as_millis() as u64,
            "upstream rate limited us"
        );
        let mut cooldowns = self
            .cooldowns
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        cooldowns.insert(source.name(), Instant::now() + wait);
    }
}

fn transport(error: reqwest::Error) -> UpstreamError {
    if error.is_timeout() {
        UpstreamError::Timeout
    } else if error.is_decode() || error.is_body() {
        UpstreamError::NotJson(error.to_string())
    } else {
        UpstreamError::Transport(error.to_string())
    }
}

/// Parses a decimal string as an upstream sends it; refuses zero and negatives.
fn positive_decimal(text: &str, what: &str) -> Result<Decimal, UpstreamError> {
    let value = Decimal::from_str_exact(text)
        .map_err(|e| UpstreamError::Unusable(format!("{what} is not a decimal ({text:?}): {e}")))?;
    if value <= Decimal::ZERO {
        return Err(UpstreamError::Unusable(format!(
            "{what} is not positive: {text}"
        )));
    }
    Ok(value.normalize())
}
