//! Coinbase exchange rates: `GET {COINBASE_API_URL}/v2/exchange-rates?currency={base}` answers
//! `{"data": {"currency": "USD", "rates": {"EUR": "0.9512", …}}}`, the price of one `base` in
//! every other currency, as decimal strings.

use super::{Batching, Pair, RateProvider, Rates, UpstreamError, get_text, parse_rate};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::collections::HashMap;

/// The Coinbase provider.
pub struct Coinbase {
    client: reqwest::Client,
    base_url: String,
}

#[derive(Deserialize)]
struct Body {
    data: Data,
}

#[derive(Deserialize)]
struct Data {
    currency: String,
    /// Each rate's own JSON text, so a number is never read through f64.
    rates: HashMap<String, Box<RawValue>>,
}

impl Coinbase {
    /// A provider for the API at `base_url`.
    pub fn new(client: reqwest::Client, base_url: &str) -> Self {
        Self {
            client,
            base_url: base_url.trim_end_matches('/').to_owned(),
        }
    }
}

/// One Coinbase answer: every rate of one base, each kept as its own JSON text until asked for.
pub struct CoinbaseRates {
    rates: HashMap<String, Box<RawValue>>,
}

impl CoinbaseRates {
    /// Parses a Coinbase body that must be quoted in `base`.
    pub fn parse(body: &str, base: &str) -> Result<Self, UpstreamError> {
        let body: Body = serde_json::from_str(body)
            .map_err(|e| UpstreamError::Malformed(format!("not the Coinbase JSON: {e}")))?;
        if body.data.currency != base {
            return Err(UpstreamError::Malformed(format!(
                "rates quoted in {} instead of {base}",
                body.data.currency
            )));
        }
        Ok(Self {
            rates: body.data.rates,
        })
    }

    /// `quote`'s rate: a decimal string, or a JSON number read from its own text.
    pub fn rate(&self, quote: &str) -> Result<Decimal, UpstreamError> {
        let Some(raw) = self.rates.get(quote) else {
            return Err(UpstreamError::UnknownCurrency(quote.to_owned()));
        };
        let text = raw.get();
        if text.starts_with('"') {
            let inner: String = serde_json::from_str(text)
                .map_err(|e| UpstreamError::Malformed(format!("rate of {quote}: {e}")))?;
            parse_rate(&inner)
        } else if text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
            // A JSON number is read from its own text, never through f64.
            parse_rate(text)
        } else {
            Err(UpstreamError::Malformed(format!(
                "rate of {quote} is {text}"
            )))
        }
    }
}

#[async_trait::async_trait]
impl RateProvider for Coinbase {
    fn source(&self) -> &'static str {
        "coinbase"
    }

    fn batching(&self) -> Batching {
        Batching::PerBase
    }

    async fn rates(&self, pairs: &[Pair], request_id: &str) -> Rates {
        let mut by_base: HashMap<&str, CoinbaseRates> = HashMap::new();
        for pair in pairs {
            if by_base.contains_key(pair.base.as_str()) {
                continue;
            }
            let url = format!("{}/v2/exchange-rates?currency={}", self.base_url, pair.base);
            let body = get_text(&self.client, &url, request_id).await?;
            by_base.insert(&pair.base, CoinbaseRates::parse(&body, &pair.base)?);
        }
        Ok(pairs
            .iter()
            .map(|pair| match by_base.get(pair.base.as_str()) {
                Some(rates) => rates.rate(&pair.quote),
                None => Err(UpstreamError::UnknownCurrency(pair.base.clone())),
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate_from_body(body: &str, base: &str, quote: &str) -> Result<Decimal, UpstreamError> {
        CoinbaseRates::parse(body, base)?.rate(quote)
    }

    const FIXTURE: &str = include_str!("../../tests/fixtures/coinbase_exchange_rates_usd.json");

    #[test]
    fn the_recorded_response_gives_exact_decimals() {
        assert_eq!(
            rate_from_body(FIXTURE, "USD", "EUR").unwrap().to_string(),
            "0.9512"
        );
        assert_eq!(
            rate_from_body(FIXTURE, "USD", "GBP").unwrap().to_string(),
            "0.7901"
        );
    }

    #[test]
    fn html_and_wrong_shapes_are_malformed_not_panics() {
        for body in [
            "<html><body>Rate limited</body></html>",
            "{}",
            "{\"data\":{\"rates\":{}}}",
            "",
        ] {
            assert!(
                matches!(
                    rate_from_body(body, "USD", "EUR"),
                    Err(UpstreamError::Malformed(_))
                ),
                "{body}"
            );
        }
    }

    #[test]
    fn a_rate_sent_as_a_json_number_keeps_every_digit() {
        // Through f64 this would be 0.9512345678901234 (17 significant digits at most).
        let body = r#"{"data":{"currency":"USD","rates":{"EUR":0.95123456789012345678,"X":true}}}"#;
        assert_eq!(
            rate_from_body(body, "USD", "EUR").unwrap().to_string(),
            "0.95123456789012345678"
        );
        assert!(matches!(
            rate_from_body(body, "USD", "X"),
            Err(UpstreamError::Malformed(_))
        ));
    }

    #[test]
    fn a_currency_coinbase_does_not_quote_is_unknown() {
        assert!(matches!(
            rate_from_body(FIXTURE, "USD", "XCG"),
            Err(UpstreamError::UnknownCurrency(_))
        ));
    }
}
