//! Coinbase `GET /v2/exchange-rates?currency=BTC`:
//! `{"data": {"currency": "BTC", "rates": {"EUR": "38123.45", …}}}`, rates as decimal strings.

use super::{UpstreamError, positive_decimal};
use domain::Currency;
use rust_decimal::Decimal;
use serde_json::Value;
use std::collections::BTreeMap;

/// The EUR, GBP and USD rates of a Coinbase answer.
pub(super) fn parse(body: &Value) -> Result<BTreeMap<&'static str, Decimal>, UpstreamError> {
    let data = body
        .get("data")
        .ok_or_else(|| UpstreamError::Unusable("coinbase: no `data`".into()))?;
    if data.get("currency").and_then(Value::as_str) != Some("BTC") {
        return Err(UpstreamError::Unusable(
            "coinbase: rates are not for BTC".into(),
        ));
    }
    let rates = data
        .get("rates")
        .and_then(Value::as_object)
        .ok_or_else(|| UpstreamError::Unusable("coinbase: no `data.rates`".into()))?;
    let mut prices = BTreeMap::new();
    for currency in Currency::ALL {
        let text = rates
            .get(currency.code())
            .and_then(Value::as_str)
            .ok_or_else(|| UpstreamError::Unusable(format!("coinbase: no {currency} rate")))?;
        prices.insert(
            currency.code(),
            positive_decimal(text, &format!("coinbase {currency} rate"))?,
        );
    }
    Ok(prices)
}
