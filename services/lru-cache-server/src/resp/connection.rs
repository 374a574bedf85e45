//! One client connection: a read buffer turned into requests, and a write buffer of replies.
//!
//! Replies are only encoded into the write buffer; it is written out when the read buffer holds
//! no further complete request (so a pipelined batch is answered with one write), or earlier
//! when it grows past [`FLUSH_THRESHOLD`].

use std::cell::RefCell;
use std::future::Future;
use std::io::{self, IoSliceMut};
use std::pin::Pin;

use bytes::{Buf, BytesMut};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

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

    /// The next request; `Ok(None)` when the client closed, or when `shutdown` (the
    /// connection's one cancellation future, polled again on every read) completes while idle.
    ///
    /// Pending replies are flushed before waiting for more bytes.
    pub async fn read_frame(
        &mut self,
        mut shutdown: Pin<&mut impl Future<Output = ()>>,
    ) -> Result<Option<Incoming>, ConnectionError> {
        loop {
            if let Some(incoming) = self.take_buffered()? {
                return Ok(Some(incoming));
            }
            self.flush().await?;
            let want = self.reserve_for_read();
            let read = tokio::select! {
                biased;
                () = shutdown.as_mut() => return Ok(None),
                read = read_into(&self.stream, &mut self.read_buf, want) => read?,
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
    /// O(log n) times rather than once per small read; returns how much the next read may take.
    fn reserve_for_read(&mut self) -> usize {
        let extra = self.read_buf.len().clamp(READ_CHUNK, 8 * 1024 * 1024);
        self.read_buf.reserve(extra);
        extra
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
    ///
    /// `write_buf` on a `TcpStream` is one `writev`; a plain `write` (a `sendto`) measured about
    /// 2% fewer requests per second at `-P 1`.
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

thread_local! {
    /// Where each read lands before it is copied into the connection's buffer: zeroed once per
    /// thread (safe code cannot `readv` into uninitialised memory) and shared by the thread's
    /// connections, as it is only borrowed between a read and its copy, never across an await.
    /// It grows to the largest read the thread has made (at most 8 MiB, see
    /// `reserve_for_read`) and keeps that size.
    static SCRATCH: RefCell<Vec<u8>> = RefCell::new(vec![0; READ_CHUNK]);
}

/// Appends up to `want` bytes of what has arrived to `buf` with one `readv`; 0 at end of stream.
///
/// Not `read_buf`, which is a `recvfrom`: that measured 2 to 3% fewer requests per second at
/// `-P 1` than `readv` (bench/README.md), as `sendto` did against `writev` for the replies.
/// Cancel-safe: nothing is read until the socket is ready.
async fn read_into(stream: &TcpStream, buf: &mut BytesMut, want: usize) -> io::Result<usize> {
    loop {
        stream.readable().await?;
        let read = SCRATCH.with_borrow_mut(|scratch| -> io::Result<usize> {
            if scratch.len() < want {
                scratch.resize(want, 0);
            }
            let read = stream.try_read_vectored(&mut [IoSliceMut::new(&mut scratch[..want])])?;
            buf.extend_from_slice(&scratch[..read]);
            Ok(read)
        });
        match read {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
            other => return other,
        }
    }
}

fn protocol_error(err: FrameError) -> ConnectionError {
    match err {
        FrameError::Protocol(text) => ConnectionError::Protocol(text.into_owned()),
        FrameError::Incomplete => ConnectionError::Protocol("unexpected end of request".into()),
        FrameError::TooLarge(_) => ConnectionError::Protocol("invalid bulk length".into()),
    }
}
