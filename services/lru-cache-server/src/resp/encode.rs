//! Encoding replies as RESP2, without going through `fmt` for numbers.

use std::borrow::Cow;

use bytes::{BufMut, BytesMut};

use super::frame::Frame;

impl Frame {
    /// An error reply; CR and LF are replaced by spaces so the reply stays one line.
    pub fn error(text: impl Into<String>) -> Frame {
        let mut text: String = text.into();
        if text.contains(['\r', '\n']) {
            text = text.replace(['\r', '\n'], " ");
        }
        Frame::Error(Cow::Owned(text))
    }

    /// The `+OK` reply.
    pub const fn ok() -> Frame {
        Frame::Simple(Cow::Borrowed("OK"))
    }

    /// Appends the RESP2 encoding of this frame to `dst`.
    pub fn encode(&self, dst: &mut BytesMut) {
        match self {
            Frame::Simple(s) => put_line(dst, b'+', s.as_bytes()),
            Frame::Error(s) => put_line(dst, b'-', s.as_bytes()),
            Frame::Integer(n) => put_int(dst, b':', *n),
            Frame::Bulk(b) => put_bulk(dst, b),
            Frame::Null => dst.put_slice(b"$-1\r\n"),
            Frame::Array(items) => {
                put_int(dst, b'*', len_i64(items.len()));
                for item in items {
                    item.encode(dst);
                }
            }
        }
    }
}

/// Appends `$len\r\n<data>\r\n` to `dst`.
pub fn put_bulk(dst: &mut BytesMut, data: &[u8]) {
    dst.reserve(data.len() + 16);
    put_int(dst, b'$', len_i64(data.len()));
    dst.put_slice(data);
    dst.put_slice(b"\r\n");
}

/// Appends `<prefix><n>\r\n` to `dst` without going through `fmt`.
pub fn put_int(dst: &mut BytesMut, prefix: u8, n: i64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = n.unsigned_abs();
    loop {
        at -= 1;
        // `rest % 10` is below 10, so the cast cannot truncate.
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    dst.put_u8(prefix);
    if n < 0 {
        dst.put_u8(b'-');
    }
    dst.put_slice(&digits[at..]);
    dst.put_slice(b"\r\n");
}

fn put_line(dst: &mut BytesMut, prefix: u8, text: &[u8]) {
    dst.put_u8(prefix);
    dst.put_slice(text);
    dst.put_slice(b"\r\n");
}

/// Collection lengths always fit an i64 on the platforms we build for.
pub fn len_i64(len: usize) -> i64 {
    i64::try_from(len).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_encode_as_resp2() {
        let mut out = BytesMut::new();
        Frame::Array(vec![Frame::Integer(-12), Frame::Null, Frame::ok()]).encode(&mut out);
        assert_eq!(&out[..], b"*3\r\n:-12\r\n$-1\r\n+OK\r\n");
    }
}
