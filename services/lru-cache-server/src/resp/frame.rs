//! RESP frames: checking a request in the read buffer and parsing it.
//!
//! Encoding replies lives in `encode.rs`. A request is checked first ([`check`]) without allocating anything; only a complete,
//! well-formed request is then parsed ([`parse`]). [`FrameError::Incomplete`] is the cheap,
//! expected outcome while bytes are still arriving. Every declared length is compared with a
//! limit before anything is allocated for it.

use std::borrow::Cow;

use bytes::Bytes;

use super::inline;
use super::skip::Skip;

/// Most arguments one multibulk request may declare (Redis' own limit).
pub const MAX_MULTIBULK_LEN: i64 = 1024 * 1024;
/// Largest bulk length accepted at all (Redis' default `proto-max-bulk-len`); larger is a
/// protocol error that closes the connection.
pub const PROTO_MAX_BULK_LEN: i64 = 512 * 1024 * 1024;
/// Longest inline request or length header line (Redis' `PROTO_INLINE_MAX_SIZE`).
pub const MAX_INLINE_LEN: usize = 64 * 1024;

/// A RESP value, as parsed from a request or sent as a reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Frame {
    /// `+OK`
    Simple(Cow<'static, str>),
    /// `-ERR ...`; the text must not contain CR or LF (see [`Frame::error`]).
    Error(Cow<'static, str>),
    /// `:42`
    Integer(i64),
    /// `$3\r\nfoo`
    Bulk(Bytes),
    /// `$-1`, the RESP2 nil.
    Null,
    /// `*2\r\n...`
    Array(Vec<Frame>),
    /// A RESP3 map (`%1\r\n...`); a flat array of keys and values in RESP2. Replies only.
    Map(Vec<(Frame, Frame)>),
    /// A RESP3 set (`~2\r\n...`); an array in RESP2. Replies only.
    Set(Vec<Frame>),
}

/// Limits applied while checking a request, before anything is allocated.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Longest argument accepted (`CACHE_MAX_VALUE_BYTES`); a longer one is skipped and refused.
    pub max_arg_bytes: usize,
    /// Longest whole request (`CACHE_MAX_REQUEST_BYTES`); a longer one is a protocol error.
    pub max_request_bytes: usize,
}

/// The shape of a complete request found by [`check`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Checked {
    /// Bytes the request occupies at the start of the buffer.
    pub len: usize,
    /// Whether it was an inline (telnet-style) request rather than a multibulk one.
    pub inline: bool,
    /// Number of arguments declared by a multibulk request (0 for inline).
    pub args: usize,
}

/// Why a request could not be taken from the buffer.
#[derive(Debug, PartialEq, Eq)]
pub enum FrameError {
    /// Not enough bytes yet; read more and try again.
    Incomplete,
    /// An argument is longer than the limit: skip it without buffering, then refuse the command.
    TooLarge(Skip),
    /// The bytes are not RESP; reply `-ERR Protocol error: ...` and close the connection.
    Protocol(Cow<'static, str>),
}

/// How far [`check_from`] got through an incomplete request, so the next check, after more
/// bytes arrived, resumes there instead of scanning the request again from its start.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// The multibulk count, once its line was read.
    count: Option<usize>,
    /// Arguments checked whole.
    args: usize,
    /// Where the next element starts (after the count line and the checked arguments).
    pos: usize,
    /// Bytes of the current line already searched for its end.
    line_scanned: usize,
    /// Bytes searched and elements visited in all: the work done, for tests to bound.
    pub examined: usize,
}

/// Checks whether `buf` starts with a complete request, without allocating.
pub fn check(buf: &[u8], limits: &Limits) -> Result<Checked, FrameError> {
    check_from(buf, limits, &mut Progress::default())
}

/// [`check`], resuming from `progress` (which must come from checking a prefix of the same
/// bytes). Reset `progress` once the request is taken from the buffer or skipped.
pub fn check_from(
    buf: &[u8],
    limits: &Limits,
    progress: &mut Progress,
) -> Result<Checked, FrameError> {
    match buf.first() {
        None => Err(FrameError::Incomplete),
        Some(b'*') => check_multibulk(buf, limits, progress),
        Some(_) => check_inline(buf, progress),
    }
}

