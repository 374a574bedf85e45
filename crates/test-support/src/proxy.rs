//! A TCP proxy that a test can cut, to take a database or broker away mid-flight without
//! touching the shared server.
//!
//! [`TcpProxy::cut`] closes every open connection and refuses new ones until
//! [`TcpProxy::restore`]. It runs on its own thread and runtime, so a test that blocks (a
//! diesel call) never starves it.

use std::{
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
};
use tokio::{
    net::{TcpListener, TcpStream},
    sync::watch,
};

/// A running proxy from a local port to a target address.
pub struct TcpProxy {
    address: SocketAddr,
    open: Arc<AtomicBool>,
    generation: watch::Sender<u64>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TcpProxy {
    /// Starts a proxy to `target` (`host:port`) on a free local port.
    pub fn start(target: &str) -> Self {
        let target = target.to_owned();
        let open = Arc::new(AtomicBool::new(true));
        let (generation, generations) = watch::channel(0u64);
        let (stop, stopped) = tokio::sync::oneshot::channel();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let accepting = open.clone();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap_or_else(|e| panic!("proxy runtime: {e}"));
            runtime.block_on(async move {
                let listener = TcpListener::bind("127.0.0.1:0")
                    .await
                    .unwrap_or_else(|e| panic!("proxy bind: {e}"));
                let _ = ready_tx.send(listener.local_addr());
                tokio::select! {
                    _ = accept_loop(listener, target, accepting, generations) => {}
                    _ = stopped => {}
                }
            });
        });
        let address = ready_rx
            .recv()
            .unwrap_or_else(|e| panic!("proxy start: {e}"))
            .unwrap_or_else(|e| panic!("proxy address: {e}"));
        Self {
            address,
            open,
            generation,
            stop: Some(stop),
        }
    }

    /// The local address clients connect to.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The local port clients connect to.
    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// Closes every open connection and refuses new ones.
    pub fn cut(&self) {
        self.open.store(false, Ordering::SeqCst);
        self.generation.send_modify(|g| *g += 1);
    }

    /// Accepts and forwards connections again.
    pub fn restore(&self) {
        self.open.store(true, Ordering::SeqCst);
    }

    /// Closes every open connection but keeps accepting new ones (a broker restart).
    pub fn reset_connections(&self) {
        self.generation.send_modify(|g| *g += 1);
    }
}

impl Drop for TcpProxy {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

async fn accept_loop(
    listener: TcpListener,
    target: String,
    open: Arc<AtomicBool>,
    generations: watch::Receiver<u64>,
) {
    loop {
        let Ok((client, _)) = listener.accept().await else {
            continue;
        };
        if !open.load(Ordering::SeqCst) {
            drop(client);
            continue;
        }
        let target = target.clone();
        let mut generations = generations.clone();
        generations.mark_unchanged();
        tokio::spawn(async move {
            let Ok(mut upstream) = TcpStream::connect(&target).await else {
                return;
            };
            let mut client = client;
            tokio::select! {
                _ = tokio::io::copy_bidirectional(&mut client, &mut upstream) => {}
                _ = generations.changed() => {}
            }
        });
    }
}
