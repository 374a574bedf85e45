//! The RESP listeners: `CACHE_THREADS` threads, each a single-threaded tokio runtime with its
//! own listening socket on the same port (`SO_REUSEPORT`: the kernel spreads new connections
//! over them), so a connection lives on one thread from accept to close, with no work stealing
//! or cross-thread wake-ups on the request path: the event-loop model of redis-server, once per
//! core. Clients are admitted under one connection limit. On shutdown every thread stops
//! accepting, lets its connections finish the requests they already sent, and waits for them.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::{Instrument, debug, info, info_span, warn};

use crate::cmd::{self, Flow};
use crate::conn::Session;
use crate::resp::{ClientLimits, Connection, ConnectionError, Incoming, Limits};
use crate::state::AppState;

/// How long shutdown waits for connections to finish before giving up on them.
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);
/// The reply sent to a client over `CACHE_MAX_CONNECTIONS` before closing, as Redis words it.
const TOO_MANY_CLIENTS: &[u8] = b"-ERR max number of clients reached\r\n";
/// Pending connections each listening socket queues.
const BACKLOG: u32 = 1024;

/// Binds `threads` listening sockets to `host:port` with `SO_REUSEPORT` (port 0: the first
/// picks a free port and the others join it). Call inside a tokio runtime.
pub async fn bind(
    host: &str,
    port: u16,
    threads: usize,
) -> std::io::Result<Vec<std::net::TcpListener>> {
    let mut address = tokio::net::lookup_host((host, port))
        .await?
        .next()
        .ok_or_else(|| std::io::Error::other(format!("{host} resolves to no address")))?;
    let mut listeners = Vec::with_capacity(threads);
    for _ in 0..threads.max(1) {
        let socket = if address.is_ipv4() {
            TcpSocket::new_v4()?
        } else {
            TcpSocket::new_v6()?
        };
        socket.set_reuseaddr(true)?;
        socket.set_reuseport(true)?;
        socket.bind(address)?;
        let listener = socket.listen(BACKLOG)?;
        address = listener.local_addr()?;
        listeners.push(listener.into_std()?);
    }
    Ok(listeners)
}

/// The RESP side of the server.
#[derive(Debug)]
pub struct RespServer {
    listeners: Vec<std::net::TcpListener>,
    state: Arc<AppState>,
    limit: Arc<Semaphore>,
}

impl RespServer {
    /// Wraps listeners bound by [`bind`], one thread each.
    pub fn new(listeners: Vec<std::net::TcpListener>, state: Arc<AppState>) -> RespServer {
        let limit = Arc::new(Semaphore::new(state.config.cache_max_connections));
        RespServer {
            listeners,
            state,
            limit,
        }
    }

    /// Serves on one thread per listener until `shutdown` is cancelled, then waits for every
    /// thread to drain its connections.
    pub async fn run(self, shutdown: CancellationToken) {
        let mut threads = Vec::with_capacity(self.listeners.len());
        for (index, listener) in self.listeners.into_iter().enumerate() {
            let acceptor = Acceptor {
                state: Arc::clone(&self.state),
                limit: Arc::clone(&self.limit),
                tracker: TaskTracker::new(),
            };
            let (done, finished) = tokio::sync::oneshot::channel::<()>();
            let shutdown = shutdown.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("resp-{index}"))
                .spawn(move || {
                    match tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                    {
                        Ok(runtime) => runtime.block_on(acceptor.run(listener, shutdown)),
                        Err(e) => warn!(error = %e, "cannot start a RESP thread's runtime"),
                    }
                    let _ = done.send(());
                });
            match spawned {
                Ok(_) => threads.push(finished),
                Err(e) => warn!(error = %e, "cannot start a RESP thread"),
            }
        }
        // A thread that ends (or panics) drops its sender: either way it is finished.
        for finished in threads {
            let _ = finished.await;
        }
        info!("RESP listeners stopped");
    }
}

/// One thread's accept loop and its connections.
struct Acceptor {
    state: Arc<AppState>,
    limit: Arc<Semaphore>,
    tracker: TaskTracker,
}

