//! Live updates for the pages, by Server-Sent Events.
//!
//! - **Orders**: the console consumes its own queue on the `buy_orders` exchange
//!   (`console.{instance}`, deleted by the broker a minute after the console is gone) and hands
//!   each new order to every open orders stream. A browser that falls behind skips orders
//!   (the listing has them all).
//! - **Events**: each open events stream reads the client's RabbitMQ stream
//!   (`{EVENTS_EXCHANGE}.{client}`) from `next`, on its own channel of one shared connection,
//!   and closes the channel when the browser goes away.
//!
//! Streams end when the console shuts down, and at most `CONSOLE_MAX_STREAMS` are open at once.

use actix_web::{HttpResponse, web};
use bytes::Bytes;
use futures::{StreamExt, future::BoxFuture};
use http_kit::ApiError;
use messaging::{
    ConsumerSettings, ConsumerState, Handler, Outcome, QueueSpec, Topology,
    lapin::{
        Connection,
        message::Delivery,
        options::{BasicAckOptions, BasicConsumeOptions, BasicQosOptions},
        types::{AMQPValue, FieldTable},
    },
};
use std::{sync::Arc, time::Duration};
use tokio::sync::{Mutex, OwnedSemaphorePermit, Semaphore, broadcast, mpsc};
use tokio_util::sync::CancellationToken;

/// Orders kept for a stream that reads slowly.
const ORDERS_BUFFER: usize = 256;

/// Deliveries of an events stream in flight before acks (RabbitMQ needs a prefetch for streams).
const STREAM_PREFETCH: u16 = 100;

/// The live side of the console.
#[derive(Clone)]
pub struct Live {
    orders: broadcast::Sender<String>,
    permits: Arc<Semaphore>,
    amqp_url: String,
    events_exchange: String,
    connection: Arc<Mutex<Option<Arc<Connection>>>>,
    shutdown: CancellationToken,
    keepalive: Duration,
    /// Whether the orders consumer is connected.
    pub orders_state: ConsumerState,
}

impl Live {
    /// Starts consuming new orders; streams end when `shutdown` is cancelled.
    pub fn start(config: &crate::config::Config, shutdown: CancellationToken) -> Self {
        let (orders, _) = broadcast::channel(ORDERS_BUFFER);
        let queue = format!("console.{}", uuid::Uuid::new_v4().simple());
        let topology = Topology::new()
            .topic_exchange(&config.buy_orders_exchange)
            .queue(
                QueueSpec::new(&queue)
                    .bind(&config.buy_orders_exchange, domain::BUY_ORDER_CREATED)
                    .expires_after_ms(60_000),
            );
        let settings = ConsumerSettings {
            url: config.broker.amqp_url.clone(),
            name: "console".to_owned(),
            topology,
            queue,
            prefetch: 32,
            retry_delay: Duration::from_secs(1),
        };
        let orders_state = ConsumerState::default();
        tokio::spawn(messaging::consume(
            settings,
            Arc::new(OrdersHandler(orders.clone())),
            orders_state.clone(),
            shutdown.clone(),
        ));
        Self {
            orders,
            permits: Arc::new(Semaphore::new(config.console_max_streams)),
            amqp_url: config.broker.amqp_url.clone(),
            events_exchange: config.events_exchange.clone(),
            connection: Arc::new(Mutex::new(None)),
            shutdown,
            keepalive: config.keepalive(),
            orders_state,
        }
    }

    fn permit(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        self.permits.clone().try_acquire_owned().map_err(|_| {
            ApiError::unavailable(
                "too_many_streams",
                "the console has as many live streams open as it allows; close a tab and retry",
            )
        })
    }

