//! The replies queued for one client, encoded in the protocol the client chose with HELLO
//! (RESP2 until then), and bounded by the client's output-buffer limit.
//!
//! The limit is checked as each reply is appended, so one command that would build a huge
//! reply (an MGET of a large value many times) stops copying once the limit is passed; the
//! connection then closes that client ([`Replies::over_limit`]).

use bytes::BytesMut;

use super::encode::{len_i64, put_bulk, put_int};
use super::frame::Frame;

/// The protocol version of a connection.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Proto {
    /// RESP2, every connection's protocol until `HELLO 3`.
    #[default]
    Resp2,
    /// RESP3: `_` null, `%` maps, `=` verbatim strings.
    Resp3,
}

impl Proto {
    /// The number HELLO reports as `proto`.
    pub fn version(self) -> i64 {
        match self {
            Proto::Resp2 => 2,
            Proto::Resp3 => 3,
        }
    }
}

/// Replies queued for a client and not yet written.
#[derive(Debug)]
pub struct Replies(pub BytesMut, Shape);

/// How replies are encoded and how much may be pending.
#[derive(Debug)]
pub struct Shape {
    proto: Proto,
    limit: usize,
    over: bool,
}

impl Default for Replies {
    fn default() -> Replies {
        Replies::new(BytesMut::new(), usize::MAX)
    }
}

impl Replies {
    /// An empty RESP2 queue that may hold about `limit` bytes (`CACHE_CLIENT_OUTPUT_LIMIT_BYTES`).
    pub fn new(buf: BytesMut, limit: usize) -> Replies {
        Replies(
            buf,
            Shape {
                proto: Proto::Resp2,
                limit,
                over: false,
            },
        )
    }

    /// The protocol replies are encoded in.
    pub fn proto(&self) -> Proto {
        self.1.proto
    }

    /// Switches the protocol (HELLO).
    pub fn set_proto(&mut self, proto: Proto) {
        self.1.proto = proto;
    }

    /// Whether pending replies passed the output-buffer limit: the client must be closed and
    /// what is queued dropped. Once set, further replies are not encoded.
    pub fn over_limit(&self) -> bool {
        // Small replies (`+OK`, integers) skip the check as they are appended; they are
        // caught here, after each command.
        self.1.over || self.0.len() > self.1.limit
    }

    /// Whether `extra` more bytes fit under the limit; marks the queue over the limit if not.
    fn room_for(&mut self, extra: usize) -> bool {
        if self.1.over || self.0.len().saturating_add(extra) > self.1.limit {
            self.1.over = true;
            return false;
        }
        true
    }

    /// Queues a reply.
    pub fn frame(&mut self, frame: &Frame) {
        if self.room_for(0) {
            frame.encode(&mut self.0, self.1.proto);
        }
    }

    /// Queues `+OK`.
    pub fn ok(&mut self) {
        self.0.extend_from_slice(b"+OK\r\n");
    }

    /// Queues a simple string (`+text`); `text` must not contain CR or LF.
    pub fn simple(&mut self, text: &str) {
        self.0.extend_from_slice(b"+");
        self.0.extend_from_slice(text.as_bytes());
        self.0.extend_from_slice(b"\r\n");
    }

    /// Queues a bulk string.
    pub fn bulk(&mut self, data: &[u8]) {
        if self.room_for(data.len()) {
            put_bulk(&mut self.0, data);
        }
    }

    /// Queues a bulk string, or the null reply for `None`.
    pub fn optional_bulk(&mut self, data: Option<&[u8]>) {
        match data {
            Some(data) => self.bulk(data),
            None => self.null(),
        }
    }

    /// Queues the null reply: `$-1` in RESP2, `_` in RESP3.
    pub fn null(&mut self) {
        self.0.extend_from_slice(match self.1.proto {
            Proto::Resp2 => b"$-1\r\n",
            Proto::Resp3 => b"_\r\n",
        });
    }

    /// Queues the null array (an aborted EXEC): `*-1` in RESP2, `_` in RESP3.
    pub fn null_array(&mut self) {
        self.0.extend_from_slice(match self.1.proto {
            Proto::Resp2 => b"*-1\r\n",
            Proto::Resp3 => b"_\r\n",
        });
    }

    /// Queues an integer.
    pub fn integer(&mut self, n: i64) {
        put_int(&mut self.0, b':', n);
    }

    /// Queues an array header announcing `len` elements.
    pub fn array_len(&mut self, len: usize) {
        put_int(&mut self.0, b'*', len_i64(len));
    }

    /// Queues a map header announcing `len` pairs: `%len` in RESP3, `*2len` in RESP2.
    pub fn map_len(&mut self, len: usize) {
        match self.1.proto {
            Proto::Resp2 => put_int(&mut self.0, b'*', len_i64(len.saturating_mul(2))),
            Proto::Resp3 => put_int(&mut self.0, b'%', len_i64(len)),
        }
    }

    /// Queues text as a verbatim string of format `txt` in RESP3 (INFO), a bulk string in RESP2.
    pub fn verbatim(&mut self, text: &[u8]) {
        if self.1.proto == Proto::Resp2 {
            return self.bulk(text);
        }
        if self.room_for(text.len()) {
            put_int(&mut self.0, b'=', len_i64(text.len() + 4));
            self.0.extend_from_slice(b"txt:");
            self.0.extend_from_slice(text);
            self.0.extend_from_slice(b"\r\n");
        }
    }

    /// Queues an error reply; `text` starts with its code, as in `ERR syntax error`.
    pub fn error(&mut self, text: impl Into<String>) {
        self.frame(&Frame::error(text));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nulls_maps_and_verbatim_strings_follow_the_protocol() {
        let mut two = Replies::default();
        let mut three = Replies::default();
        three.set_proto(Proto::Resp3);
        for replies in [&mut two, &mut three] {
            replies.null();
            replies.map_len(1);
            replies.verbatim(b"a");
        }
        assert_eq!(&two.0[..], b"$-1\r\n*2\r\n$1\r\na\r\n");
        assert_eq!(&three.0[..], b"_\r\n%1\r\n=5\r\ntxt:a\r\n");
    }

    #[test]
    fn a_reply_past_the_limit_is_not_encoded_and_marks_the_queue() {
        let mut replies = Replies::new(BytesMut::new(), 100);
        replies.bulk(&[b'x'; 50]);
        assert!(!replies.over_limit());
        replies.bulk(&[b'x'; 50]);
        assert!(replies.over_limit());
        assert!(replies.0.len() < 100);
    }
}