fn check_inline(buf: &[u8], progress: &mut Progress) -> Result<Checked, FrameError> {
    let window = &buf[..buf.len().min(MAX_INLINE_LEN + 1)];
    let from = progress.line_scanned.min(window.len());
    let found = window[from..].iter().position(|&b| b == b'\n');
    progress.examined += found.map_or(window.len() - from, |at| at + 1);
    match found {
        Some(newline) => Ok(Checked {
            len: from + newline + 1,
            inline: true,
            args: 0,
        }),
        None if buf.len() > MAX_INLINE_LEN => Err(protocol("too big inline request")),
        None => {
            progress.line_scanned = window.len();
            Err(FrameError::Incomplete)
        }
    }
}

fn check_multibulk(
    buf: &[u8],
    limits: &Limits,
    progress: &mut Progress,
) -> Result<Checked, FrameError> {
    let count = match progress.count {
        Some(count) => count,
        None => {
            let (line, pos) = read_line(buf, 1, "too big mbulk count string", progress)?;
            let count = parse_len(line)
                .filter(|n| *n <= MAX_MULTIBULK_LEN)
                .ok_or_else(|| protocol("invalid multibulk length"))?;
            // Redis ignores `*0` and `*-1` requests; they parse to an empty array.
            let count = usize::try_from(count).unwrap_or(0);
            *progress = Progress {
                count: Some(count),
                pos,
                line_scanned: 0,
                ..*progress
            };
            count
        }
    };
    while progress.args < count {
        progress.examined += 1;
        let pos = progress.pos;
        match buf.get(pos) {
            None => return Err(FrameError::Incomplete),
            Some(b'$') => {}
            Some(&other) => {
                return Err(FrameError::Protocol(Cow::Owned(format!(
                    "expected '$', got '{}'",
                    char::from(other)
                ))));
            }
        }
        let (data_start, len) = bulk_header(buf, pos + 1, progress)?;
        if len > limits.max_arg_bytes {
            let rest = count - progress.args - 1;
            return Err(FrameError::TooLarge(Skip::new(data_start, len, rest)));
        }
        let end = data_start + len + 2;
        if end > limits.max_request_bytes {
            return Err(FrameError::Protocol(Cow::Owned(format!(
                "request is larger than {} bytes (CACHE_MAX_REQUEST_BYTES)",
                limits.max_request_bytes
            ))));
        }
        if buf.len() < end {
            return Err(FrameError::Incomplete);
        }
        if &buf[end - 2..end] != b"\r\n" {
            return Err(protocol("bulk data is not followed by CRLF"));
        }
        progress.pos = end;
        progress.args += 1;
        progress.line_scanned = 0;
    }
    Ok(Checked {
        len: progress.pos,
        inline: false,
        args: count,
    })
}

/// Reads the length line of a bulk string whose `$` is at `at - 1`; returns where its data
/// starts and its declared length.
pub(super) fn read_bulk_header(buf: &[u8], at: usize) -> Result<(usize, usize), FrameError> {
    bulk_header(buf, at, &mut Progress::default())
}

fn bulk_header(
    buf: &[u8],
    at: usize,
    progress: &mut Progress,
) -> Result<(usize, usize), FrameError> {
    let (line, data_start) = read_line(buf, at, "too big bulk count string", progress)?;
    let len = parse_len(line)
        .filter(|n| (0..=PROTO_MAX_BULK_LEN).contains(n))
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(|| protocol("invalid bulk length"))?;
    Ok((data_start, len))
}

/// Finds the CRLF-terminated line starting at `at`, searching from where the last search of
/// the same line stopped; returns the line and the position after it.
fn read_line<'a>(
    buf: &'a [u8],
    at: usize,
    too_big: &'static str,
    progress: &mut Progress,
) -> Result<(&'a [u8], usize), FrameError> {
    let rest = buf.get(at..).unwrap_or_default();
    let window = &rest[..rest.len().min(MAX_INLINE_LEN)];
    let from = progress.line_scanned.min(window.len());
    let found = window[from..].iter().position(|&b| b == b'\r');
    progress.examined += found.map_or(window.len() - from, |at| at + 1);
    match found {
        Some(found) => {
            let cr = from + found;
            // Keep the CR as the resume point: the LF may not have arrived yet.
            progress.line_scanned = cr;
            match rest.get(cr + 1) {
                None => Err(FrameError::Incomplete),
                Some(b'\n') => Ok((&rest[..cr], at + cr + 2)),
                Some(_) => Err(protocol("length line is not terminated by CRLF")),
            }
        }
        None if rest.len() >= MAX_INLINE_LEN => Err(protocol(too_big)),
        None => {
            progress.line_scanned = window.len();
            Err(FrameError::Incomplete)
        }
    }
}

