//! Consuming with manual acks, dead-lettering of poison messages, and reconnection.
//!
//! [`consume`] runs until its token is cancelled: it connects (retrying with backoff),
//! declares the topology, and hands each delivery to a [`Handler`]. The handler's
//! [`Outcome`] decides the ack: `Ack` after the work committed, `DeadLetter` for a message that
//! can never be processed (to `<queue>.dead-letter`), `Retry` for a transient failure (the
//! message is requeued after a pause). Handlers never touch the acker, so no delivery is
//! acknowledged twice. Up to `prefetch` deliveries are handled concurrently (so handlers must not
//! rely on order; ours are idempotent). On cancel it finishes the deliveries in hand, then closes;
//! unacked prefetched messages go back to the queue.

use crate::{Backoff, MessagingError, Topology, connect};
use futures::{StreamExt, future::BoxFuture, stream::FuturesUnordered};
use lapin::{
    message::Delivery,
    options::{BasicAckOptions, BasicConsumeOptions, BasicNackOptions, BasicQosOptions},
    types::FieldTable,
};
use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};
use tokio_util::sync::CancellationToken;

/// How often a consuming session checks that its connection is still alive.
const CONNECTION_CHECK_INTERVAL: Duration = Duration::from_millis(500);

/// How long an ack or nack may take before the connection is taken as lost.
const SETTLE_TIMEOUT: Duration = Duration::from_secs(5);

/// What to do with a delivery once handled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Done (committed): acknowledge.
    Ack,
    /// Can never be processed: reject to the dead-letter queue, with the reason logged.
    DeadLetter(String),
    /// Failed for now (a dependency is down): requeue after a pause, with the reason logged.
    Retry(String),
}

/// Processes deliveries.
pub trait Handler: Send + Sync + 'static {
    /// Handles one delivery; must not ack it.
    fn handle<'a>(&'a self, delivery: &'a Delivery) -> BoxFuture<'a, Outcome>;
}

/// Where and how to consume.
#[derive(Debug, Clone)]
pub struct ConsumerSettings {
    /// Broker URL.
    pub url: String,
    /// Connection name in the management UI.
    pub name: String,
    /// Declared on every (re)connection.
    pub topology: Topology,
    /// The queue to consume.
    pub queue: String,
    /// Deliveries in flight (prefetched and handled concurrently) at once.
    pub prefetch: u16,
    /// Pause before a `Retry` message is requeued.
    pub retry_delay: Duration,
}

/// Whether the consumer is connected right now, for readiness.
#[derive(Debug, Clone, Default)]
pub struct ConsumerState {
    connected: Arc<AtomicBool>,
}

impl ConsumerState {
    /// True while consuming.
    pub fn is_connected(&self) -> bool {
        self.connected.load(Ordering::SeqCst)
    }

    fn set(&self, connected: bool) {
        self.connected.store(connected, Ordering::SeqCst);
    }
}

/// Consumes until `shutdown` is cancelled, reconnecting whenever the connection breaks.
pub async fn consume(
    settings: ConsumerSettings,
    handler: Arc<dyn Handler>,
    state: ConsumerState,
    shutdown: CancellationToken,
) {
    let mut backoff = Backoff::new();
    while !shutdown.is_cancelled() {
        match session(&settings, handler.as_ref(), &state, &shutdown, &mut backoff).await {
            Ok(()) => break,
            Err(error) => {
                state.set(false);
                let delay = backoff.next_delay();
                tracing::warn!(queue = %settings.queue, error = %error, retry_in_ms = delay.as_millis() as u64, "consumer disconnected");
                tokio::select! {
                    _ = tokio::time::sleep(delay) => {}
                    _ = shutdown.cancelled() => {}
                }
            }
        }
    }
    state.set(false);
    tracing::info!(queue = %settings.queue, "consumer stopped");
}