impl Acceptor {
    /// Accepts clients until `shutdown` is cancelled, then waits for its connections to end.
    async fn run(self, listener: std::net::TcpListener, shutdown: CancellationToken) {
        let listener = match TcpListener::from_std(listener) {
            Ok(listener) => listener,
            Err(e) => {
                warn!(error = %e, "cannot register a RESP listener");
                return;
            }
        };
        loop {
            let accepted = tokio::select! {
                () = shutdown.cancelled() => break,
                accepted = listener.accept() => accepted,
            };
            match accepted {
                Ok((socket, peer)) => self.admit(socket, peer, &shutdown),
                Err(e) => {
                    // Typically EMFILE: back off instead of spinning, and keep serving.
                    warn!(error = %e, "accepting a RESP connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
        drop(listener);
        self.tracker.close();
        info!(
            connections = self.tracker.len(),
            "RESP listener closed; draining connections"
        );
        if tokio::time::timeout(DRAIN_TIMEOUT, self.tracker.wait())
            .await
            .is_ok()
        {
            info!("RESP connections drained");
        } else {
            warn!(
                connections = self.tracker.len(),
                "RESP connections still open after the drain timeout; closing them"
            );
        }
    }

    fn admit(&self, socket: TcpStream, peer: SocketAddr, shutdown: &CancellationToken) {
        let Ok(permit) = self.limit.clone().try_acquire_owned() else {
            self.state
                .rejected_connections
                .fetch_add(1, Ordering::Relaxed);
            warn!(%peer, "refusing a RESP connection: CACHE_MAX_CONNECTIONS reached");
            self.tracker.spawn(refuse(socket));
            return;
        };
        if let Err(e) = socket.set_nodelay(true) {
            debug!(%peer, error = %e, "cannot set TCP_NODELAY");
        }
        let id = self.state.total_connections.fetch_add(1, Ordering::Relaxed) + 1;
        let client = ClientLimits {
            output_bytes: self.state.config.cache_client_output_limit_bytes,
            idle: self.state.config.idle_timeout(),
        };
        let handler = Handler {
            connection: Connection::new(socket, limits(&self.state), client),
            session: Session::new(id, self.state.users.initial()),
            state: Arc::clone(&self.state),
            // Its own token, so its waiter (one per connection, see `serve`) is not on the
            // shared token's list that every connection on every thread would lock.
            shutdown: shutdown.child_token(),
        };
        let span = info_span!("resp_connection", %peer, client_id = id);
        self.tracker.spawn(
            async move {
                handler.run().await;
                drop(permit);
            }
            .instrument(span),
        );
    }
}

/// The request limits of a connection, from the configuration.
pub fn limits(state: &AppState) -> Limits {
    Limits {
        max_arg_bytes: state.config.cache_max_value_bytes,
        max_request_bytes: state.config.cache_max_request_bytes,
    }
}

async fn refuse(mut socket: TcpStream) {
    let write = socket.write_all(TOO_MANY_CLIENTS);
    let _ = tokio::time::timeout(Duration::from_secs(1), write).await;
}

/// Counts a connection as open for as long as it lives.
struct ClientGuard<'a>(&'a AppState);

impl<'a> ClientGuard<'a> {
    fn new(state: &'a AppState) -> Self {
        state.connected_clients.fetch_add(1, Ordering::Relaxed);
        ClientGuard(state)
    }
}

impl Drop for ClientGuard<'_> {
    fn drop(&mut self) {
        self.0.connected_clients.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Serves one connection.
struct Handler {
    connection: Connection,
    session: Session,
    state: Arc<AppState>,
    shutdown: CancellationToken,
}

impl Handler {
    async fn run(mut self) {
        let state = Arc::clone(&self.state);
        let _guard = ClientGuard::new(&state);
        debug!("client connected");
        match self.serve().await {
            Ok(()) => debug!("client disconnected"),
            Err(ConnectionError::Protocol(text)) => {
                debug!(error = %text, "closing after a protocol error");
                self.connection
                    .replies()
                    .error(format!("ERR Protocol error: {text}"));
                // Bounded: a client that never reads must not keep the handler.
                let _ = tokio::time::timeout(Duration::from_secs(5), self.connection.flush()).await;
            }
            Err(ConnectionError::Io(e)) => debug!(error = %e, "connection ended by a socket error"),
            Err(ConnectionError::Idle(idle)) => {
                debug!(
                    idle_secs = idle.as_secs(),
                    "closing an idle client (CACHE_TIMEOUT_SECS)"
                );
            }
            Err(ConnectionError::OutputLimit(limit)) => warn!(
                limit_bytes = limit,
                "closing a client whose pending replies passed CACHE_CLIENT_OUTPUT_LIMIT_BYTES"
            ),
        }
    }

    /// Answers requests until the client leaves, sends QUIT, or shutdown begins.
    async fn serve(&mut self) -> Result<(), ConnectionError> {
        // One waiter for the connection's life, not a new one on the token for every read.
        let shutdown = self.shutdown.clone().cancelled_owned();
        tokio::pin!(shutdown);
        while let Some(incoming) = self.connection.read_frame(shutdown.as_mut()).await? {
            let flow = match incoming {
                Incoming::Frame(frame) => cmd::execute(
                    frame,
                    &self.state,
                    &mut self.session,
                    self.connection.replies(),
                ),
                Incoming::Refused => {
                    self.connection.replies().error(format!(
                        "ERR argument larger than {} bytes (CACHE_MAX_VALUE_BYTES)",
                        self.state.config.cache_max_value_bytes
                    ));
                    Flow::Continue
                }
            };
            if self.connection.replies().over_limit() {
                let limit = self.state.config.cache_client_output_limit_bytes;
                return Err(ConnectionError::OutputLimit(limit));
            }
            match flow {
                Flow::Continue => {}
                Flow::Close => break,
                Flow::Abort => return Ok(()),
            }
            if self.connection.should_flush() {
                self.connection.write_now()?;
            }
        }
        self.connection.flush().await?;
        Ok(())
    }
}
