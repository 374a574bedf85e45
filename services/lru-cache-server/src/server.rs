//! The RESP listener: accepts clients under a connection limit, runs one task per connection,
//! and on shutdown stops accepting, lets every connection finish the requests it already
//! received, and waits for all of them to end.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::{Instrument, debug, info, info_span, warn};

use crate::cmd::{self, Flow};
use crate::resp::{Connection, ConnectionError, Incoming, Limits};
use crate::state::AppState;

/// How long shutdown waits for connections to finish before giving up on them.
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);
/// The reply sent to a client over `CACHE_MAX_CONNECTIONS` before closing, as Redis words it.
const TOO_MANY_CLIENTS: &[u8] = b"-ERR max number of clients reached\r\n";

/// The RESP side of the server.
#[derive(Debug)]
pub struct RespServer {
    listener: TcpListener,
    state: Arc<AppState>,
    limit: Arc<Semaphore>,
    tracker: TaskTracker,
}

impl RespServer {
    /// Wraps a bound listener.
    pub fn new(listener: TcpListener, state: Arc<AppState>) -> RespServer {
        let limit = Arc::new(Semaphore::new(state.config.cache_max_connections));
        RespServer {
            listener,
            state,
            limit,
            tracker: TaskTracker::new(),
        }
    }

    /// Accepts clients until `shutdown` is cancelled, then waits for every connection to end.
    pub async fn run(self, shutdown: CancellationToken) {
        loop {
            let accepted = tokio::select! {
                () = shutdown.cancelled() => break,
                accepted = self.listener.accept() => accepted,
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
        drop(self.listener);
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
        self.state.total_connections.fetch_add(1, Ordering::Relaxed);
        let handler = Handler {
            connection: Connection::new(socket, limits(&self.state)),
            state: Arc::clone(&self.state),
            shutdown: shutdown.clone(),
        };
        let span = info_span!("resp_connection", %peer);
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
                let _ = self.connection.flush().await;
            }
            Err(ConnectionError::Io(e)) => debug!(error = %e, "connection ended by a socket error"),
        }
    }

    /// Answers requests until the client leaves, sends QUIT, or shutdown begins.
    async fn serve(&mut self) -> Result<(), ConnectionError> {
        while let Some(incoming) = self.connection.read_frame(&self.shutdown).await? {
            let flow = match incoming {
                Incoming::Frame(frame) => {
                    cmd::execute(frame, &self.state, self.connection.replies())
                }
                Incoming::Refused => {
                    self.connection.replies().error(format!(
                        "ERR argument larger than {} bytes (CACHE_MAX_VALUE_BYTES)",
                        self.state.config.cache_max_value_bytes
                    ));
                    Flow::Continue
                }
            };
            if flow == Flow::Close {
                break;
            }
            if self.connection.should_flush() {
                self.connection.flush().await?;
            }
        }
        self.connection.flush().await?;
        Ok(())
    }
}
