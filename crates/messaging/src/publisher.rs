//! Publishing with publisher confirms over a lazily (re)connected channel.
//!
//! The first publish connects, declares the topology and puts the channel in confirm mode;
//! a broken connection is dropped and the next publish reconnects. Every publish is
//! `mandatory` and returns `Ok` only after the broker confirmed it **and** routed it to at
//! least one queue: a confirm alone is no delivery receipt, since RabbitMQ also confirms a
//! message that reached no queue (lapin hands that basic.return back with the ack). A confirm
//! that does not arrive within the confirm timeout (a quorum queue without a majority answers
//! neither ack nor nack; a blackholed link answers nothing) is a failure, and that link is
//! dropped.
//!
//! Each link has a generation number, and a failure drops only the generation it happened on,
//! so one task's failure never closes a link another task has just reopened. Concurrent
//! callers that find no link share one connection attempt: when it fails, every caller that
//! was waiting for it gets the failure at once instead of trying (and timing out) in turn.

use crate::{CONNECT_TIMEOUT, MessagingError, OutgoingMessage, Topology, connect};
use lapin::{
    Channel, Confirmation, Connection,
    options::{BasicPublishOptions, ConfirmSelectOptions},
};
use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};
use tokio::sync::Mutex;

/// How long a publish waits for its confirm unless told otherwise.
pub const DEFAULT_CONFIRM_TIMEOUT: Duration = Duration::from_secs(5);

/// How long closing a dropped link may take (on a blackholed link it would never end).
const CLOSE_TIMEOUT: Duration = Duration::from_secs(1);

struct Link {
    generation: u64,
    connection: Arc<Connection>,
    channel: Channel,
}

/// What a caller gets of the current link.
struct Current {
    generation: u64,
    connection: Arc<Connection>,
    channel: Channel,
}

/// A confirming, mandatory publisher; share it (`Arc`) between tasks.
pub struct Publisher {
    url: String,
    name: String,
    topology: Topology,
    confirm_timeout: Duration,
    link: Mutex<Option<Link>>,
    generations: AtomicU64,
    failed_connects: AtomicU64,
}

impl Publisher {
    /// A publisher for `url` that declares `topology` on each new connection, with
    /// [`DEFAULT_CONFIRM_TIMEOUT`]. Does not connect yet.
    pub fn new(url: &str, name: &str, topology: Topology) -> Self {
        Self {
            url: url.to_owned(),
            name: name.to_owned(),
            topology,
            confirm_timeout: DEFAULT_CONFIRM_TIMEOUT,
            link: Mutex::new(None),
            generations: AtomicU64::new(0),
            failed_connects: AtomicU64::new(0),
        }
    }

    /// The same publisher, counting a publish as failed when its confirm has not come
    /// within `timeout`.
    #[must_use]
    pub fn with_confirm_timeout(mut self, timeout: Duration) -> Self {
        self.confirm_timeout = timeout;
        self
    }

    /// The confirm timeout in use.
    pub fn confirm_timeout(&self) -> Duration {
        self.confirm_timeout
    }

    /// A connected confirm channel, connecting first when needed.
    pub async fn channel(&self) -> Result<Channel, MessagingError> {
        self.current().await.map(|current| current.channel)
    }

    /// The current link's generation and channel. Opening a link (connect, channel, confirm
    /// mode, topology) takes at most [`CONNECT_TIMEOUT`].
    async fn current(&self) -> Result<Current, MessagingError> {
        let failures_seen = self.failed_connects.load(Ordering::SeqCst);
        let mut link = self.link.lock().await;
        if let Some(current) = link.as_ref() {
            if current.connection.status().connected() && current.channel.status().connected() {
                return Ok(Current {
                    generation: current.generation,
                    connection: current.connection.clone(),
                    channel: current.channel.clone(),
                });
            }
            tracing::warn!(broker = %self.name, generation = current.generation, "broker connection lost; reconnecting");
        }
        if let Some(stale) = link.take() {
            tokio::spawn(close(stale));
        }
        if self.failed_connects.load(Ordering::SeqCst) != failures_seen {
            return Err(MessagingError::Unavailable(
                "the connection attempt this publish waited for failed".into(),
            ));
        }
        let opened = match tokio::time::timeout(CONNECT_TIMEOUT, self.open()).await {
            Ok(opened) => opened,
            Err(_) => Err(MessagingError::Unavailable(format!(
                "no confirm channel within {CONNECT_TIMEOUT:?}"
            ))),
        };
        let (connection, channel) = opened.inspect_err(|_| {
            self.failed_connects.fetch_add(1, Ordering::SeqCst);
        })?;
        let generation = self.generations.fetch_add(1, Ordering::SeqCst) + 1;
        tracing::info!(broker = %self.name, generation, "publisher connected");
        let connection = Arc::new(connection);
        *link = Some(Link {
            generation,
            connection: connection.clone(),
            channel: channel.clone(),
        });
        Ok(Current {
            generation,
            connection,
            channel,
        })
    }

