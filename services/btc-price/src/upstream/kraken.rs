//! Kraken `GET /0/public/Ticker?pair=XBTEUR,XBTGBP,XBTUSD`:
//! `{"error": [], "result": {"XXBTZEUR": {"c": ["38123.40000", "0.001"], …}, …}}`. BTC is `XBT`
//! there, and errors arrive inside an HTTP 200 as `{"error": ["EQuery:Unknown asset pair"]}`.
//! The price is the last trade (`c[0]`).

use super::{UpstreamError, positive_decimal};
use domain::Currency;
use rust_decimal::Decimal;
use serde_json::Value;
use std::collections::BTreeMap;

/// The pairs asked for in one call.
pub(super) const PAIRS: &str = "XBTEUR,XBTGBP,XBTUSD";

/// The EUR, GBP and USD prices of a Kraken answer.
pub(super) fn parse(body: &Value) -> Result<BTreeMap<&'static str, Decimal>, UpstreamError> {
    let errors = body
        .get("error")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    if !errors.is_empty() {
        let texts: Vec<String> = errors
            .iter()
            .map(|e| e.as_str().unwrap_or("?").to_owned())
            .collect();
        return Err(UpstreamError::Unusable(format!(
            "kraken: {}",
            texts.join(", ")
        )));
    }
    let result = body
        .get("result")
        .and_then(Value::as_object)
        .ok_or_else(|| UpstreamError::Unusable("kraken: no `result`".into()))?;
    let mut prices = BTreeMap::new();
    for currency in Currency::ALL {
        // Kraken names the pair XXBTZEUR in answers (XBTEUR in requests); match on the quote.
        let ticker = result
            .iter()
            .find(|(pair, _)| pair.contains("XBT") && pair.ends_with(currency.code()))
            .map(|(_, ticker)| ticker)
            .ok_or_else(|| UpstreamError::Unusable(format!("kraken: no XBT/{currency} ticker")))?;
        let text = ticker
            .get("c")
            .and_then(|c| c.get(0))
            .and_then(Value::as_str)
            .ok_or_else(|| {
                UpstreamError::Unusable(format!("kraken: no last trade for {currency}"))
            })?;
        prices.insert(
            currency.code(),
            positive_decimal(text, &format!("kraken {currency} price"))?,
        );
    }
    Ok(prices)
}
