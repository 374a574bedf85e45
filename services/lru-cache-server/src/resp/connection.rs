//! One client connection: a read buffer turned into requests, and a write buffer of replies.
//!
//! Replies are only encoded into the write buffer. What the socket takes is written without
//! waiting whenever the read buffer holds no further complete request (so a pipelined batch is
//! answered with one write) or the buffer passes [`FLUSH_THRESHOLD`]; the connection never
//! stops reading to wait for the client to read, so a client that writes a whole pipeline
//! before reading any reply cannot deadlock it. The output-buffer limit ([`Replies`]) bounds
//! what such a client can make the server hold; the request limit bounds the read buffer
//! (the query-buffer limit), and an idle timeout closes clients that send nothing.

use std::cell::RefCell;
use std::future::Future;
use std::io::{self, IoSlice, IoSliceMut};
use std::pin::Pin;
use std::time::Duration;

use bytes::{Buf, BytesMut};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::time::{Instant, Sleep};

use super::frame::{self, Frame, FrameError, Limits, Progress};
pub use super::replies::Replies;
use super::skip::Skip;

/// Pending replies are written out early once they reach this size.
pub const FLUSH_THRESHOLD: usize = 64 * 1024;
const READ_CHUNK: usize = 16 * 1024;
/// The most one read takes; the read buffer is at most the request limit plus this.
pub const MAX_READ: usize = 8 * 1024 * 1024;

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
    /// The client sent nothing for the idle timeout (`CACHE_TIMEOUT_SECS`).
    #[error("idle for {0:?}")]
    Idle(Duration),
    /// The client's pending replies passed this many bytes; they are dropped unsent.
    #[error("pending replies passed {0} bytes")]
    OutputLimit(usize),
}

/// Per-client bounds besides the request limits.
#[derive(Clone, Copy, Debug)]
pub struct ClientLimits {
    /// Most bytes of replies pending before the client is closed.
    pub output_bytes: usize,
    /// Close a client that sends nothing for this long; `None` never.
    pub idle: Option<Duration>,
}

/// A RESP connection over a TCP stream.
#[derive(Debug)]
pub struct Connection {
    stream: TcpStream,
    read_buf: BytesMut,
    write_buf: Replies,
    skip: Option<Skip>,
    progress: Progress,
    limits: Limits,
    idle: Option<Duration>,
    last_read: Instant,
    idle_timer: Pin<Box<Sleep>>,
}

impl Connection {
    /// Wraps an accepted stream.
    pub fn new(stream: TcpStream, limits: Limits, client: ClientLimits) -> Connection {
        let now = Instant::now();
        let first_check = now + client.idle.unwrap_or(Duration::from_secs(86_400));
        Connection {
            stream,
            read_buf: BytesMut::with_capacity(READ_CHUNK),
            write_buf: Replies::new(BytesMut::with_capacity(READ_CHUNK), client.output_bytes),
            skip: None,
            progress: Progress::default(),
            limits,
            idle: client.idle,
            last_read: now,
            idle_timer: Box::pin(tokio::time::sleep_until(first_check)),
        }
    }

    /// The next request; `Ok(None)` when the client closed, or when `shutdown` (the
    /// connection's one cancellation future, polled again on every read) completes while idle.
    ///
    /// Pending replies are written, as far as the socket takes them, before waiting for more
    /// bytes; while some stay pending, the wait also writes more as the socket drains.
    pub async fn read_frame(
        &mut self,
        mut shutdown: Pin<&mut impl Future<Output = ()>>,
    ) -> Result<Option<Incoming>, ConnectionError> {
        loop {
            if let Some(incoming) = self.take_buffered()? {
                return Ok(Some(incoming));
            }
            self.write_now()?;
            let want = self.reserve_for_read();
            let pending = !self.write_buf.0.is_empty();
            let read = tokio::select! {
                biased;
                () = shutdown.as_mut() => return Ok(None),
                writable = self.stream.writable(), if pending => {
                    writable?;
                    continue;
                }
                () = self.idle_timer.as_mut(), if self.idle.is_some() => {
                    self.idle_expired()?;
                    continue;
                }
                read = read_into(&self.stream, &mut self.read_buf, want) => read?,
            };
            if read == 0 {
                return Ok(None);
            }
            if self.idle.is_some() {
                self.last_read = Instant::now();
            }
        }
    }

    /// The idle timer fired: an error if nothing was read for the whole timeout, else the
    /// timer is moved to the new deadline (so it is re-armed at most once per timeout, not on
    /// every read).
    fn idle_expired(&mut self) -> Result<(), ConnectionError> {
        let Some(idle) = self.idle else {
            return Ok(());
        };
        let deadline = self.last_read + idle;
        if Instant::now() >= deadline {
            return Err(ConnectionError::Idle(idle));
        }
        self.idle_timer.as_mut().reset(deadline);
        Ok(())
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
            match frame::check_from(&self.read_buf, &self.limits, &mut self.progress) {
                Ok(checked) => {
                    self.progress = Progress::default();
                    let data = self.read_buf.split_to(checked.len).freeze();
                    let parsed = frame::parse(data, checked).map_err(protocol_error)?;
                    if checked.inline && self.inline_too_large(&parsed) {
                        return Ok(Some(Incoming::Refused));
                    }
                    return Ok(Some(Incoming::Frame(parsed)));
                }
                Err(FrameError::Incomplete) => return Ok(None),
                Err(FrameError::TooLarge(skip)) => {
                    self.progress = Progress::default();
                    self.skip = Some(skip);
                }
                Err(err) => return Err(protocol_error(err)),
            }
        }
    }

    /// Whether an inline request has an argument over `CACHE_MAX_VALUE_BYTES`.
    fn inline_too_large(&self, frame: &Frame) -> bool {
        let Frame::Array(args) = frame else {
            return false;
        };
        args.iter()
            .any(|arg| matches!(arg, Frame::Bulk(b) if b.len() > self.limits.max_arg_bytes))
    }

    /// Grows the read buffer geometrically while a large request arrives, so fewer reads are
    /// needed; returns how much the next read may take.
    fn reserve_for_read(&mut self) -> usize {
        let extra = self.read_buf.len().clamp(READ_CHUNK, MAX_READ);
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

    /// Writes as much of the pending replies as the socket takes now, without waiting.
    ///
    /// One `writev` per call when it all fits: a plain `write` (a `sendto`) measured about 2%
    /// fewer requests per second at `-P 1`.
    pub fn write_now(&mut self) -> io::Result<()> {
        while !self.write_buf.0.is_empty() {
            let slice = [IoSlice::new(&self.write_buf.0)];
            match self.stream.try_write_vectored(&slice) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => self.write_buf.0.advance(n),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Writes every pending reply, waiting for the client to read them. Cancel-safe: unwritten
    /// bytes stay queued.
    pub async fn flush(&mut self) -> io::Result<()> {
        while self.write_buf.0.has_remaining() {
            if self.stream.write_buf(&mut self.write_buf.0).await? == 0 {
                return Err(io::ErrorKind::WriteZero.into());
            }
        }
        Ok(())
    }
}

thread_local! {
    /// Where each read lands before it is copied into the connection's buffer: zeroed once per
    /// thread (safe code cannot `readv` into uninitialised memory) and shared by the thread's
    /// connections, as it is only borrowed between a read and its copy, never across an await.
    /// It grows to the largest read the thread has made (at most [`MAX_READ`], see
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