    async fn open(&self) -> Result<(Connection, Channel), MessagingError> {
        let connection = connect(&self.url, &self.name).await?;
        let channel = connection.create_channel().await?;
        channel
            .confirm_select(ConfirmSelectOptions::default())
            .await?;
        self.topology.declare(&channel).await?;
        Ok((connection, channel))
    }

    /// Publishes `message` (mandatory) and waits for the broker's confirm, at most the confirm
    /// timeout. `Ok` means the broker holds it in at least one queue. A returned message is
    /// [`MessagingError::Returned`] (the link stays: other publishes on it are fine); no confirm
    /// in time is [`MessagingError::ConfirmTimeout`], and that link is dropped.
    pub async fn publish(&self, message: &OutgoingMessage) -> Result<(), MessagingError> {
        let Current {
            generation,
            channel,
            ..
        } = self.current().await?;
        let publish = async {
            let confirm = channel
                .basic_publish(
                    message.exchange.as_str().into(),
                    message.routing_key.as_str().into(),
                    BasicPublishOptions {
                        mandatory: true,
                        immediate: false,
                    },
                    &message.body,
                    message.properties(),
                )
                .await?;
            // Handed to the link: from here a failure leaves it unknown whether the broker
            // took it.
            confirm
                .await
                .map_err(|e| MessagingError::Unconfirmed(e.to_string()))
        };
        let outcome = match tokio::time::timeout(self.confirm_timeout, publish).await {
            Ok(Ok(confirmation)) => confirmed(confirmation),
            Ok(Err(error)) => Err(error),
            Err(_) => Err(MessagingError::ConfirmTimeout(self.confirm_timeout)),
        };
        if let Err(error) = &outcome
            && error.is_link_failure()
        {
            tracing::warn!(broker = %self.name, generation, error = %error, "publish failed; dropping this link");
            self.disconnect_generation(generation).await;
        }
        outcome
    }

    /// Declares the topology again (after a return: something deleted a queue the topology
    /// declares), as [`Publisher::declare`] does.
    pub async fn declare_topology(&self) -> Result<(), MessagingError> {
        self.declare(&self.topology).await
    }

    /// Declares `topology` on a channel of its own over the current link (connecting first
    /// when needed), within [`CONNECT_TIMEOUT`]. A refused declaration (a queue that exists
    /// with other arguments) closes only that channel, never the publishing one.
    pub async fn declare(&self, topology: &Topology) -> Result<(), MessagingError> {
        let Current {
            generation,
            connection,
            ..
        } = self.current().await?;
        let declared = async {
            let channel = connection.create_channel().await?;
            let declared = topology.declare(&channel).await;
            if declared.is_ok() {
                let _ = channel.close(200, "declared".into()).await;
            }
            declared
        };
        match tokio::time::timeout(CONNECT_TIMEOUT, declared).await {
            Ok(result) => Ok(result?),
            Err(_) => {
                self.disconnect_generation(generation).await;
                Err(MessagingError::Unavailable(format!(
                    "no answer to a declaration within {CONNECT_TIMEOUT:?}"
                )))
            }
        }
    }

    /// `Ok` when a confirm channel is (or can now be) open: for readiness.
    pub async fn check(&self) -> Result<(), String> {
        self.channel().await.map(|_| ()).map_err(|e| e.to_string())
    }

    /// Closes whatever link is current (it reopens on the next publish): for shutdown. Takes at
    /// most about a second, even on a link that no longer answers.
    pub async fn disconnect(&self) {
        let taken = self.link.lock().await.take();
        if let Some(link) = taken {
            close(link).await;
        }
    }

    /// Closes the link of `generation` if it is still the current one; a newer link, opened
    /// meanwhile by another task, stays open.
    pub async fn disconnect_generation(&self, generation: u64) {
        let taken = {
            let mut link = self.link.lock().await;
            match link.as_ref() {
                Some(current) if current.generation == generation => link.take(),
                _ => None,
            }
        };
        if let Some(link) = taken {
            tokio::spawn(close(link));
        }
    }

    /// The generation of the current link, if one is open (tests and logs).
    pub async fn generation(&self) -> Option<u64> {
        self.link.lock().await.as_ref().map(|link| link.generation)
    }
}

/// What a confirmation means for the caller.
fn confirmed(confirmation: Confirmation) -> Result<(), MessagingError> {
    match confirmation {
        Confirmation::Ack(None) => Ok(()),
        Confirmation::Ack(Some(returned)) | Confirmation::Nack(Some(returned)) => {
            Err(MessagingError::Returned {
                reply_code: returned.reply_code,
                reply_text: returned.reply_text.to_string(),
            })
        }
        Confirmation::Nack(None) => Err(MessagingError::NotConfirmed("nack".into())),
        Confirmation::NotRequested => Err(MessagingError::NotConfirmed(
            "the channel is not in confirm mode".into(),
        )),
    }
}

async fn close(link: Link) {
    let closing = link.connection.close(200, "bye".into());
    if tokio::time::timeout(CLOSE_TIMEOUT, closing).await.is_err() {
        tracing::debug!(
            generation = link.generation,
            "closing a dropped broker link timed out"
        );
    }
}
