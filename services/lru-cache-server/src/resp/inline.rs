//! Inline requests (`SET k "hello world"` typed in telnet), split like Redis' `sdssplitargs`:
//! whitespace separates arguments, double quotes allow `\n \r \t \b \a \xHH` escapes, single
//! quotes allow `\'`, and a closing quote must be followed by whitespace or the end.

use std::borrow::Cow;

use bytes::Bytes;

use super::frame::{Frame, FrameError};

/// Parses one inline request line (including its `\n`) into an array of bulk arguments.
pub fn parse(line: &[u8]) -> Result<Frame, FrameError> {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let args = split_args(line).ok_or(FrameError::Protocol(Cow::Borrowed(
        "unbalanced quotes in request",
    )))?;
    Ok(Frame::Array(
        args.into_iter()
            .map(|a| Frame::Bulk(Bytes::from(a)))
            .collect(),
    ))
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// Splits a line into arguments; `None` when quotes are unbalanced.
pub fn split_args(line: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut args = Vec::new();
    let mut pos = 0;
    loop {
        while line.get(pos).is_some_and(|&b| is_space(b)) {
            pos += 1;
        }
        if pos >= line.len() {
            return Some(args);
        }
        let (arg, next) = split_one(line, pos)?;
        args.push(arg);
        pos = next;
    }
}

/// Reads one argument starting at `pos`; returns it and the position after it.
fn split_one(line: &[u8], mut pos: usize) -> Option<(Vec<u8>, usize)> {
    let mut arg = Vec::new();
    loop {
        match line.get(pos) {
            None => return Some((arg, pos)),
            Some(&b) if is_space(b) => return Some((arg, pos)),
            Some(b'"') => pos = double_quoted(line, pos + 1, &mut arg)?,
            Some(b'\'') => pos = single_quoted(line, pos + 1, &mut arg)?,
            Some(&b) => {
                arg.push(b);
                pos += 1;
            }
        }
    }
}

/// After a closing quote Redis requires whitespace or the end of the line.
fn after_closing_quote(line: &[u8], pos: usize) -> Option<usize> {
    match line.get(pos) {
        None => Some(pos),
        Some(&b) if is_space(b) => Some(pos),
        Some(_) => None,
    }
}

fn double_quoted(line: &[u8], mut pos: usize, arg: &mut Vec<u8>) -> Option<usize> {
    loop {
        match line.get(pos)? {
            b'"' => return after_closing_quote(line, pos + 1),
            b'\\' => {
                if let Some(byte) = hex_escape(line, pos) {
                    arg.push(byte);
                    pos += 4;
                    continue;
                }
                let escaped = *line.get(pos + 1)?;
                arg.push(match escaped {
                    b'n' => b'\n',
                    b'r' => b'\r',
                    b't' => b'\t',
                    b'b' => 0x08,
                    b'a' => 0x07,
                    other => other,
                });
                pos += 2;
            }
            &b => {
                arg.push(b);
                pos += 1;
            }
        }
    }
}

/// `\xHH` at `pos`, as a byte.
fn hex_escape(line: &[u8], pos: usize) -> Option<u8> {
    let digits = line.get(pos + 1..pos + 4)?;
    if digits[0] != b'x' {
        return None;
    }
    let hi = char::from(digits[1]).to_digit(16)?;
    let lo = char::from(digits[2]).to_digit(16)?;
    u8::try_from(hi * 16 + lo).ok()
}

fn single_quoted(line: &[u8], mut pos: usize, arg: &mut Vec<u8>) -> Option<usize> {
    loop {
        match line.get(pos)? {
            b'\'' => return after_closing_quote(line, pos + 1),
            b'\\' if line.get(pos + 1) == Some(&b'\'') => {
                arg.push(b'\'');
                pos += 2;
            }
            &b => {
                arg.push(b);
                pos += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(line: &str) -> Option<Vec<String>> {
        split_args(line.as_bytes()).map(|args| {
            args.into_iter()
                .map(|a| String::from_utf8(a).unwrap())
                .collect()
        })
    }

    #[test]
    fn plain_words_are_split_on_whitespace() {
        assert_eq!(split("  SET  k\tv ").unwrap(), ["SET", "k", "v"]);
    }

    #[test]
    fn quotes_group_words_and_escapes_are_decoded() {
        let args = split(r#"SET "a b\x41\n" 'it\'s'"#).unwrap();
        assert_eq!(args, ["SET", "a bA\n", "it's"]);
    }

    #[test]
    fn unbalanced_or_glued_quotes_are_refused() {
        assert_eq!(split(r#"SET "abc"#), None);
        assert_eq!(split(r#"SET "a"b"#), None);
        assert_eq!(split("SET 'a"), None);
    }
}