    /// A stream of new orders.
    pub fn orders_stream(&self) -> Result<HttpResponse, ApiError> {
        let permit = self.permit()?;
        let frames = futures::stream::unfold(self.orders.subscribe(), |mut orders| async move {
            let frame = match orders.recv().await {
                Ok(order) => sse("order", &order),
                Err(broadcast::error::RecvError::Lagged(skipped)) => {
                    sse("lagged", &skipped.to_string())
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            };
            Some((frame, orders))
        });
        Ok(self.serve(permit, frames, async {}))
    }

    /// A stream of `client`'s events, from now on.
    pub async fn events_stream(&self, client: &str) -> Result<HttpResponse, ApiError> {
        let permit = self.permit()?;
        let stream = format!("{}.{client}", self.events_exchange);
        let connection = self.connection().await?;
        let channel = connection.create_channel().await.map_err(broker_down)?;
        channel
            .basic_qos(STREAM_PREFETCH, BasicQosOptions::default())
            .await
            .map_err(broker_down)?;
        let mut arguments = FieldTable::default();
        arguments.insert(
            "x-stream-offset".into(),
            AMQPValue::LongString("next".into()),
        );
        let deliveries = channel
            .basic_consume(
                stream.as_str().into(),
                "console".into(),
                BasicConsumeOptions::default(),
                arguments,
            )
            .await
            .map_err(|error| {
                tracing::info!(stream = %stream, error = %error, "cannot read the stream");
                ApiError::not_found(
                    "unknown_client",
                    format!("'{client}' has no event stream yet: register one of its events first"),
                )
            })?;
        // Each event once acked; when the stream breaks, one `error` frame, then the end.
        let frames = futures::stream::unfold(Some(deliveries), |state| async move {
            let mut deliveries = state?;
            match deliveries.next().await {
                Some(Ok(delivery)) => {
                    let frame = sse("event", &event_json(&delivery));
                    delivery.ack(BasicAckOptions::default()).await.ok()?;
                    Some((frame, Some(deliveries)))
                }
                _ => Some((sse("error", "\"the event stream was interrupted\""), None)),
            }
        });
        let closed = async move {
            if let Err(error) = channel.close(200, "stream closed".into()).await {
                tracing::debug!(error = %error, "closing a stream's channel");
            }
        };
        Ok(self.serve(permit, frames, closed))
    }

    /// Answers with `frames` as Server-Sent Events, plus a keepalive comment whenever the
    /// stream is idle for `CONSOLE_KEEPALIVE_SECS`, until the frames end, the browser goes or
    /// the console stops; then runs `after` and gives the stream's slot back.
    fn serve(
        &self,
        permit: OwnedSemaphorePermit,
        frames: impl futures::Stream<Item = Bytes> + Send + 'static,
        after: impl Future<Output = ()> + Send + 'static,
    ) -> HttpResponse {
        let (tx, rx) = mpsc::channel::<Bytes>(16);
        let (shutdown, every) = (self.shutdown.clone(), self.keepalive);
        tokio::spawn(async move {
            let _permit = permit;
            let mut frames = std::pin::pin!(frames);
            let mut keepalive = tokio::time::interval(every);
            loop {
                let frame = tokio::select! {
                    _ = shutdown.cancelled() => break,
                    _ = tx.closed() => break,
                    _ = keepalive.tick() => Bytes::from_static(b": keepalive\n\n"),
                    frame = frames.next() => match frame {
                        Some(frame) => frame,
                        None => break,
                    },
                };
                if tx.send(frame).await.is_err() {
                    break;
                }
            }
            after.await;
        });
        event_stream(rx)
    }

    /// The shared connection for event streams, made again when it broke.
    async fn connection(&self) -> Result<Arc<Connection>, ApiError> {
        let mut slot = self.connection.lock().await;
        if let Some(connection) = slot.as_ref().filter(|c| c.status().connected()) {
            return Ok(connection.clone());
        }
        let connection = Arc::new(
            messaging::connect(&self.amqp_url, "console-streams")
                .await
                .map_err(broker_down)?,
        );
        *slot = Some(connection.clone());
        Ok(connection)
    }
}

fn broker_down(error: impl std::fmt::Display) -> ApiError {
    tracing::warn!(error = %error, "broker unavailable for a live stream");
    ApiError::unavailable(
        "broker_unavailable",
        "RabbitMQ is not reachable, so live updates are off for now",
    )
}

/// One Server-Sent Event; `data` is one line of JSON.
fn sse(event: &str, data: &str) -> Bytes {
    Bytes::from(format!(
        "event: {event}\ndata: {}\n\n",
        data.replace('\n', " ")
    ))
}

/// The SSE response reading `rx`.
fn event_stream(rx: mpsc::Receiver<Bytes>) -> HttpResponse {
    let body = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|frame| (Ok::<_, actix_web::Error>(frame), rx))
    });
    HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(("cache-control", "no-cache"))
        .insert_header(("x-accel-buffering", "no"))
        .streaming(body)
}

/// An event of a stream as the page shows it: routing key, id, schema version and the event.
fn event_json(delivery: &Delivery) -> String {
    let properties = &delivery.properties;
    let header = |name: &str| {
        properties
            .headers()
            .as_ref()
            .and_then(|h| h.inner().get(name).cloned())
            .map(|value| match value {
                AMQPValue::LongString(s) => serde_json::Value::String(s.to_string()),
                AMQPValue::ShortString(s) => serde_json::Value::String(s.to_string()),
                other => serde_json::Value::String(format!("{other:?}")),
            })
            .unwrap_or(serde_json::Value::Null)
    };
    let event = serde_json::from_slice::<serde_json::Value>(&delivery.data).unwrap_or_else(|_| {
        serde_json::Value::String(String::from_utf8_lossy(&delivery.data).into_owned())
    });
    serde_json::json!({
        "routing_key": delivery.routing_key.as_str(),
        "event_id": properties.message_id().as_ref().map(ToString::to_string),
        "schema_version": header("schema_version"),
        "event": event,
    })
    .to_string()
}

/// Hands each new order (the envelope's `data`) to the open orders streams.
struct OrdersHandler(broadcast::Sender<String>);

impl Handler for OrdersHandler {
    fn handle<'a>(&'a self, delivery: &'a Delivery) -> BoxFuture<'a, Outcome> {
        Box::pin(async move {
            match serde_json::from_slice::<serde_json::Value>(&delivery.data) {
                Ok(mut envelope) => {
                    let order = envelope
                        .get_mut("data")
                        .map(serde_json::Value::take)
                        .unwrap_or(envelope);
                    // No open stream is fine: nobody is watching.
                    let _ = self.0.send(order.to_string());
                    Outcome::Ack
                }
                Err(error) => Outcome::DeadLetter(format!("not JSON: {error}")),
            }
        })
    }
}

/// `GET /api/live/orders`.
pub async fn get_orders_stream(live: web::Data<Live>) -> Result<HttpResponse, ApiError> {
    live.orders_stream()
}

/// `GET /api/live/events/{client}`.
pub async fn get_events_stream(
    live: web::Data<Live>,
    client: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let client = crate::routes::segment("client", &client)?;
    live.events_stream(client).await
}
