//! Fiat amounts as clients send them, and the exact BTC quantity they buy.
//!
//! A [`FiatAmount`] arrives as a JSON string (`"100.50"`) or a JSON number (`100.5`); a number
//! is read from its text (through [`serde_json::value::RawValue`]), never through `f64`.
//! [`btc_for`] divides exactly and rounds the quotient up to 8 decimal places with integer
//! long division, so no intermediate rounding can move the result off the true ceiling.

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, de::Error as _};
use serde_json::value::RawValue;
use std::fmt;

/// Decimal places a fiat amount may have.
pub const FIAT_SCALE: u32 = 2;

/// Decimal places of a BTC quantity (satoshis).
pub const BTC_SCALE: u32 = 8;

/// Exclusive upper bound of a fiat amount: one billion.
pub const FIAT_AMOUNT_LIMIT: Decimal = Decimal::from_parts(1_000_000_000, 0, 0, false, 0);

/// Why a fiat amount was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    /// Neither a JSON string nor a JSON number, or text that is not a decimal.
    #[error("amount must be a decimal number or a string holding one, like \"100.50\"")]
    NotADecimal,
    /// Zero, negative, or one billion and above.
    #[error("amount must be greater than 0 and less than 1000000000")]
    OutOfRange,
    /// More than two decimal places.
    #[error("amount must have at most 2 decimal places")]
    TooPrecise,
}

/// A fiat amount: `0 < amount < 1_000_000_000`, at most 2 decimals, held at scale 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FiatAmount(Decimal);

impl FiatAmount {
    /// Parses decimal text (`"100.50"`, `"1e3"`); trailing zeros beyond 2 decimals are allowed.
    /// Exponent notation is parsed exactly (the point is moved in the text), never rounded:
    /// a value that needs more than 2 places, or more digits than a decimal holds, is refused.
    pub fn parse(text: &str) -> Result<Self, AmountError> {
        let well_formed = !text.is_empty()
            && text
                .bytes()
                .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
        if !well_formed {
            return Err(AmountError::NotADecimal);
        }
        let plain = if text.contains(['e', 'E']) {
            crate::scientific::to_plain(text).ok_or(AmountError::NotADecimal)?
        } else {
            text.to_owned()
        };
        let value = Decimal::from_str_exact(&plain).map_err(|_| AmountError::NotADecimal)?;
        Self::new(value)
    }

    /// Parses the raw JSON of a field: a string holding decimal text, or a number's own text.
    pub fn from_json(raw: &RawValue) -> Result<Self, AmountError> {
        let text = raw.get().trim();
        if text.starts_with('"') {
            let inner: String = serde_json::from_str(text).map_err(|_| AmountError::NotADecimal)?;
            Self::parse(&inner)
        } else if text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
            Self::parse(text)
        } else {
            Err(AmountError::NotADecimal)
        }
    }

    /// Checks the range and the places of an already-parsed value.
    pub fn new(value: Decimal) -> Result<Self, AmountError> {
        if value <= Decimal::ZERO || value >= FIAT_AMOUNT_LIMIT {
            return Err(AmountError::OutOfRange);
        }
        let mut exact = value.normalize();
        if exact.scale() > FIAT_SCALE {
            return Err(AmountError::TooPrecise);
        }
        exact.rescale(FIAT_SCALE);
        Ok(Self(exact))
    }

    /// The value, at scale 2 (`100.50`).
    pub fn value(self) -> Decimal {
        self.0
    }
}

impl fmt::Display for FiatAmount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<'de> Deserialize<'de> for FiatAmount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        Self::from_json(&raw).map_err(D::Error::custom)
    }
}

/// Why [`btc_for`] could not compute a quantity.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DivisionError {
    /// The amount or the rate is zero or negative.
    #[error("amount and rate must both be positive")]
    NotPositive,
    /// The quotient does not fit a decimal with 8 places.
    #[error("the BTC quantity is too large to represent")]
    Overflow,
}

/// `amount / rate` rounded up to 8 decimal places, exactly: the ceiling of the rational
/// quotient, with no intermediate rounding. The result has scale 8.
pub fn btc_for(amount: Decimal, rate: Decimal) -> Result<Decimal, DivisionError> {
    if amount <= Decimal::ZERO || rate <= Decimal::ZERO {
        return Err(DivisionError::NotPositive);
    }
    // amount = a / 10^sa, rate = r / 10^sr, so amount / rate * 10^8 = a * 10^(sr + 8 - sa) / r.
    let a = amount.mantissa().unsigned_abs();
    let r = rate.mantissa().unsigned_abs();
    let shift = i64::from(rate.scale()) + i64::from(BTC_SCALE) - i64::from(amount.scale());
    let satoshis = if shift >= 0 {
        ceil_div_scaled(a, r, shift.unsigned_abs())?
    } else {
        // ceil(ceil(a / m) / r) = ceil(a / (m * r)) for positive integers: no overflow of m * r.
        let m = pow10(shift.unsigned_abs())?;
        ceil_div_scaled(a.div_ceil(m), r, 0)?
    };
    let satoshis = i128::try_from(satoshis).map_err(|_| DivisionError::Overflow)?;
    Decimal::try_from_i128_with_scale(satoshis, BTC_SCALE).map_err(|_| DivisionError::Overflow)
}

/// `ceil(a * 10^digits / r)` by long division; `r < 2^96`, so `rem * 10` never overflows.
fn ceil_div_scaled(a: u128, r: u128, digits: u64) -> Result<u128, DivisionError> {
    let mut quotient = a / r;
    let mut rem = a % r;
    for _ in 0..digits {
        rem *= 10;
        quotient = quotient
            .checked_mul(10)
            .and_then(|q| q.checked_add(rem / r))
            .ok_or(DivisionError::Overflow)?;
        rem %= r;
    }
    if rem > 0 {
        quotient = quotient.checked_add(1).ok_or(DivisionError::Overflow)?;
    }
    Ok(quotient)
}

fn pow10(exponent: u64) -> Result<u128, DivisionError> {
    let exponent = u32::try_from(exponent).map_err(|_| DivisionError::Overflow)?;
    10u128.checked_pow(exponent).ok_or(DivisionError::Overflow)
}

#[cfg(test)]
#[path = "money_tests.rs"]
mod tests;
