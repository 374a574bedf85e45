//! One proxied connection: two pumps, one per direction, that apply the current faults.

use std::time::Duration;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{
        TcpStream,
        tcp::{ReadHalf, WriteHalf},
    },
    sync::{mpsc, watch},
    time::Instant,
};

/// The faults in force; [`Default`] is none.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Faults {
    pub blackhole: bool,
    pub latency: Duration,
    pub reset_peer: bool,
    pub slow_close: Duration,
}

/// What a connection watches: cuts (close with FIN), resets (close with RST) and faults.
#[derive(Clone)]
pub(super) struct Control {
    pub generations: watch::Receiver<u64>,
    pub resets: watch::Receiver<u64>,
    pub faults: watch::Receiver<Faults>,
}

impl Control {
    /// A copy that only sees changes made from now on.
    pub fn subscribe(&self) -> Self {
        let mut control = self.clone();
        control.generations.mark_unchanged();
        control.resets.mark_unchanged();
        control
    }
}

/// Forwards `client` to `target` until either side is done, a cut or a reset.
pub(super) async fn serve(mut client: TcpStream, target: String, mut control: Control) {
    if control.faults.borrow().reset_peer {
        reset(&client);
        return;
    }
    let Ok(mut upstream) = TcpStream::connect(&target).await else {
        return;
    };
    let _ = client.set_nodelay(true);
    let _ = upstream.set_nodelay(true);
    let reset_now = {
        let (client_read, client_write) = client.split();
        let (upstream_read, upstream_write) = upstream.split();
        let faults = &control.faults;
        let forward = async {
            tokio::join!(
                pump(client_read, upstream_write, faults),
                pump(upstream_read, client_write, faults),
            )
        };
        tokio::select! {
            _ = forward => false,
            _ = control.generations.changed() => false,
            _ = control.resets.changed() => true,
        }
    };
    if reset_now {
        reset(&client);
        reset(&upstream);
    }
}

/// Sets `SO_LINGER` 0, so that dropping the stream sends an RST instead of a FIN.
fn reset(stream: &TcpStream) {
    let _ = stream.set_zero_linger();
}

/// Copies `from` to `to`, holding chunks back while blackholed, delaying each by the latency
/// and a close by the slow close.
async fn pump(mut from: ReadHalf<'_>, mut to: WriteHalf<'_>, faults: &watch::Receiver<Faults>) {
    let (chunks, mut arrived) = mpsc::unbounded_channel::<(Instant, Option<Vec<u8>>)>();
    let reading = async move {
        loop {
            let mut buffer = vec![0u8; 16 * 1024];
            let read = from.read(&mut buffer).await;
            let now = Instant::now();
            match read {
                Ok(0) | Err(_) => {
                    let _ = chunks.send((now, None));
                    return;
                }
                Ok(n) => {
                    buffer.truncate(n);
                    let _ = chunks.send((now, Some(buffer)));
                }
            }
        }
    };
    let writing = async move {
        while let Some((at, chunk)) = arrived.recv().await {
            // Nothing gets through a blackhole; what arrived meanwhile is passed on, in order,
            // once it is gone, as TCP retransmits what a partition dropped when it heals.
            let _ = faults.clone().wait_for(|f| !f.blackhole).await;
            let current = *faults.borrow();
            tokio::time::sleep_until(at + current.latency).await;
            match chunk {
                Some(bytes) => {
                    if to.write_all(&bytes).await.is_err() {
                        return;
                    }
                }
                None => {
                    tokio::time::sleep(current.slow_close).await;
                    let _ = to.shutdown().await;
                    return;
                }
            }
        }
    };
    tokio::join!(reading, writing);
}
