//! SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]

use bytes::Bytes;

use super::CmdError;
use crate::resp::Parse;
use crate::resp::connection::Replies;
use crate::resp::parse::parse_i64;
use crate::state::AppState;

/// `SCAN`: the next cursor and a page of keys. A full iteration (from cursor 0 until 0 comes
/// back) returns every key present throughout it (`db::scan` has the cursor's design).
#[derive(Debug)]
pub struct Scan {
    cursor: u64,
    pattern: Option<Bytes>,
    count: usize,
    /// False when TYPE names another type than `string` (then no key matches).
    strings: bool,
}

/// Redis reads the cursor with `strtoull`: digits with an optional sign (a minus wraps), no
/// space, no overflow.
fn cursor(text: &[u8]) -> Option<u64> {
    let (negative, digits) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let value: u64 = std::str::from_utf8(digits).ok()?.parse().ok()?;
    Some(if negative {
        value.wrapping_neg()
    } else {
        value
    })
}

impl Scan {
    /// Reads the cursor and options.
    pub fn parse_frames(parse: &mut Parse) -> Result<Scan, CmdError> {
        let text = parse.next_bytes()?;
        let cursor = cursor(&text).ok_or_else(|| CmdError::Other("ERR invalid cursor".into()))?;
        let mut scan = Scan {
            cursor,
            pattern: None,
            count: 10,
            strings: true,
        };
        while let Ok(option) = parse.next_bytes() {
            if parse.remaining() == 0 {
                return Err(CmdError::Syntax);
            }
            let value = parse.next_bytes()?;
            match option.to_ascii_uppercase().as_slice() {
                b"MATCH" => scan.pattern = Some(value),
                b"COUNT" => {
                    let count = parse_i64(&value).ok_or(CmdError::NotInteger)?;
                    scan.count = usize::try_from(count)
                        .ok()
                        .filter(|n| *n >= 1)
                        .ok_or(CmdError::Syntax)?;
                }
                b"TYPE" => scan.strings = value.eq_ignore_ascii_case(b"string"),
                _ => return Err(CmdError::Syntax),
            }
        }
        Ok(scan)
    }

    /// Replies `[cursor, [keys...]]`.
    pub fn apply(self, state: &AppState, dst: &mut Replies) {
        let page = state
            .db
            .scan(self.cursor, self.count, self.pattern.as_deref());
        dst.array_len(2);
        dst.bulk(page.cursor.to_string().as_bytes());
        let keys = if self.strings { &page.keys[..] } else { &[] };
        dst.array_len(keys.len());
        for key in keys {
            dst.bulk(key);
        }
    }
}
