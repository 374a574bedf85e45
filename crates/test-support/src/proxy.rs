//! A TCP proxy that a test can cut or degrade, to take a database or broker away mid-flight
//! without touching the shared server.
//!
//! [`TcpProxy::cut`] closes every open connection and refuses new ones until
//! [`TcpProxy::restore`]. The faults Toxiproxy names are here too, each applying to open and new
//! connections alike until [`TcpProxy::restore`]: [`TcpProxy::blackhole`] (a partition),
//! [`TcpProxy::set_latency`], [`TcpProxy::reset_peer`] and [`TcpProxy::slow_close`]. The
//! proxy runs on its own thread and runtime, so a test that blocks (a diesel call) never
//! starves it.

mod link;

use link::{Control, Faults};
use std::{
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};
use tokio::{net::TcpListener, sync::watch};

/// A running proxy from a local port to a target address.
pub struct TcpProxy {
    address: SocketAddr,
    open: Arc<AtomicBool>,
    generation: watch::Sender<u64>,
    resets: watch::Sender<u64>,
    faults: watch::Sender<Faults>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TcpProxy {
    /// Starts a proxy to `target` (`host:port`) on a free local port.
    pub fn start(target: &str) -> Self {
        let target = target.to_owned();
        let open = Arc::new(AtomicBool::new(true));
        let (generation, generations) = watch::channel(0u64);
        let (resets, reset_rx) = watch::channel(0u64);
        let (faults, fault_rx) = watch::channel(Faults::default());
        let control = Control {
            generations,
            resets: reset_rx,
            faults: fault_rx,
        };
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
                    _ = accept_loop(listener, target, accepting, control) => {}
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
            resets,
            faults,
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

    /// Accepts and forwards connections again, and clears every fault.
    pub fn restore(&self) {
        self.faults.send_replace(Faults::default());
        self.open.store(true, Ordering::SeqCst);
    }

    /// Closes every open connection but keeps accepting new ones (a broker restart).
    pub fn reset_connections(&self) {
        self.generation.send_modify(|g| *g += 1);
    }

    /// A blackhole, a partition that drops packets without a reset: connections are still
    /// accepted and kept open, but no byte and no close gets through in either direction
    /// until [`TcpProxy::restore`]. Then what was sent meanwhile arrives, in order, as TCP
    /// retransmits it once a partition heals. (Toxiproxy's `timeout` toxic drops those bytes
    /// instead, which no TCP link does: the stream would go on with a hole in it.)
    pub fn blackhole(&self) {
        self.faults.send_modify(|f| f.blackhole = true);
    }

    /// Toxiproxy's `latency`: every chunk is passed on `delay` after it arrived, in each
    /// direction (so a round trip takes at least twice `delay`).
    pub fn set_latency(&self, delay: Duration) {
        self.faults.send_modify(|f| f.latency = delay);
    }

    /// Toxiproxy's `reset_peer`: every open connection is closed with a TCP RST (`SO_LINGER` 0)
    /// on both sides, and so is every connection accepted until [`TcpProxy::restore`].
    pub fn reset_peer(&self) {
        self.faults.send_modify(|f| f.reset_peer = true);
        self.resets.send_modify(|g| *g += 1);
    }

    /// Toxiproxy's `slow_close`: when one side closes, the close reaches the other side only
    /// `delay` later (data before it is passed on at once).
    pub fn slow_close(&self, delay: Duration) {
        self.faults.send_modify(|f| f.slow_close = delay);
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
    control: Control,
) {
    loop {
        let Ok((client, _)) = listener.accept().await else {
            continue;
        };
        if !open.load(Ordering::SeqCst) {
            drop(client);
            continue;
        }
        let control = control.subscribe();
        tokio::spawn(link::serve(client, target.clone(), control));
    }
}
