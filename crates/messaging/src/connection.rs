//! Connecting to RabbitMQ: one attempt bounded by a timeout, and a backoff for retry loops.

use lapin::{Connection, ConnectionProperties};
use std::time::Duration;

/// How long one connection attempt may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Why talking to the broker failed.
#[derive(Debug, thiserror::Error)]
pub enum MessagingError {
    /// The broker could not be reached or the connection broke.
    #[error("broker unavailable: {0}")]
    Unavailable(String),
    /// The broker refused the message (negative confirm).
    #[error("broker did not confirm the message: {0}")]
    NotConfirmed(String),
    /// The broker returned the (mandatory) message: no queue is bound for its routing key, so
    /// nothing holds it, although the broker confirmed it.
    #[error("the broker returned the message as unroutable: {reply_code} {reply_text}")]
    Returned {
        /// AMQP reply code (312 `NO_ROUTE`).
        reply_code: u16,
        /// The broker's reason.
        reply_text: String,
    },
    /// No confirm arrived in time (a blackholed link, or a quorum queue without a majority,
    /// which answers neither ack nor nack). The message may still have been taken.
    #[error("no publisher confirm within {0:?}")]
    ConfirmTimeout(std::time::Duration),
    /// The message was handed to the link, which failed before its confirm came: the broker
    /// may or may not have taken it.
    #[error("sent, but the link failed before the confirm: {0}")]
    Unconfirmed(String),
    /// The message could not be encoded.
    #[error("cannot encode the message: {0}")]
    Encode(#[from] serde_json::Error),
}

impl MessagingError {
    /// True when the link to the broker failed or hangs (retrying on this link is pointless;
    /// a new link may work), as opposed to a refusal of this one message.
    pub fn is_link_failure(&self) -> bool {
        matches!(
            self,
            Self::Unavailable(_) | Self::ConfirmTimeout(_) | Self::Unconfirmed(_)
        )
    }
}

impl From<lapin::Error> for MessagingError {
    fn from(error: lapin::Error) -> Self {
        Self::Unavailable(error.to_string())
    }
}

/// Opens one connection to `url`, named `name` in the management UI, within [`CONNECT_TIMEOUT`].
pub async fn connect(url: &str, name: &str) -> Result<Connection, MessagingError> {
    let properties = ConnectionProperties::default().with_connection_name(name.into());
    match tokio::time::timeout(CONNECT_TIMEOUT, Connection::connect(url, properties)).await {
        Ok(result) => Ok(result?),
        Err(_) => Err(MessagingError::Unavailable(format!(
            "no connection within {CONNECT_TIMEOUT:?}"
        ))),
    }
}

/// Exponential backoff from 100 ms, doubling to at most 5 s.
#[derive(Debug, Clone)]
pub struct Backoff {
    next: Duration,
}

impl Backoff {
    const FIRST: Duration = Duration::from_millis(100);
    const MAX: Duration = Duration::from_secs(5);

    /// A backoff at its first step.
    pub fn new() -> Self {
        Self { next: Self::FIRST }
    }

    /// The delay to wait now; the next one doubles.
    pub fn next_delay(&mut self) -> Duration {
        let delay = self.next;
        self.next = (self.next * 2).min(Self::MAX);
        delay
    }

    /// Back to the first step (after a success).
    pub fn reset(&mut self) {
        self.next = Self::FIRST;
    }
}

impl Default for Backoff {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_its_cap_and_resets() {
        let mut backoff = Backoff::new();
        let delays: Vec<u128> = (0..8).map(|_| backoff.next_delay().as_millis()).collect();
        assert_eq!(delays, [100, 200, 400, 800, 1600, 3200, 5000, 5000]);
        backoff.reset();
        assert_eq!(backoff.next_delay(), Duration::from_millis(100));
    }
}