/// One connection's worth of consuming; `Ok` only when shut down.
async fn session(
    settings: &ConsumerSettings,
    handler: &dyn Handler,
    state: &ConsumerState,
    shutdown: &CancellationToken,
    backoff: &mut Backoff,
) -> Result<(), MessagingError> {
    let connection = connect(&settings.url, &settings.name).await?;
    let channel = connection.create_channel().await?;
    settings.topology.declare(&channel).await?;
    channel
        .basic_qos(settings.prefetch, BasicQosOptions::default())
        .await?;
    let mut deliveries = channel
        .basic_consume(
            settings.queue.as_str().into(),
            "".into(),
            BasicConsumeOptions::default(),
            FieldTable::default(),
        )
        .await?;
    state.set(true);
    backoff.reset();
    tracing::info!(queue = %settings.queue, prefetch = settings.prefetch, "consuming");
    // Up to `prefetch` deliveries are handled at once; each is settled on its own.
    let mut in_flight = FuturesUnordered::new();
    let capacity = usize::from(settings.prefetch.max(1));
    // lapin's delivery stream can stay silent after the socket dies, so watch the status too.
    let mut watchdog = tokio::time::interval(CONNECTION_CHECK_INTERVAL);
    let ended: Result<(), MessagingError> = loop {
        tokio::select! {
            biased;
            _ = shutdown.cancelled() => break Ok(()),
            _ = watchdog.tick() => {
                if !connection.status().connected() || !channel.status().connected() {
                    break Err(MessagingError::Unavailable("the broker connection was lost".into()));
                }
            }
            Some(settled) = in_flight.next(), if !in_flight.is_empty() => {
                if let Err(error) = settled {
                    break Err(error);
                }
            }
            next = deliveries.next(), if in_flight.len() < capacity => {
                let delivery = match next {
                    Some(Ok(delivery)) => delivery,
                    Some(Err(error)) => break Err(error.into()),
                    None => break Err(MessagingError::Unavailable("the consumer was cancelled by the broker".into())),
                };
                in_flight.push(async move {
                    let outcome = handler.handle(&delivery).await;
                    settle(&delivery, outcome, settings, shutdown).await
                });
            }
        }
    };
    // Handlers always run to the end, even when their ack can no longer reach the broker (the
    // message is then redelivered, and handlers are idempotent): never abandon work half done.
    while let Some(settled) = in_flight.next().await {
        if let Err(error) = settled {
            tracing::debug!(queue = %settings.queue, error = %error, "could not settle a delivery after the connection ended");
        }
    }
    if ended.is_ok() {
        let _ = channel.close(200, "shutting down".into()).await;
        let _ = connection.close(200, "shutting down".into()).await;
    }
    ended
}

/// Acks, dead-letters or requeues `delivery` according to `outcome`.
async fn settle(
    delivery: &Delivery,
    outcome: Outcome,
    settings: &ConsumerSettings,
    shutdown: &CancellationToken,
) -> Result<(), MessagingError> {
    let acker = &delivery.acker;
    let settled = match outcome {
        Outcome::Ack => bounded(acker.ack(BasicAckOptions::default())).await?,
        Outcome::DeadLetter(reason) => {
            tracing::error!(queue = %settings.queue, reason = %reason, dead_letter_queue = %crate::dead_letter_queue(&settings.queue), "poison message dead-lettered");
            bounded(acker.nack(BasicNackOptions {
                requeue: false,
                multiple: false,
            }))
            .await?
        }
        Outcome::Retry(reason) => {
            tracing::warn!(queue = %settings.queue, reason = %reason, retry_in_ms = settings.retry_delay.as_millis() as u64, "message will be retried");
            tokio::select! {
                _ = tokio::time::sleep(settings.retry_delay) => {}
                _ = shutdown.cancelled() => {}
            }
            bounded(acker.nack(BasicNackOptions {
                requeue: true,
                multiple: false,
            }))
            .await?
        }
    };
    if !settled {
        tracing::warn!(queue = %settings.queue, "delivery was already settled or its channel is gone; the broker will redeliver it");
    }
    Ok(())
}

/// An ack or nack, bounded: on a connection that died unnoticed its promise may never resolve.
async fn bounded(
    settle: impl Future<Output = lapin::Result<bool>>,
) -> Result<bool, MessagingError> {
    match tokio::time::timeout(SETTLE_TIMEOUT, settle).await {
        Ok(result) => Ok(result?),
        Err(_) => Err(MessagingError::Unavailable(format!(
            "no answer to an ack within {SETTLE_TIMEOUT:?}"
        ))),
    }
}
