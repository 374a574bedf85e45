//! One client connection: a read buffer turned into requests, and a write buffer of replies.
//!
//! Replies are only encoded into the write buffer; it is written out when the read buffer holds
//! no further complete request (so a pipelined batch is answered with one write), or earlier
//! when it grows past [`FLUSH_THRESHOLD`].

use std::io;

use bytes::{Buf, BytesMut};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_util::sync::CancellationToken;

use super::encode::{len_i64, put_bulk, put_int};
use super::frame::{self, Frame, FrameError, Limits};

use super::skip::Skip;

/// Pending replies are written out early once they reach this size.
pub const FLUSH_THRESHOLD: usize = 64 * 1024;
const READ_CHUNK: usize = 16 * 1024;

/// What the client sent next.
#[derive(Debug)]
pub enum Incoming {
    /// A complete request.
    Frame(Frame),
    /// A request with an argument over the size limit, already discarded.
    Refused,
}

/// Why the connection must be closed.
#[derive(Debug, thiserror::Error)]
pub enum ConnectionError {
    /// Reading or writing the socket failed.
    #[error("socket error: {0}")]
    Io(#[from] io::Error),
    /// The client sent bytes that are not RESP; the text follows `Protocol error: `.
    #[error("protocol error: {0}")]
    Protocol(String),
}

/// A RESP connection over a TCP stream.
#[derive(Debug)]
pub struct Connection {
    stream: TcpStream,
    read_buf: BytesMut,
    write_buf: Replies,
    skip: Option<Skip>,
    limits: Limits,
}

impl Connection {
    /// Wraps an accepted stream.
    pub fn new(stream: TcpStream, limits: Limits) -> Connection {
        Connection {
            stream,
            read_buf: BytesMut::with_capacity(READ_CHUNK),
            write_buf: Replies(BytesMut::with_capacity(READ_CHUNK)),
            skip: None,
            limits,
        }
    }

    /// The next request; `Ok(None)` when the client closed or shutdown began while idle.
    ///
    /// Pending replies are flushed before waiting for more bytes.
    pub async fn read_frame(
        &mut self,
        shutdown: &CancellationToken,
    ) -> Result<Option<Incoming>, ConnectionError> {
        loop {
            if let Some(incoming) = self.take_buffered()? {
                return Ok(Some(incoming));
            }
            self.flush().await?;
            self.reserve_for_read();
            let read = tokio::select! {
                biased;
                () = shutdown.cancelled() => return Ok(None),
                read = self.stream.read_buf(&mut self.read_buf) => read?,
            };
            if read == 0 {
                return Ok(None);
            }
        }
    }

    /// A request already in the read buffer, if there is a complete one.
    fn take_buffered(&mut self) -> Result<Option<Incoming>, ConnectionError> {
        loop {
            if let Some(skip) = self.skip.as_mut() {
                return match skip.advance(&mut self.read_buf) {
                    Ok(true) => {
                        self.skip = None;
                        Ok(Some(Incoming::Refused))
                    }
                    Ok(false) => Ok(None),
                    Err(err) => Err(protocol_error(err)),
                };
            }
            match frame::check(&self.read_buf, &self.limits) {
                Ok(checked) => {
                    let data = self.read_buf.split_to(checked.len).freeze();
                    let parsed = frame::parse(data, checked).map_err(protocol_error)?;
                    return Ok(Some(Incoming::Frame(parsed)));
                }
                Err(FrameError::Incomplete) => return Ok(None),
                Err(FrameError::TooLarge(skip)) => self.skip = Some(skip),
                Err(err) => return Err(protocol_error(err)),
            }
        }
    }

    /// Grows the read buffer geometrically while a large request arrives, so it is checked
    /// O(log n) times rather than once per small read.
    fn reserve_for_read(&mut self) {
        let extra = self.read_buf.len().clamp(READ_CHUNK, 8 * 1024 * 1024);
        self.read_buf.reserve(extra);
    }

    /// The queue of replies not yet written.
    pub fn replies(&mut self) -> &mut Replies {
        &mut self.write_buf
    }

    /// Whether enough replies are pending that they should be written now.
    pub fn should_flush(&self) -> bool {
        self.write_buf.0.len() >= FLUSH_THRESHOLD
    }

    /// Writes every pending reply. Cancel-safe: unwritten bytes stay queued.
    pub async fn flush(&mut self) -> io::Result<()> {
        while self.write_buf.0.has_remaining() {
            if self.stream.write_buf(&mut self.write_buf.0).await? == 0 {
                return Err(io::ErrorKind::WriteZero.into());
            }
        }
        Ok(())
    }
}

/// Replies queued for a client, encoded as RESP2.
#[derive(Debug, Default)]
pub struct Replies(pub BytesMut);

impl Replies {
    /// Queues a reply.
    pub fn frame(&mut self, frame: &Frame) {
        frame.encode(&mut self.0);
    }

    /// Queues `+OK`.
    pub fn ok(&mut self) {
        self.0.extend_from_slice(b"+OK\r\n");
    }

    /// Queues a bulk string.
    pub fn bulk(&mut self, data: &[u8]) {
        put_bulk(&mut self.0, data);
    }

    /// Queues a bulk string, or nil for `None`.
    pub fn optional_bulk(&mut self, data: Option<&[u8]>) {
        match data {
            Some(data) => self.bulk(data),
            None => self.null(),
        }
    }

    /// Queues the RESP2 nil (`$-1`).
    pub fn null(&mut self) {
        self.0.extend_from_slice(b"$-1\r\n");
    }

    /// Queues an integer.
    pub fn integer(&mut self, n: i64) {
        put_int(&mut self.0, b':', n);
    }

    /// Queues an array header announcing `len` elements.
    pub fn array_len(&mut self, len: usize) {
        put_int(&mut self.0, b'*', len_i64(len));
    }

    /// Queues an error reply; `text` starts with its code, as in `ERR syntax error`.
    pub fn error(&mut self, text: impl Into<String>) {
        self.frame(&Frame::error(text));
    }
}

fn protocol_error(err: FrameError) -> ConnectionError {
    match err {
        FrameError::Protocol(text) => ConnectionError::Protocol(text.into_owned()),
        FrameError::Incomplete => ConnectionError::Protocol("unexpected end of request".into()),
        FrameError::TooLarge(_) => ConnectionError::Protocol("invalid bulk length".into()),
    }
}