/// Parses a length the way Redis' `string2ll` does: optional `-`, digits, no `+`, no spaces.
fn parse_len(line: &[u8]) -> Option<i64> {
    super::parse::parse_i64(line)
}

fn protocol(message: &'static str) -> FrameError {
    FrameError::Protocol(Cow::Borrowed(message))
}

/// Parses a request that [`check`] found complete; `data` holds exactly `checked.len` bytes.
pub fn parse(data: Bytes, checked: Checked) -> Result<Frame, FrameError> {
    if checked.inline {
        return inline::parse(&data);
    }
    let mut args = Vec::with_capacity(checked.args);
    let mut pos = match data.iter().position(|&b| b == b'\n') {
        Some(newline) => newline + 1,
        None => return Err(protocol("invalid multibulk header")),
    };
    for _ in 0..checked.args {
        let (start, len) = read_bulk_header(&data, pos + 1)?;
        args.push(Frame::Bulk(data.slice(start..start + len)));
        pos = start + len + 2;
    }
    Ok(Frame::Array(args))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits {
        max_arg_bytes: 16,
        max_request_bytes: 64,
    };

    fn take(input: &[u8]) -> Result<Frame, FrameError> {
        let checked = check(input, &LIMITS)?;
        parse(Bytes::copy_from_slice(&input[..checked.len]), checked)
    }

    #[test]
    fn a_multibulk_request_parses_into_bulk_arguments() {
        let frame = take(b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n").unwrap();
        let expected = Frame::Array(vec![
            Frame::Bulk(Bytes::from_static(b"GET")),
            Frame::Bulk(Bytes::from_static(b"k")),
        ]);
        assert_eq!(frame, expected);
    }

    #[test]
    fn every_proper_prefix_of_a_request_is_incomplete() {
        let input = b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n";
        for end in 0..input.len() {
            assert_eq!(check(&input[..end], &LIMITS), Err(FrameError::Incomplete));
        }
    }

    #[test]
    fn a_request_arriving_byte_by_byte_is_scanned_about_once() {
        let limits = Limits {
            max_arg_bytes: 1024,
            max_request_bytes: 1 << 20,
        };
        let mut request = b"*10001\r\n$4\r\nMSET\r\n".to_vec();
        for i in 0..5000 {
            let key = format!("key:{i}");
            request.extend_from_slice(
                format!("${}\r\n{key}\r\n$5\r\nvalue\r\n", key.len()).as_bytes(),
            );
        }
        let mut progress = Progress::default();
        for end in 1..request.len() {
            let result = check_from(&request[..end], &limits, &mut progress);
            assert_eq!(result, Err(FrameError::Incomplete), "at {end}");
        }
        let checked = check_from(&request, &limits, &mut progress).unwrap();
        assert_eq!((checked.len, checked.args), (request.len(), 10001));
        // Each byte searched once plus a step per element and per read: linear, where
        // rescanning from the start would be about request.len()^2 / 2 (10^10 here).
        let bound = 3 * request.len();
        assert!(
            progress.examined <= bound,
            "{} > {bound}",
            progress.examined
        );
    }

    #[test]
    fn an_inline_request_arriving_byte_by_byte_is_scanned_once() {
        let line = [vec![b'a'; 60_000], b"\r\n".to_vec()].concat();
        let mut progress = Progress::default();
        for end in 1..line.len() {
            assert_eq!(
                check_from(&line[..end], &LIMITS, &mut progress),
                Err(FrameError::Incomplete)
            );
        }
        assert!(check_from(&line, &LIMITS, &mut progress).is_ok());
        assert!(progress.examined <= line.len(), "{}", progress.examined);
    }

    #[test]
    fn an_oversized_argument_is_skipped_not_buffered() {
        let result = check(b"*3\r\n$3\r\nSET\r\n$100\r\n", &LIMITS);
        assert_eq!(result, Err(FrameError::TooLarge(Skip::new(19, 100, 1))));
    }
}
