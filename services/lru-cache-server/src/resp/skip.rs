//! Discarding a request whose argument is longer than `CACHE_MAX_VALUE_BYTES`.
//!
//! The oversized argument (and the rest of its request) is dropped as it arrives, so it is
//! never held in memory; the command is then refused with an error reply and the connection
//! keeps serving the requests that follow.

use bytes::{Buf, BytesMut};

use super::frame::{FrameError, read_bulk_header};

/// Progress through a request being discarded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Skip {
    /// Bytes of the buffer consumed by the checked prefix, dropped when skipping starts.
    consumed: usize,
    /// Bytes of the current argument (data plus CRLF) still to drop.
    bytes: usize,
    /// Whole `$len\r\n<data>\r\n` arguments still to drop after the current one.
    elements: usize,
}

impl Skip {
    /// A skip that starts after `consumed` bytes, drops `len` bytes of data plus its CRLF,
    /// then `elements` more bulk arguments.
    pub fn new(consumed: usize, len: usize, elements: usize) -> Skip {
        Skip {
            consumed,
            bytes: len.saturating_add(2),
            elements,
        }
    }

    /// Drops what can be dropped from `buf`; `Ok(true)` once the whole request is gone.
    pub fn advance(&mut self, buf: &mut BytesMut) -> Result<bool, FrameError> {
        let consumed = std::mem::take(&mut self.consumed).min(buf.len());
        buf.advance(consumed);
        loop {
            let n = self.bytes.min(buf.len());
            buf.advance(n);
            self.bytes -= n;
            if self.bytes > 0 {
                return Ok(false);
            }
            if self.elements == 0 {
                return Ok(true);
            }
            match buf.first() {
                None => return Ok(false),
                Some(b'$') => {}
                Some(_) => {
                    return Err(FrameError::Protocol(
                        "expected '$' in a skipped request".into(),
                    ));
                }
            }
            match read_bulk_header(buf, 1) {
                Ok((data_start, len)) => {
                    buf.advance(data_start);
                    self.bytes = len + 2;
                    self.elements -= 1;
                }
                Err(FrameError::Incomplete) => return Ok(false),
                Err(other) => return Err(other),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_skip_drops_the_request_across_reads_and_keeps_what_follows() {
        let mut skip = Skip::new(2, 5, 1);
        let mut buf = BytesMut::from(&b"hdabc"[..]);
        assert!(!skip.advance(&mut buf).unwrap());
        buf.extend_from_slice(b"de\r\n$1\r");
        assert!(!skip.advance(&mut buf).unwrap());
        buf.extend_from_slice(b"\nx\r\nPING\r\n");
        assert!(skip.advance(&mut buf).unwrap());
        assert_eq!(&buf[..], b"PING\r\n");
    }
}
