//! Client and event names: 1..64 of ASCII letters, digits, `_` and `-`, so a routing key
//! `{client}.{event}` never carries a `.`, `*` or `#` of its own.

use crate::core::CoreError;
use std::fmt;

/// Longest name allowed (matches the `VARCHAR(64)` columns).
pub const MAX_NAME_LEN: usize = 64;

/// A checked client or event name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Name(String);

impl Name {
    /// Checks `value`; `field` (`client` or `event`) names it in the error.
    pub fn parse(field: &str, value: &str) -> Result<Self, CoreError> {
        let well_formed = !value.is_empty()
            && value.len() <= MAX_NAME_LEN
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if well_formed {
            Ok(Self(value.to_owned()))
        } else {
            Err(CoreError::InvalidName {
                field: field.to_owned(),
            })
        }
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_digits_underscore_and_dash_up_to_64_are_accepted() {
        for ok in ["a", "Fruits", "my_client-2", &"x".repeat(64)] {
            assert!(Name::parse("client", ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn empty_long_dotted_wildcard_or_non_ascii_names_are_rejected() {
        for bad in ["", &"x".repeat(65), "a.b", "a*", "#", "a b", "é", "a/b"] {
            assert!(
                matches!(Name::parse("event", bad), Err(CoreError::InvalidName { field }) if field == "event"),
                "{bad}"
            );
        }
    }
}
