//! Numbers read from text, for fields inside a `#[serde(flatten)]` section.
//!
//! With `flatten`, serde buffers every value envy yields as a string and then asks for a
//! `u16` or `u64`, which a string is not: plain numeric fields fail there ("invalid type:
//! string"). Each function here accepts the text (or a number) and words a failure the way
//! envy does, naming the variable, so [`crate::ConfigError`] still says which one was bad.

use serde::{Deserializer, de};
use std::{fmt, marker::PhantomData, str::FromStr};

struct NumberVisitor<N> {
    variable: &'static str,
    number: PhantomData<N>,
}

impl<N> de::Visitor<'_> for NumberVisitor<N>
where
    N: FromStr + TryFrom<u64>,
    N::Err: fmt::Display,
{
    type Value = N;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "a number in {}", self.variable)
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<N, E> {
        text.trim().parse().map_err(|e| {
            E::custom(format!(
                "{e} while parsing value '{text}' provided by {}",
                self.variable
            ))
        })
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<N, E> {
        N::try_from(value).map_err(|_| {
            E::custom(format!(
                "number too large to fit in target type while parsing value '{value}' provided by {}",
                self.variable
            ))
        })
    }
}

/// Parses the value of `variable` as a number of type `N`.
pub(crate) fn parse<'de, D, N>(deserializer: D, variable: &'static str) -> Result<N, D::Error>
where
    D: Deserializer<'de>,
    N: FromStr + TryFrom<u64>,
    N::Err: fmt::Display,
{
    deserializer.deserialize_any(NumberVisitor {
        variable,
        number: PhantomData,
    })
}

/// An optional number read from its text, for `Option` fields of a flattened section outside
/// this crate (`deserialize_with`): unset is `None`, and a failure names `variable` as envy does.
pub fn optional_number<'de, D, N>(
    deserializer: D,
    variable: &'static str,
) -> Result<Option<N>, D::Error>
where
    D: Deserializer<'de>,
    N: FromStr,
    N::Err: fmt::Display,
{
    let text: Option<String> = serde::Deserialize::deserialize(deserializer)?;
    text.map(|text| {
        text.trim().parse().map_err(|e| {
            de::Error::custom(format!(
                "{e} while parsing value '{text}' provided by {variable}"
            ))
        })
    })
    .transpose()
}

/// One `deserialize_with` function per numeric variable of the shared sections.
macro_rules! number_fields {
    ($($name:ident: $ty:ty = $variable:literal;)*) => {
        $(
            pub(crate) fn $name<'de, D: Deserializer<'de>>(d: D) -> Result<$ty, D::Error> {
                parse(d, $variable)
            }
        )*
    };
}

number_fields! {
    http_port: u16 = "HTTP_PORT";
    request_timeout_ms: u64 = "REQUEST_TIMEOUT_MS";
    pool_size: u32 = "DATABASE_POOL_SIZE";
    pool_timeout_ms: u64 = "DATABASE_TIMEOUT_MS";
    connect_timeout_secs: u64 = "DATABASE_CONNECT_TIMEOUT_SECS";
    statement_timeout_ms: u64 = "DATABASE_STATEMENT_TIMEOUT_MS";
    lock_timeout_ms: u64 = "DATABASE_LOCK_TIMEOUT_MS";
    idle_in_transaction_timeout_ms: u64 = "DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS";
}
