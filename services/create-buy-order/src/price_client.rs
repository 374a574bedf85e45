//! The client of btc-price: `GET {BTC_PRICE_URL}/btc_price/{currency}`, forwarding the
//! request id and presenting `BTC_PRICE_API_KEY` as `Authorization: Bearer`. Anything but a 200 with a positive decimal rate is "price unavailable".

use domain::Currency;
use rust_decimal::Decimal;
use serde::Deserialize;
use std::time::Duration;

/// Why no rate could be had.
#[derive(Debug, thiserror::Error)]
pub enum PriceError {
    /// btc-price could not be reached or timed out.
    #[error("btc-price unreachable: {0}")]
    Unreachable(#[from] reqwest::Error),
    /// btc-price answered something other than 200.
    #[error("btc-price answered {0}")]
    Status(u16),
    /// The answer had no usable rate.
    #[error("btc-price sent an unusable rate: {0}")]
    BadRate(String),
}

#[derive(Deserialize)]
struct PriceBody {
    rate: String,
}

/// A btc-price client.
#[derive(Clone)]
pub struct PriceClient {
    client: reqwest::Client,
    base_url: String,
}

impl PriceClient {
    /// A client for `base_url` whose calls time out after `timeout` and carry `key`, if any
    /// (in a header marked sensitive, so it is never printed). Fails on a key that cannot be
    /// a header value.
    pub fn new(
        base_url: &str,
        timeout: Duration,
        key: Option<&http_kit::access::OutgoingKey>,
    ) -> anyhow::Result<Self> {
        let client = http_kit::access::client_with_key(key, "BTC_PRICE_API_KEY", timeout)?;
        Ok(Self {
            client,
            base_url: base_url.trim_end_matches('/').to_owned(),
        })
    }

    /// The price of 1 BTC in `currency`.
    pub async fn rate(&self, currency: Currency, request_id: &str) -> Result<Decimal, PriceError> {
        let response = self
            .client
            .get(format!("{}/btc_price/{}", self.base_url, currency.code()))
            .header(http_kit::REQUEST_ID_HEADER, request_id)
            .send()
            .await?;
        if !response.status().is_success() {
            return Err(PriceError::Status(response.status().as_u16()));
        }
        let body: PriceBody = response.json().await?;
        let rate = Decimal::from_str_exact(&body.rate)
            .map_err(|e| PriceError::BadRate(format!("{}: {e}", body.rate)))?;
        if rate <= Decimal::ZERO {
            return Err(PriceError::BadRate(body.rate));
        }
        Ok(rate)
    }
}
