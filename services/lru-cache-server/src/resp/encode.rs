//! Encoding replies as RESP2 or RESP3, without going through `fmt` for numbers.

use std::borrow::Cow;

use bytes::{BufMut, BytesMut};

use super::frame::Frame;
use super::replies::Proto;

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

    /// Appends the encoding of this frame in `proto` to `dst`: in RESP2 a map is a flat array
    /// of its keys and values, a set an array and null `$-1`.
    pub fn encode(&self, dst: &mut BytesMut, proto: Proto) {
        let resp3 = proto == Proto::Resp3;
        match self {
            Frame::Simple(s) => put_line(dst, b'+', s.as_bytes()),
            Frame::Error(s) => put_line(dst, b'-', s.as_bytes()),
            Frame::Integer(n) => put_int(dst, b':', *n),
            Frame::Bulk(b) => put_bulk(dst, b),
            Frame::Null if resp3 => dst.put_slice(b"_\r\n"),
            Frame::Null => dst.put_slice(b"$-1\r\n"),
            Frame::Array(items) => put_items(dst, b'*', items, proto),
            Frame::Set(items) => put_items(dst, if resp3 { b'~' } else { b'*' }, items, proto),
            Frame::Map(pairs) => {
                if resp3 {
                    put_int(dst, b'%', len_i64(pairs.len()));
                } else {
                    put_int(dst, b'*', len_i64(pairs.len().saturating_mul(2)));
                }
                for (key, value) in pairs {
                    key.encode(dst, proto);
                    value.encode(dst, proto);
                }
            }
        }
    }
}

fn put_items(dst: &mut BytesMut, prefix: u8, items: &[Frame], proto: Proto) {
    put_int(dst, prefix, len_i64(items.len()));
    for item in items {
        item.encode(dst, proto);
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
    fn replies_encode_as_resp2_or_resp3() {
        let frame = Frame::Array(vec![
            Frame::Integer(-12),
            Frame::Null,
            Frame::ok(),
            Frame::Map(vec![(Frame::Integer(1), Frame::Set(vec![]))]),
        ]);
        let mut two = BytesMut::new();
        let mut three = BytesMut::new();
        frame.encode(&mut two, Proto::Resp2);
        frame.encode(&mut three, Proto::Resp3);
        assert_eq!(&two[..], b"*4\r\n:-12\r\n$-1\r\n+OK\r\n*2\r\n:1\r\n*0\r\n");
        assert_eq!(&three[..], b"*4\r\n:-12\r\n_\r\n+OK\r\n%1\r\n:1\r\n~0\r\n");
    }
}
