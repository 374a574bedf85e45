//! Publishing with publisher confirms over a lazily (re)connected channel.
//!
//! The first publish connects, declares the topology and puts the channel in confirm mode;
//! a broken connection is dropped and the next publish reconnects. A publish returns only
//! after the broker confirmed the message, so callers may mark it sent.

use crate::{MessagingError, OutgoingMessage, Topology, connect};
use lapin::{
    Channel, Confirmation, Connection,
    options::{BasicPublishOptions, ConfirmSelectOptions},
};
use tokio::sync::Mutex;

struct Link {
    connection: Connection,
    channel: Channel,
}

/// A confirming publisher; share it (`Arc`) between tasks.
pub struct Publisher {
    url: String,
    name: String,
    topology: Topology,
    link: Mutex<Option<Link>>,
}

impl Publisher {
    /// A publisher for `url` that declares `topology` on each new connection. Does not connect yet.
    pub fn new(url: &str, name: &str, topology: Topology) -> Self {
        Self {
            url: url.to_owned(),
            name: name.to_owned(),
            topology,
            link: Mutex::new(None),
        }
    }

    /// A connected confirm channel, connecting first when needed.
    pub async fn channel(&self) -> Result<Channel, MessagingError> {
        let mut link = self.link.lock().await;
        if let Some(current) = link.as_ref() {
            if current.connection.status().connected() && current.channel.status().connected() {
                return Ok(current.channel.clone());
            }
            tracing::warn!(broker = %self.name, "broker connection lost; reconnecting");
        }
        *link = None;
        let connection = connect(&self.url, &self.name).await?;
        let channel = connection.create_channel().await?;
        channel
            .confirm_select(ConfirmSelectOptions::default())
            .await?;
        self.topology.declare(&channel).await?;
        tracing::info!(broker = %self.name, "publisher connected");
        *link = Some(Link {
            connection,
            channel: channel.clone(),
        });
        Ok(channel)
    }

    /// Publishes `message` and waits for the broker's confirm.
    pub async fn publish(&self, message: &OutgoingMessage) -> Result<(), MessagingError> {
        let channel = self.channel().await?;
        let outcome = async {
            let confirm = channel
                .basic_publish(
                    message.exchange.as_str().into(),
                    message.routing_key.as_str().into(),
                    BasicPublishOptions::default(),
                    &message.body,
                    message.properties(),
                )
                .await?;
            confirm.await
        }
        .await;
        match outcome {
            Ok(Confirmation::Ack(_)) => Ok(()),
            Ok(other) => Err(MessagingError::NotConfirmed(format!("{other:?}"))),
            Err(error) => {
                self.disconnect().await;
                Err(error.into())
            }
        }
    }

    /// `Ok` when a confirm channel is (or can now be) open: for readiness.
    pub async fn check(&self) -> Result<(), String> {
        self.channel().await.map(|_| ()).map_err(|e| e.to_string())
    }

    /// Closes the connection (it reopens on the next publish).
    pub async fn disconnect(&self) {
        if let Some(link) = self.link.lock().await.take() {
            let _ = link.connection.close(200, "bye".into()).await;
        }
    }
}
