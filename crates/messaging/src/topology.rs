//! Exchanges, queues, bindings and dead-letter queues, declared in one place.
//!
//! Everything is durable. A queue with `dead_letter` gets a companion `<queue>.dead-letter`
//! queue, and its rejected messages are routed there through the default exchange.

use lapin::{
    Channel, ExchangeKind,
    options::{
        ExchangeDeclareOptions, ExchangeDeleteOptions, QueueBindOptions, QueueDeclareOptions,
        QueueDeleteOptions,
    },
    types::{AMQPValue, FieldTable, ShortString},
};

/// A durable exchange.
#[derive(Debug, Clone)]
pub struct ExchangeSpec {
    /// Its name.
    pub name: String,
    /// Topic, direct or fanout.
    pub kind: ExchangeKind,
}

/// A durable queue with its bindings.
#[derive(Debug, Clone)]
pub struct QueueSpec {
    /// Its name.
    pub name: String,
    /// `(exchange, routing key)` pairs it is bound with.
    pub bindings: Vec<(String, String)>,
    /// Whether rejected messages go to `<name>.dead-letter`.
    pub dead_letter: bool,
    /// Delete the queue after this long unused (`x-expires`); for tests. Streams take none.
    pub expires_ms: Option<u32>,
    /// `Some(max_age)`: a RabbitMQ stream (`x-queue-type: stream`) keeping messages for
    /// `x-max-age` (such as `7D`), read by offset; no dead-letter queue.
    pub stream_max_age: Option<String>,
}

impl QueueSpec {
    /// A durable queue with a dead-letter queue and no bindings yet.
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            bindings: Vec::new(),
            dead_letter: true,
            expires_ms: None,
            stream_max_age: None,
        }
    }

    /// A durable stream keeping its messages for `max_age` (`x-max-age`: a number and one of
    /// `Y`, `M`, `D`, `h`, `m`, `s`), whoever has read them. It never expires: delete it.
    pub fn stream(name: &str, max_age: &str) -> Self {
        Self {
            name: name.to_owned(),
            bindings: Vec::new(),
            dead_letter: false,
            expires_ms: None,
            stream_max_age: Some(max_age.to_owned()),
        }
    }

    /// Binds it to `exchange` with `routing_key`.
    #[must_use]
    pub fn bind(mut self, exchange: &str, routing_key: &str) -> Self {
        self.bindings
            .push((exchange.to_owned(), routing_key.to_owned()));
        self
    }

    /// Lets the broker delete it (and its dead-letter queue) after `ms` unused.
    #[must_use]
    pub fn expires_after_ms(mut self, ms: u32) -> Self {
        self.expires_ms = Some(ms);
        self
    }

    /// The name of its dead-letter queue.
    pub fn dead_letter_queue(&self) -> String {
        dead_letter_queue(&self.name)
    }
}

/// The dead-letter queue of `queue`.
pub fn dead_letter_queue(queue: &str) -> String {
    format!("{queue}.dead-letter")
}

/// Everything one service declares.
#[derive(Debug, Clone, Default)]
pub struct Topology {
    /// Exchanges, declared first.
    pub exchanges: Vec<ExchangeSpec>,
    /// Queues and their bindings.
    pub queues: Vec<QueueSpec>,
}

impl Topology {
    /// An empty topology.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a durable topic exchange.
    #[must_use]
    pub fn topic_exchange(mut self, name: &str) -> Self {
        self.exchanges.push(ExchangeSpec {
            name: name.to_owned(),
            kind: ExchangeKind::Topic,
        });
        self
    }

    /// Adds a queue.
    #[must_use]
    pub fn queue(mut self, queue: QueueSpec) -> Self {
        self.queues.push(queue);
        self
    }

    /// Declares everything on `channel` (idempotent).
    pub async fn declare(&self, channel: &Channel) -> lapin::Result<()> {
        for exchange in &self.exchanges {
            let options = ExchangeDeclareOptions {
                durable: true,
                ..ExchangeDeclareOptions::default()
            };
            channel
                .exchange_declare(
                    name(&exchange.name),
                    exchange.kind.clone(),
                    options,
                    FieldTable::default(),
                )
                .await?;
        }
        let durable = QueueDeclareOptions {
            durable: true,
            ..QueueDeclareOptions::default()
        };
        for queue in &self.queues {
            let mut arguments = FieldTable::default();
            if let Some(ms) = queue.expires_ms {
                arguments.insert("x-expires".into(), AMQPValue::LongUInt(ms));
            }
            if let Some(max_age) = &queue.stream_max_age {
                arguments.insert(
                    "x-queue-type".into(),
                    AMQPValue::LongString("stream".into()),
                );
                arguments.insert(
                    "x-max-age".into(),
                    AMQPValue::LongString(max_age.as_str().into()),
                );
            }
            if queue.dead_letter {
                channel
                    .queue_declare(name(&queue.dead_letter_queue()), durable, arguments.clone())
                    .await?;
                arguments.insert(
                    "x-dead-letter-exchange".into(),
                    AMQPValue::LongString("".into()),
                );
                arguments.insert(
                    "x-dead-letter-routing-key".into(),
                    AMQPValue::LongString(queue.dead_letter_queue().into()),
                );
            }
            channel
                .queue_declare(name(&queue.name), durable, arguments)
                .await?;
            for (exchange, routing_key) in &queue.bindings {
                channel
                    .queue_bind(
                        name(&queue.name),
                        name(exchange),
                        name(routing_key),
                        QueueBindOptions::default(),
                        FieldTable::default(),
                    )
                    .await?;
            }
        }
        Ok(())
    }

    /// Deletes everything (for tests cleaning up after themselves).
    pub async fn delete(&self, channel: &Channel) -> lapin::Result<()> {
        for queue in &self.queues {
            channel
                .queue_delete(name(&queue.name), QueueDeleteOptions::default())
                .await?;
            if queue.dead_letter {
                channel
                    .queue_delete(
                        name(&queue.dead_letter_queue()),
                        QueueDeleteOptions::default(),
                    )
                    .await?;
            }
        }
        for exchange in &self.exchanges {
            channel
                .exchange_delete(name(&exchange.name), ExchangeDeleteOptions::default())
                .await?;
        }
        Ok(())
    }
}

/// The default name of read-model-sync's queue (`READ_MODEL_QUEUE`).
pub const DEFAULT_READ_MODEL_QUEUE: &str = "read_model_sync.buy_orders";

/// The orders topology both sides declare: the topic `exchange`, and read-model-sync's durable
/// `queue` (with its dead-letter queue) bound to it for `buy_order.created`.
///
/// create-buy-order's relay declares it as well as read-model-sync, so the events published
/// before read-model-sync ever started wait in its queue: no start order loses an order. Both
/// must pass the same `expires_ms` (tests only), or the second declaration is refused.
pub fn orders_topology(exchange: &str, queue: &str, expires_ms: Option<u32>) -> Topology {
    let mut spec = QueueSpec::new(queue).bind(exchange, domain::BUY_ORDER_CREATED);
    if let Some(ms) = expires_ms {
        spec = spec.expires_after_ms(ms);
    }
    Topology::new().topic_exchange(exchange).queue(spec)
}

fn name(text: &str) -> ShortString {
    text.into()
}
