//! The ECB daily reference rates: the eurofxref XML feed at `ECB_RATES_URL`.
//!
//! The feed is a `gesmes:Envelope` whose rates are `Cube` elements in the default namespace
//! `http://www.ecb.int/vocabulary/2002-08-01/eurofxref`: `<Cube time='2026-11-20'>` holding
//! `<Cube currency='USD' rate='1.0512'/>` (units of the currency per euro). It is read with
//! quick-xml's namespace-aware reader, so prefixes and quoting style do not matter. A pair
//! without EUR is a cross rate: `rate(base→quote) = per_eur(quote) / per_eur(base)`, computed
//! in `Decimal` and rounded half-to-even to [`CROSS_RATE_DECIMALS`] places. A pair from EUR
//! is the feed's number as published.

use super::{Batching, Pair, RateProvider, Rates, UpstreamError, get_text, parse_rate};
use chrono::NaiveDate;
use quick_xml::{
    NsReader, XmlVersion, events::BytesStart, events::Event, name::Namespace, name::ResolveResult,
};
use rust_decimal::{Decimal, RoundingStrategy};
use std::collections::HashMap;

/// The namespace of the `Cube` elements.
pub const EUROFXREF_NS: &str = "http://www.ecb.int/vocabulary/2002-08-01/eurofxref";
/// The namespace of the envelope.
pub const GESMES_NS: &str = "http://www.gesmes.org/xml/2002-08-01";
/// Decimal places kept in a cross rate.
pub const CROSS_RATE_DECIMALS: u32 = 10;

/// One day's reference rates: units of each currency per euro (EUR itself is 1).
#[derive(Debug, Clone, PartialEq)]
pub struct EcbRates {
    /// The reference date of the rates.
    pub date: NaiveDate,
    /// Units per euro, by currency code.
    pub per_eur: HashMap<String, Decimal>,
}

impl EcbRates {
    /// Units of `quote` per unit of `base`.
    pub fn rate(&self, base: &str, quote: &str) -> Result<Decimal, UpstreamError> {
        let per_eur = |code: &str| {
            self.per_eur
                .get(code)
                .copied()
                .ok_or_else(|| UpstreamError::UnknownCurrency(code.to_owned()))
        };
        let quote_per_eur = per_eur(quote)?;
        if base == "EUR" {
            return Ok(quote_per_eur);
        }
        let base_per_eur = per_eur(base)?;
        let rate = quote_per_eur.checked_div(base_per_eur).ok_or_else(|| {
            UpstreamError::Malformed(format!("cannot divide {quote_per_eur} by {base_per_eur}"))
        })?;
        Ok(rate
            .round_dp_with_strategy(CROSS_RATE_DECIMALS, RoundingStrategy::MidpointNearestEven)
            .normalize())
    }
}

fn malformed(reason: impl Into<String>) -> UpstreamError {
    UpstreamError::Malformed(reason.into())
}

fn attribute(element: &BytesStart<'_>, name: &str) -> Result<Option<String>, UpstreamError> {
    for attribute in element.attributes() {
        let attribute =
            attribute.map_err(|e| malformed(format!("bad attribute in the ECB XML: {e}")))?;
        if attribute.key.local_name().as_ref() == name {
            let value = attribute
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(|e| malformed(format!("bad attribute value in the ECB XML: {e}")))?;
            return Ok(Some(value.into_owned()));
        }
    }
    Ok(None)
}

/// Parses the eurofxref feed. HTML, other XML or malformed XML is [`UpstreamError::Malformed`].
pub fn parse(xml: &str) -> Result<EcbRates, UpstreamError> {
    let mut reader = NsReader::from_str(xml);
    let mut seen_root = false;
    let mut date = None;
    let mut per_eur = HashMap::from([("EUR".to_owned(), Decimal::ONE)]);
    loop {
        let (namespace, event) = reader
            .read_resolved_event()
            .map_err(|e| malformed(format!("not well-formed XML: {e}")))?;
        let in_ns =
            |ns: &str| matches!(namespace, ResolveResult::Bound(Namespace(bound)) if bound == ns);
        let element = match event {
            Event::Eof => break,
            Event::Start(element) | Event::Empty(element) => element,
            _ => continue,
        };
        if !seen_root {
            if !(in_ns(GESMES_NS) && element.local_name().as_ref() == "Envelope") {
                return Err(malformed("the body is not an ECB gesmes:Envelope"));
            }
            seen_root = true;
            continue;
        }
        if !(in_ns(EUROFXREF_NS) && element.local_name().as_ref() == "Cube") {
            continue;
        }
        if let Some(time) = attribute(&element, "time")? {
            let parsed = NaiveDate::parse_from_str(&time, "%Y-%m-%d")
                .map_err(|e| malformed(format!("bad time '{time}': {e}")))?;
            date = Some(parsed);
        }
        if let Some(currency) = attribute(&element, "currency")? {
            let rate = attribute(&element, "rate")?
                .ok_or_else(|| malformed(format!("{currency} has no rate")))?;
            per_eur.insert(currency, parse_rate(&rate)?);
        }
    }
    let date = date.ok_or_else(|| malformed("the ECB XML has no dated Cube"))?;
    if per_eur.len() < 2 {
        return Err(malformed("the ECB XML has no rates"));
    }
    Ok(EcbRates { date, per_eur })
}

/// The ECB provider.
pub struct Ecb {
    client: reqwest::Client,
    url: String,
}

impl Ecb {
    /// A provider for the feed at `url`.
    pub fn new(client: reqwest::Client, url: &str) -> Self {
        Self {
            client,
            url: url.to_owned(),
        }
    }
}

#[async_trait::async_trait]
impl RateProvider for Ecb {
    fn source(&self) -> &'static str {
        "ecb"
    }

    fn batching(&self) -> Batching {
        Batching::AllPairs
    }

    async fn rates(&self, pairs: &[Pair], request_id: &str) -> Rates {
        let xml = get_text(&self.client, &self.url, request_id).await?;
        let feed = parse(&xml)?;
        Ok(pairs
            .iter()
            .map(|pair| feed.rate(&pair.base, &pair.quote))
            .collect())
    }
}
