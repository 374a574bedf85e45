//! Tests of fiat amount parsing and of the exact ceiling division, the latter against exact
//! rational arithmetic.

use super::*;
use num_bigint::BigInt;
use num_rational::BigRational;
use proptest::prelude::*;
use std::str::FromStr;

fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

fn raw(json: &str) -> Box<RawValue> {
    serde_json::from_str(json).unwrap()
}

#[test]
fn strings_and_numbers_parse_from_their_text_at_scale_2() {
    assert_eq!(
        FiatAmount::from_json(&raw(r#""100.50""#))
            .unwrap()
            .value()
            .to_string(),
        "100.50"
    );
    assert_eq!(
        FiatAmount::from_json(&raw("100.5"))
            .unwrap()
            .value()
            .to_string(),
        "100.50"
    );
    assert_eq!(
        FiatAmount::from_json(&raw("7"))
            .unwrap()
            .value()
            .to_string(),
        "7.00"
    );
    assert_eq!(
        FiatAmount::from_json(&raw("1.5e2"))
            .unwrap()
            .value()
            .to_string(),
        "150.00"
    );
    assert_eq!(
        FiatAmount::from_json(&raw("999999999.99"))
            .unwrap()
            .value()
            .to_string(),
        "999999999.99"
    );
    // A float would have turned this into 0.30000000000000004-ish noise; the text is exact.
    assert_eq!(
        FiatAmount::from_json(&raw("0.30"))
            .unwrap()
            .value()
            .to_string(),
        "0.30"
    );
}

#[test]
fn out_of_range_and_over_precise_amounts_are_refused() {
    for (json, expected) in [
        ("0", AmountError::OutOfRange),
        (r#""0.00""#, AmountError::OutOfRange),
        ("-1", AmountError::OutOfRange),
        ("1e9", AmountError::OutOfRange),
        (r#""1000000000""#, AmountError::OutOfRange),
        ("1.001", AmountError::TooPrecise),
        (r#""0.001""#, AmountError::TooPrecise),
        (r#""abc""#, AmountError::NotADecimal),
        (r#""""#, AmountError::NotADecimal),
        (r#"" 1""#, AmountError::NotADecimal),
        ("true", AmountError::NotADecimal),
        ("null", AmountError::NotADecimal),
        ("[1]", AmountError::NotADecimal),
        ("1e400", AmountError::NotADecimal),
        ("123456789012345678901234567890", AmountError::NotADecimal),
    ] {
        assert_eq!(
            FiatAmount::from_json(&raw(json)),
            Err(expected.clone()),
            "{json}"
        );
    }
}

#[test]
fn trailing_zeros_beyond_two_places_are_accepted() {
    assert_eq!(
        FiatAmount::parse("1.500").unwrap().value().to_string(),
        "1.50"
    );
}

#[test]
fn deserialises_inside_a_struct() {
    #[derive(Deserialize)]
    struct Body {
        amount: FiatAmount,
    }
    let body: Body = serde_json::from_str(r#"{"amount": 12.34}"#).unwrap();
    assert_eq!(body.amount.value(), dec("12.34"));
    assert!(serde_json::from_str::<Body>(r#"{"amount": 12.345}"#).is_err());
}

#[test]
fn division_rounds_up_to_the_next_satoshi() {
    assert_eq!(
        btc_for(dec("100.50"), dec("38123.45")).unwrap().to_string(),
        "0.00263618"
    );
    assert_eq!(
        btc_for(dec("1"), dec("3")).unwrap().to_string(),
        "0.33333334"
    );
    assert_eq!(
        btc_for(dec("1"), dec("4")).unwrap().to_string(),
        "0.25000000"
    );
    assert_eq!(
        btc_for(dec("100"), dec("1")).unwrap().to_string(),
        "100.00000000"
    );
    // The rate has 28 digits; rust_decimal's own division would round at 28 significant digits.
    let rate = dec("0.3333333333333333333333333333");
    assert_eq!(btc_for(dec("1"), rate).unwrap().to_string(), "3.00000001");
}

#[test]
fn division_refuses_non_positive_operands_and_overflow() {
    assert_eq!(
        btc_for(Decimal::ZERO, dec("1")),
        Err(DivisionError::NotPositive)
    );
    assert_eq!(
        btc_for(dec("1"), dec("-1")),
        Err(DivisionError::NotPositive)
    );
    assert_eq!(
        btc_for(dec("999999999.99"), dec("0.0000000000000000000000000001")),
        Err(DivisionError::Overflow)
    );
}

fn rational(value: Decimal) -> BigRational {
    let denominator = BigInt::from(10u8).pow(value.scale());
    BigRational::new(BigInt::from(value.mantissa()), denominator)
}

fn exact_ceiling(amount: Decimal, rate: Decimal) -> BigInt {
    let satoshis =
        rational(amount) / rational(rate) * BigRational::from_integer(BigInt::from(100_000_000u32));
    satoshis.ceil().to_integer()
}

/// Any rate rust_decimal can hold: up to 96-bit mantissas, up to 28 places.
fn any_rate() -> impl Strategy<Value = Decimal> {
    (1u128..(1u128 << 96), 0u32..=28).prop_map(|(m, s)| Decimal::from_i128_with_scale(m as i128, s))
}

/// Realistic prices, often with 20 or more decimal digits.
fn realistic_rate() -> impl Strategy<Value = Decimal> {
    (1u64..200_000, 0u128..10u128.pow(22), 0u32..=22).prop_map(|(units, fraction, places)| {
        let fraction = fraction % 10u128.pow(places);
        let mantissa = u128::from(units) * 10u128.pow(places) + fraction;
        Decimal::from_i128_with_scale(mantissa as i128, places)
    })
}

fn amount_cents() -> impl Strategy<Value = Decimal> {
    (1i64..100_000_000_000).prop_map(|cents| Decimal::new(cents, 2))
}

fn check(amount: Decimal, rate: Decimal) -> Result<(), TestCaseError> {
    let expected = exact_ceiling(amount, rate);
    match btc_for(amount, rate) {
        Ok(btc) => {
            prop_assert_eq!(btc.scale(), BTC_SCALE);
            prop_assert_eq!(BigInt::from(btc.mantissa()), expected);
        }
        Err(DivisionError::Overflow) => prop_assert!(expected >= BigInt::from(1u128 << 96)),
        Err(other) => prop_assert!(false, "unexpected {other}"),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn ceiling_agrees_with_exact_rationals_for_realistic_rates(amount in amount_cents(), rate in realistic_rate()) {
        check(amount, rate)?;
    }

    #[test]
    fn ceiling_agrees_with_exact_rationals_for_any_rate(amount in amount_cents(), rate in any_rate()) {
        check(amount, rate)?;
    }

    #[test]
    fn quotients_that_land_on_8_places_are_not_bumped(
        factor in 1u64..1000,
        multiple in 1u64..100_000_000,
        twos in 0u32..=12,
        fives in 0u32..=12,
    ) {
        // amount (cents) = factor * multiple, btc (satoshis) = factor * 2^twos * 5^fives, so
        // rate = amount / btc = multiple * 10^6 / (2^twos * 5^fives): a terminating decimal.
        let cents = BigInt::from(factor) * BigInt::from(multiple);
        let satoshis = BigInt::from(factor) * BigInt::from(2u8).pow(twos) * BigInt::from(5u8).pow(fives);
        let rate = BigRational::new(cents.clone() * BigInt::from(1_000_000u32), satoshis.clone());
        let places = twos.max(fives);
        let scaled = rate * BigRational::from_integer(BigInt::from(10u8).pow(places));
        prop_assert!(scaled.is_integer());
        let mantissa: i128 = scaled.to_integer().try_into().unwrap();
        let rate = Decimal::from_i128_with_scale(mantissa, places);
        let amount = Decimal::from_i128_with_scale(cents.try_into().unwrap(), 2);
        prop_assume!(amount < FIAT_AMOUNT_LIMIT);
        let btc = btc_for(amount, rate).unwrap();
        prop_assert_eq!(BigInt::from(btc.mantissa()), satoshis);
        check(amount, rate)?;
    }

    #[test]
    fn parsing_never_panics_and_accepts_only_valid_amounts(text in "[-+0-9.eE]{0,40}") {
        if let Ok(amount) = FiatAmount::parse(&text) {
            prop_assert!(amount.value() > Decimal::ZERO && amount.value() < FIAT_AMOUNT_LIMIT);
            prop_assert_eq!(amount.value().scale(), 2);
        }
    }
}

#[test]
fn exponent_notation_is_parsed_exactly_or_refused_never_rounded() {
    for (text, value) in [
        ("1e2", "100.00"),
        ("1.5E+1", "15.00"),
        ("1.005e2", "100.50"),
        ("125e-2", "1.25"),
        ("1e-2", "0.01"),
    ] {
        assert_eq!(
            FiatAmount::parse(text).map(FiatAmount::value),
            Ok(dec(value)),
            "{text}"
        );
    }
    // from_scientific rounds these long mantissas to 100.5 and 1; they are not those values.
    assert_eq!(
        FiatAmount::parse("1.00500000000000000000000000000001e2"),
        Err(AmountError::NotADecimal)
    );
    assert_eq!(
        FiatAmount::parse("0.99999999999999999999999999999999e0"),
        Err(AmountError::NotADecimal)
    );
    assert_eq!(FiatAmount::parse("1.2345e1"), Err(AmountError::TooPrecise));
    assert_eq!(FiatAmount::parse("1e9"), Err(AmountError::OutOfRange));
}
