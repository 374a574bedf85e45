//! A cursor over the arguments of a command, with Redis' strict number parsing.

use std::vec;

use bytes::Bytes;

use super::frame::Frame;

/// The arguments of one command after its name, taken in order.
#[derive(Debug)]
pub struct Parse {
    args: vec::IntoIter<Bytes>,
}

/// Why an argument could not be read.
#[derive(Debug, PartialEq, Eq)]
pub enum ParseError {
    /// Fewer arguments than the command needs (arity is checked first, so rarely seen).
    EndOfStream,
    /// An argument that must be an integer is not one: `value is not an integer or out of range`.
    NotInteger,
}

impl Parse {
    /// Wraps the arguments of a command (its name already removed).
    pub fn new(args: Vec<Bytes>) -> Parse {
        Parse {
            args: args.into_iter(),
        }
    }

    /// How many arguments are left.
    pub fn remaining(&self) -> usize {
        self.args.len()
    }

    /// The next argument as raw bytes.
    pub fn next_bytes(&mut self) -> Result<Bytes, ParseError> {
        self.args.next().ok_or(ParseError::EndOfStream)
    }

    /// The next argument, which must be a base-10 integer as Redis reads one.
    pub fn next_int(&mut self) -> Result<i64, ParseError> {
        parse_i64(&self.next_bytes()?).ok_or(ParseError::NotInteger)
    }

    /// Every remaining argument.
    pub fn rest(&mut self) -> Vec<Bytes> {
        self.args.by_ref().collect()
    }
}

/// Splits a request frame into its arguments; `None` if it is not an array of bulk strings.
pub fn into_args(frame: Frame) -> Option<Vec<Bytes>> {
    let Frame::Array(items) = frame else {
        return None;
    };
    items
        .into_iter()
        .map(|item| match item {
            Frame::Bulk(bytes) => Some(bytes),
            _ => None,
        })
        .collect()
}

/// Parses an i64 exactly like Redis' `string2ll`: an optional `-`, then digits with no leading
/// zero (except `0` itself); no `+`, no spaces, nothing after; overflow is refused.
pub fn parse_i64(text: &[u8]) -> Option<i64> {
    let (negative, digits) = match text {
        [b'-', rest @ ..] => (true, rest),
        _ => (false, text),
    };
    match digits {
        [] => return None,
        [b'0'] if !negative => return Some(0),
        [b'0', ..] => return None,
        _ => {}
    }
    let mut value: u64 = 0;
    for &b in digits {
        if !b.is_ascii_digit() {
            return None;
        }
        value = value.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    if negative {
        0i64.checked_sub_unsigned(value)
    } else {
        i64::try_from(value).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_read_as_strictly_as_redis_does() {
        assert_eq!(parse_i64(b"0"), Some(0));
        assert_eq!(parse_i64(b"-42"), Some(-42));
        assert_eq!(parse_i64(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_i64(b"-9223372036854775808"), Some(i64::MIN));
        for bad in [
            &b""[..],
            b"-",
            b"+1",
            b" 1",
            b"1 ",
            b"01",
            b"-0",
            b"1.5",
            b"9223372036854775808",
            b"99999999999999999999999",
        ] {
            assert_eq!(parse_i64(bad), None, "{bad:?}");
        }
    }
}
