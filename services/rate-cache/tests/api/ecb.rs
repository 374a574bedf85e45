//! The ECB provider against the recorded feed (no network, no database).

use rate_cache::provider::{UpstreamError, ecb};
use rust_decimal::Decimal;
use std::str::FromStr;

const FEED: &str = include_str!("../fixtures/eurofxref-daily.xml");

fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

#[test]
fn the_real_feed_shape_parses_with_default_namespace_and_single_quotes() {
    let rates = ecb::parse(FEED).unwrap();
    assert_eq!(rates.date.to_string(), "2026-11-20");
    assert_eq!(rates.per_eur.len(), 31, "30 currencies and EUR itself");
    assert_eq!(rates.per_eur["USD"], dec("1.0512"));
    assert_eq!(rates.per_eur["JPY"], dec("162.31"));
}

#[test]
fn pairs_from_eur_are_the_published_numbers() {
    let rates = ecb::parse(FEED).unwrap();
    assert_eq!(rates.rate("EUR", "USD").unwrap().to_string(), "1.0512");
    assert_eq!(rates.rate("EUR", "GBP").unwrap().to_string(), "0.83055");
}

#[test]
fn cross_rates_are_exact_quotients_rounded_half_even_to_ten_places() {
    let rates = ecb::parse(FEED).unwrap();
    // 162.31 / 1.0512 = 154.40449010654490106544901…
    assert_eq!(
        rates.rate("USD", "JPY").unwrap().to_string(),
        "154.4044901065"
    );
    // 1 / 1.0512 = 0.95129375951293759512…
    assert_eq!(
        rates.rate("USD", "EUR").unwrap().to_string(),
        "0.9512937595"
    );
    // 1.0512 / 0.83055 = 1.26566732887845403648…
    assert_eq!(
        rates.rate("GBP", "USD").unwrap().to_string(),
        "1.2656673289"
    );
    // 0.9298 / 0.9298 would be 1; a rate to itself is never asked, but CHF→SEK is:
    // 11.5525 / 0.9298 = 12.42471499247149924715…
    assert_eq!(
        rates.rate("CHF", "SEK").unwrap().to_string(),
        "12.4247149925"
    );
}

#[test]
fn prefixes_other_than_the_recorded_ones_are_resolved_by_namespace() {
    let xml = r#"<e:Envelope xmlns:e="http://www.gesmes.org/xml/2002-08-01" xmlns:r="http://www.ecb.int/vocabulary/2002-08-01/eurofxref"><r:Cube><r:Cube time="2026-11-19"><r:Cube currency="USD" rate="1.05"/></r:Cube></r:Cube></e:Envelope>"#;
    let rates = ecb::parse(xml).unwrap();
    assert_eq!(rates.rate("EUR", "USD").unwrap(), dec("1.05"));
}

#[test]
fn cubes_outside_the_eurofxref_namespace_are_ignored() {
    let xml = r#"<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01"><Cube><Cube time='2026-11-19'><Cube currency='USD' rate='1.05'/></Cube></Cube></gesmes:Envelope>"#;
    assert!(matches!(ecb::parse(xml), Err(UpstreamError::Malformed(_))));
}

#[test]
fn an_html_page_or_malformed_xml_is_an_upstream_error_not_a_panic() {
    let bodies = [
        "<!DOCTYPE html><html><head><title>503</title></head><body><h1>Service Unavailable</h1></body></html>",
        "<html><body><p>maintenance</body></html>",
        "<gesmes:Envelope xmlns:gesmes='http://www.gesmes.org/xml/2002-08-01'><Cube",
        "",
        "{\"rates\": {}}",
        &FEED.replace("rate='1.0512'", "rate='1,0512'"),
        &FEED.replace("</gesmes:Envelope>", "</gesmes:Envelop>"),
    ];
    for body in bodies {
        match ecb::parse(body) {
            Err(UpstreamError::Malformed(_)) => {}
            other => panic!("expected Malformed for {body:?}, got {other:?}"),
        }
    }
}

#[test]
fn a_currency_the_ecb_does_not_publish_is_unknown() {
    let rates = ecb::parse(FEED).unwrap();
    assert!(
        matches!(rates.rate("USD", "ARS"), Err(UpstreamError::UnknownCurrency(code)) if code == "ARS")
    );
}
