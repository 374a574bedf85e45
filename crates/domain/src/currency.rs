//! The fiat currencies BTC can be bought with.

use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// EUR, GBP or USD.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "&'static str")]
pub enum Currency {
    /// Euro.
    Eur,
    /// Pound sterling.
    Gbp,
    /// US dollar.
    Usd,
}

impl Currency {
    /// Every currency, in a stable order.
    pub const ALL: [Currency; 3] = [Self::Eur, Self::Gbp, Self::Usd];

    /// The ISO 4217 code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Eur => "EUR",
            Self::Gbp => "GBP",
            Self::Usd => "USD",
        }
    }

    /// "EUR, GBP, USD", for error messages.
    pub fn allowed_list() -> String {
        Self::ALL.map(Self::code).join(", ")
    }
}

/// A code that is not EUR, GBP or USD.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unsupported currency '{0}'; expected one of EUR, GBP, USD")]
pub struct UnknownCurrency(pub String);

impl FromStr for Currency {
    type Err = UnknownCurrency;

    /// Exact upper-case codes only.
    fn from_str(code: &str) -> Result<Self, Self::Err> {
        match code {
            "EUR" => Ok(Self::Eur),
            "GBP" => Ok(Self::Gbp),
            "USD" => Ok(Self::Usd),
            other => Err(UnknownCurrency(other.to_owned())),
        }
    }
}

impl TryFrom<String> for Currency {
    type Error = UnknownCurrency;

    fn try_from(code: String) -> Result<Self, Self::Error> {
        code.parse()
    }
}

impl From<Currency> for &'static str {
    fn from(currency: Currency) -> Self {
        currency.code()
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_others_are_refused() {
        for currency in Currency::ALL {
            assert_eq!(currency.code().parse::<Currency>(), Ok(currency));
        }
        assert!("eur".parse::<Currency>().is_err());
        assert!("JPY".parse::<Currency>().is_err());
    }
}
